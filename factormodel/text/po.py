"""Reading a gettext ``.po`` catalogue and compiling it to ``.mo`` bytes (stdlib only).

The Dutch catalogue ``locale/nl/LC_MESSAGES/factormodel.po`` is the one place of every
Dutch word of the library's people-facing texts; its compiled ``.mo`` ships beside it and
is what :mod:`gettext` reads. After editing the ``.po`` run
``python -m factormodel.text.po`` to compile it (a test fails when the two differ).

Examples
--------
>>> import gettext, io
>>> entries = parse_po('msgid ""\\nmsgstr ""\\n\\nmsgctxt "header"\\nmsgid "area"\\n'
...                    'msgstr "gebied"\\n\\nmsgid "no"\\nmsgstr "nee"\\n')
>>> entries[("header", "area")], entries[(None, "no")]
('gebied', 'nee')
>>> t = gettext.GNUTranslations(io.BytesIO(mo_bytes(entries)))
>>> t.pgettext("header", "area"), t.gettext("no")
('gebied', 'nee')
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

__all__ = ["CATALOGUE", "compile_catalogue", "mo_bytes", "parse_po"]

#: The Dutch catalogue (source of the compiled ``.mo`` beside it).
CATALOGUE = Path(__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "factormodel.po"


def parse_po(text: str) -> dict[tuple[str | None, str], str]:
    """The entries of a ``.po`` text: ``(context, msgid) -> msgstr`` (the header under
    ``(None, "")``; fuzzy entries are left out, as ``msgfmt`` does).

    Raises
    ------
    ValueError
        A line that is not a comment, a keyword or a quoted continuation (its number named).
    """
    entries: dict[tuple[str | None, str], str] = {}
    current: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        nonlocal current, fuzzy
        if "msgid" in current and not fuzzy:
            entries[(current.get("msgctxt"), current["msgid"])] = current.get("msgstr", "")
        current, fuzzy = {}, False

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if "msgid" in current:
                    flush()
                fuzzy = True
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid", "msgstr"):
            if word in ("msgctxt", "msgid") and "msgid" in current and (
                    word == "msgctxt" or "msgstr" in current):
                flush()
            key = word
            current[key] = _string(rest, number)
        elif line.startswith('"') and key:
            current[key] += _string(line, number)
        else:
            raise ValueError(f"line {number}: not a .po line: {raw!r}")
    flush()
    return entries


def _string(quoted: str, number: int) -> str:
    quoted = quoted.strip()
    if not (quoted.startswith('"') and quoted.endswith('"') and len(quoted) >= 2):
        raise ValueError(f"line {number}: expected a quoted string, got {quoted!r}")
    return ast.literal_eval(quoted)


def mo_bytes(entries: dict[tuple[str | None, str], str]) -> bytes:
    """The GNU ``.mo`` file of ``entries`` (untranslated entries left out, keys sorted)."""
    pairs = sorted(((f"{ctx}\x04{msgid}" if ctx is not None else msgid).encode("utf-8"),
                    msgstr.encode("utf-8"))
                   for (ctx, msgid), msgstr in entries.items() if msgstr)
    n = len(pairs)
    keys_start = 7 * 4
    values_start = keys_start + n * 8
    data_start = values_start + n * 8
    ids = b"".join(k + b"\0" for k, _ in pairs)
    strs = b"".join(v + b"\0" for _, v in pairs)
    key_table, value_table = [], []
    offset = data_start
    for k, _ in pairs:
        key_table += [len(k), offset]
        offset += len(k) + 1
    for _, v in pairs:
        value_table += [len(v), offset]
        offset += len(v) + 1
    head = struct.pack("<7I", 0x950412DE, 0, n, keys_start, values_start, 0, data_start)
    return (head + struct.pack(f"<{2 * n}I", *key_table)
            + struct.pack(f"<{2 * n}I", *value_table) + ids + strs)


def compile_catalogue(po: Path = CATALOGUE) -> Path:
    """Compile ``po`` to the ``.mo`` beside it; returns the ``.mo``'s path."""
    mo = po.with_suffix(".mo")
    mo.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
    return mo


if __name__ == "__main__":  # pragma: no cover - the maintainer's compile step
    print(compile_catalogue(Path(sys.argv[1]) if len(sys.argv) > 1 else CATALOGUE))
