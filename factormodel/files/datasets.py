"""Where the bundled models live, and which there are.

The repository keeps them in ``models/<name>/``; a wheel carries the same folder
inside the package as ``factormodel/models``. Reading them is :mod:`factormodel.io`'s job.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from factormodel.errors import ModelFileError, UnknownModelError, close_matches

__all__ = ["bundled_model_path", "data_path", "list_models", "models_dir"]


def models_dir() -> Path:
    """The folder holding the bundled models (installed copy first, then the source tree)."""
    installed = Path(str(resources.files("factormodel"))) / "models"
    if installed.is_dir():
        return installed
    source_tree = Path(__file__).resolve().parents[2] / "models"
    if source_tree.is_dir():
        return source_tree
    raise ModelFileError(f"bundled models not found in {installed} or {source_tree}; "
                         "reinstall factormodel")


def list_models() -> list[str]:
    """Names of the bundled models, sorted.

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.list_models()
    ['ctc', 'rotterdam-jeugd', 'toy']
    """
    root = models_dir()
    return sorted(p.name for p in root.iterdir() if (p / "nodes.csv").is_file())


def bundled_model_path(name: str) -> Path:
    """The folder of bundled model ``name``.

    Raises
    ------
    UnknownModelError
        Listing the bundled models.
    """
    names = list_models()
    if name not in names:
        hint = close_matches(name, names, list_all=False)
        raise UnknownModelError(f"no bundled model {name!r}; bundled models: "
                                f"{', '.join(names)}" + (f"; {hint}" if hint else ""))
    return models_dir() / name


def data_path(filename: str) -> Path:
    """Path of a data file shipped in ``factormodel/data`` (area registries, example data).

    Raises
    ------
    UnknownModelError
        Listing the files that exist.
    """
    folder = Path(str(resources.files("factormodel"))) / "data"
    path = folder / filename
    if not path.is_file():
        have = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
        raise UnknownModelError(f"no bundled data file {filename!r}; available: "
                                f"{', '.join(have) or 'none'}")
    return path
