"""Execute the notebooks and store them with their outputs, small enough for the repository.

Run:  python scripts/run_notebooks.py [NOTEBOOK ...]      (default: every notebooks/*.ipynb)

Each notebook runs from top to bottom in a fresh kernel, in a temporary folder (files
it writes, such as notebook 04's CSV and report, do not land in the repository), with
figures at a modest resolution (``figure.dpi`` 72). PNG outputs are stored as 8-bit
palette PNGs. The SHA-256 of the code cells is written to the notebook's metadata
(``factormodel.code_sha256``): ``tests/test_examples.py`` recomputes it and fails when a
notebook's code was changed without running this script again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DPI = 72


def code_sha256(nb) -> str:
    """SHA-256 of the notebook's code cells (their source, in order)."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode("utf-8"))
            h.update(b"\x1e")  # cell separator
    return h.hexdigest()


def _small_png(data: str) -> str:
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=128).save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii")


def run(path: Path) -> int:
    """Execute ``path`` and store it with its outputs; return the stored size in bytes."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    with tempfile.TemporaryDirectory() as work:
        rc = Path(work) / "mplrc"
        rc.mkdir()
        (rc / "matplotlibrc").write_text(f"figure.dpi: {DPI}\nsavefig.dpi: {DPI}\n")
        old = os.environ.get("MATPLOTLIBRC")
        os.environ["MATPLOTLIBRC"] = str(rc)  # the kernel inherits it
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        try:
            nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                    record_timing=False,
                                    resources={"metadata": {"path": work}}).execute()
        finally:
            if old is None:
                os.environ.pop("MATPLOTLIBRC", None)
            else:
                os.environ["MATPLOTLIBRC"] = old
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "data" in output and "image/png" in output["data"]:
                output["data"]["image/png"] = _small_png(output["data"]["image/png"])
    nb.metadata["factormodel"] = {"code_sha256": code_sha256(nb),
                                  "regenerate": "python scripts/run_notebooks.py"}
    nbformat.write(nb, path)
    return path.stat().st_size


def main(names: list[str]) -> None:
    paths = [Path(n) for n in names] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for p in paths:
        size = run(p)
        print(f"{p.name}: {size / 1000:.0f} kB")


if __name__ == "__main__":
    main(sys.argv[1:])
