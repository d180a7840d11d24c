"""Safe writing: atomic files and folders, and spreadsheet formula guards.

Every file factormodel writes goes through this module:

* **Atomic files** (:func:`write_text`, :func:`write_with`): the content is
  written to a temporary file in the same folder, flushed to disk, and moved
  over the target with :func:`os.replace`. A reader sees the old file or the
  new one, never a half-written one; a failure (full disk, killed process)
  leaves the old file intact.
* **Atomic folders** (:func:`write_folder`): a model folder is written beside
  the target and swapped in. Files in the old folder that the new one does not
  write are carried over, so other files are left alone.
* **Left-overs of a killed writer**: a process killed outright (``SIGKILL``,
  power loss) cannot remove its temporary file, so each temporary name carries
  the writer's process id, and the next write of the same target removes the
  temporary files and folders of writers that are no longer running. A
  temporary file of a live writer is never touched.
* **OS errors** become :class:`~factormodel.errors.ModelFileError` naming the
  path (it is also an ``OSError``).
* **Formula injection** (:func:`guard_cell` / :func:`unguard_cell`): a text
  cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return; OWASP "CSV injection") is written with
  a leading ``'``. Plain numbers such as ``-0.5`` are left alone. The readers
  of factormodel remove exactly one such ``'`` again, so a round trip gives
  back the original text, including text that itself began with ``'=``.

Examples
--------
>>> guard_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> guard_cell("-0.25"), guard_cell("armoede")
('-0.25', 'armoede')
>>> unguard_cell(guard_cell("@SUM(A1)")) == "@SUM(A1)"
True
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from factormodel.errors import ModelFileError

__all__ = ["guard_cell", "guard_frame", "os_error", "unguard_cell", "write_folder", "write_text",
           "write_with"]

_DANGER = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def guard_cell(value: str) -> str:
    """The cell text with a leading ``'`` if a spreadsheet would evaluate it."""
    if _DANGER.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`guard_cell` applied to every text cell and header,
    for CSV or XLSX that a spreadsheet may open. Numbers stay numbers."""
    out = frame.rename(columns=lambda c: guard_cell(c) if isinstance(c, str) else c)
    text_cols = [c for c in out.columns if not pd.api.types.is_numeric_dtype(out[c])]
    if text_cols:
        out = out.assign(**{str(c): out[c].map(
            lambda v: guard_cell(v) if isinstance(v, str) else v) for c in text_cols})
    return out


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell`: drop one leading ``'`` before a formula character."""
    return value[1:] if _GUARDED.match(value) else value


def os_error(path: os.PathLike | str, exc: OSError, action: str = "write") -> ModelFileError:
    """A ModelFileError naming the path and the reason, without the OS's errno noise."""
    reason = exc.strerror or type(exc).__name__
    return ModelFileError(f"{path}: cannot {action} ({reason})")


def write_text(path: os.PathLike | str, text: str) -> None:
    """Write UTF-8 text atomically (temporary file beside ``path``, then replace)."""
    data = text.encode("utf-8")
    write_with(path, lambda tmp: Path(tmp).write_bytes(data))


def write_with(path: os.PathLike | str, writer: Callable[[str], object]) -> None:
    """Call ``writer(temporary path)`` and move the result over ``path`` atomically."""
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # the temporary file keeps the extension: writers such as Excel's check it
        _sweep(path.parent, path.name, (f".tmp{path.suffix}",))
        fd, tmp = tempfile.mkstemp(prefix=_prefix(path.name), suffix=f".tmp{path.suffix}",
                                   dir=path.parent)
    except OSError as exc:
        raise os_error(path, exc) from None
    try:
        os.close(fd)
        writer(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        _keep_mode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise os_error(path, exc) from None
    except BaseException:
        _remove(tmp)
        raise


def write_folder(path: os.PathLike | str, files: Mapping[str, str],
                 replaces: Callable[[str], bool] = lambda name: False) -> None:
    """Write ``files`` (name -> UTF-8 text) as the folder ``path``, atomically.

    The folder is written beside ``path`` and swapped in. Entries of an existing
    folder that are not in ``files`` are carried over, except those for which
    ``replaces(name)`` is true (stale files of the same kind, e.g. an old table).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ModelFileError(f"{path}: exists and is not a folder; give a folder or a .json path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent, path.name, (".tmp", ".old"))
        tmp = Path(tempfile.mkdtemp(prefix=_prefix(path.name), suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise os_error(path, exc) from None
    try:
        for name, text in files.items():
            with open(tmp / name, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        if path.is_dir():
            for entry in path.iterdir():
                if entry.name not in files and not replaces(entry.name):
                    _copy(entry, tmp / entry.name)
            _keep_mode(path, str(tmp))
            _swap(tmp, path)
            shutil.rmtree(tmp, ignore_errors=True)  # now the old folder
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_error(path, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _prefix(name: str) -> str:
    """The start of a temporary name for ``name``: hidden, and carrying this process's id."""
    return f".{name}.{os.getpid()}-"


def _sweep(folder: Path, name: str, suffixes: tuple[str, ...]) -> None:
    """Remove temporary files and folders of ``name`` left by writers no longer running."""
    start = f".{name}."
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(start)
                   and e.name.endswith(suffixes)]
    except OSError:
        return
    for entry in entries:
        pid, dash, _ = entry.name[len(start):].partition("-")
        if not (dash and pid.isdigit()) or _running(int(pid)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            _remove(str(entry))


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True  # another thread may be writing; on Windows os.kill(pid, 0) is not a probe
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # not ours to judge: leave it
    return True


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst, follow_symlinks=False)


def _keep_mode(old: Path, new: str) -> None:
    """A replaced file or folder keeps its permissions (mkstemp makes files 0600)."""
    try:
        mode = old.stat().st_mode & 0o7777
    except OSError:
        mode = (0o777 if Path(new).is_dir() else 0o666) & ~_umask()
    os.chmod(new, mode)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


_RENAME_EXCHANGE = 2


def _swap(new: Path, old: Path) -> None:
    """Exchange two folders: atomically where the OS can (Linux renameat2), else by two
    renames with the old folder restored if the second fails."""
    if _renameat2 is not None:
        rc = _renameat2(-100, os.fsencode(new), -100, os.fsencode(old), _RENAME_EXCHANGE)
        if rc == 0:
            return
    aside = Path(tempfile.mkdtemp(prefix=_prefix(old.name), suffix=".old", dir=old.parent))
    aside.rmdir()
    os.replace(old, aside)
    try:
        os.replace(new, old)
    except OSError:
        os.replace(aside, old)
        raise
    os.replace(aside, new)  # the caller removes `new`, which now holds the old content


def _load_renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                   ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _load_renameat2()
