"""The module map of docs/architecture.md, drawn from the code.

Each layer (a subpackage, or the top-level modules of the base and top layers) with its
modules and the first line of each module's docstring. ``tests/test_architecture.py``
checks that the document holds exactly this block; after moving or adding a module run

    python scripts/architecture_map.py --write
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "factormodel"
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- module map: start -->", "<!-- module map: end -->"

#: lowest first; the base layer is the top-level errors and vocab, the top layer cli and serve
LAYERS = [
    ("base", ["errors.py", "vocab.py"]),
    ("tables", None), ("core", None), ("files", None), ("analysis", None),
    ("estimation", None), ("workflow", None), ("text", None), ("render", None),
    ("top", ["cli.py", "serve"]),
]


def _package(folder: Path) -> list[Path]:
    return [folder / "__init__.py",
            *sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")]


def _first_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    line = doc.strip().splitlines()[0] if doc.strip() else "(no docstring)"
    return line.replace("|", "\\|")


def module_map() -> str:
    """The markdown block: one table row per module, layers from the top down."""
    rows = ["| layer | module | what it is |", "|---|---|---|"]
    for layer, members in reversed(LAYERS):
        paths: list[Path] = []
        if members is None:
            paths = _package(PACKAGE / layer)
        else:
            for m in members:
                p = PACKAGE / m
                paths += _package(p) if p.is_dir() else [p]
        for p in paths:
            rel = p.relative_to(PACKAGE.parent).as_posix()
            rows.append(f"| {layer} | `{rel}` | {_first_line(p)} |")
    return "\n".join([START, *rows, END])


def current_block(text: str) -> str:
    if START not in text or END not in text:
        return ""
    return text[text.index(START): text.index(END) + len(END)]


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    block = module_map()
    if "--write" in sys.argv:
        old = current_block(text)
        DOC.write_text(text.replace(old, block) if old else text + "\n" + block + "\n",
                       encoding="utf-8")
    else:
        print(block)
