"""Fuzz every reader of factormodel for longer than the test suite does.

Each case is a mutated seed file (see ``tests/fuzz_harness.py``); a reader may
return or raise a ``FactorModelError``. Anything else (a crash) or a case that
runs over the time limit (a hang) is a bug: it is printed with its seed so it
can be replayed, and the exit status is 1.

Usage::

    python scripts/fuzz_readers.py                      # 20 s per reader
    python scripts/fuzz_readers.py --seconds 120 --reader area-csv
    python scripts/fuzz_readers.py --seconds 30 --table docs/reliability.md
    python scripts/fuzz_readers.py --replay area-csv:12345

``--table`` rewrites the reliability table (cases tried and outcome per class,
per reader) from this run.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from factormodel.tables._guards import DELTA_BOUND, WEIGHT_BOUND  # noqa: E402
from tests.fuzz_harness import READERS, Seeds, run_case  # noqa: E402


def fuzz(reader: str, seconds: float, seeds: Seeds, start_seed: int, limit: float
         ) -> tuple[collections.Counter, list[tuple[int, str, str]]]:
    counts: collections.Counter = collections.Counter()
    bad: list[tuple[int, str, str]] = []
    stop = time.monotonic() + seconds
    seed = start_seed
    while time.monotonic() < stop:
        rng = random.Random(f"{reader}:{seed}")
        raw = rng.randbytes(rng.randrange(400)) if rng.random() < 0.05 else None
        path = seeds.make_case(reader, rng, raw)
        outcome = run_case(reader, path, limit)
        counts[outcome.label] += 1
        if outcome.kind in ("crash", "hang"):
            bad.append((seed, outcome.label, outcome.detail))
        seed += 1
    return counts, bad


def table(results: dict[str, collections.Counter], seconds: float) -> str:
    classes = sorted({label for c in results.values() for label in c
                      if label.startswith("error:")})
    head = ["reader", "cases", "ok", *[c.split(":", 1)[1] for c in classes], "crash", "hang"]
    lines = [
        "# Reliability of the readers",
        "",
        "Kept current by `python scripts/fuzz_readers.py --seconds N --table "
        "docs/reliability.md`; do not edit by hand.",
        "",
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"factormodel {fm.__version__}, Python {platform.python_version()}, "
        f"{seconds:g} s per reader.",
        "",
        "Each case is a mutated copy of a valid file of that reader (cells replaced by",
        "hostile or ambiguous values, lines deleted or repeated, headers damaged, text",
        "truncated, separators swapped, other encodings, JSON values replaced or nested",
        "deeply, workbook bytes damaged) or random bytes; see `tests/fuzz_harness.py`.",
        "The reader either returns (`ok`, its result used once) or refuses the input",
        "with a `FactorModelError` subclass (one column per class). `crash` (any other",
        "exception) and `hang` (over the time limit) are bugs and must stay 0.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for reader, c in results.items():
        crash = sum(v for k, v in c.items() if k.startswith("crash"))
        row = [reader, sum(c.values()), c.get("ok", 0), *[c.get(k, 0) for k in classes],
               crash, c.get("hang", 0)]
        lines.append("| " + " | ".join(str(x) for x in row) + " |")
    total = collections.Counter()
    for c in results.values():
        total.update(c)
    lines += ["", f"Total: {sum(total.values())} cases, "
              f"{sum(v for k, v in total.items() if k.startswith('crash'))} crashes, "
              f"{total.get('hang', 0)} hangs.", "",
              "## Hand-made cases",
              "",
              "`tests/test_hardening.py` pins a minimal reproducer of every item of issue 15",
              "(silent wrong answers, crashes outside the error hierarchy, lost data on",
              "failed writes, hostile content); each fails if its fix is undone.",
              "`tests/test_fuzz_readers.py` runs the cases above with a small budget in",
              "every test run.", "",
              "## Guarantees these runs check, and where they live",
              "",
              "| guarantee | where |",
              "|---|---|",
              "| every exception of a reader is a `FactorModelError` subclass (also the "
              "matching built-in) | readers in `files/folders.py`, `files/areas.py`, "
              "`analysis/indicators.py`, `analysis/portfolio.py`, `files/exchange.py`, "
              "`workflow/wijkplan.py`, `workflow/progress.py` |",
              f"| edge weights, `low` and `high` are at most {WEIGHT_BOUND:g} in "
              "magnitude (SD per SD); more is a validation error | `tables/_guards.py` |",
              f"| a delta beyond {DELTA_BOUND:g} SD, NaN or inf is refused | "
              "`core/propagate.py` |",
              "| no solve hands out NaN or inf (`NotConvergentError` instead) | "
              "`core/_linalg.System` |",
              "| node ids that differ only in letter case are an error; imports never "
              "rename colliding names | `tables/_guards.py`, `files/exchange.py` |",
              "| JSON: duplicate keys and deep nesting are `ModelFileError`s | "
              "`files/folders.py` |",
              "| workbooks: truncated, not a workbook, or with a DTD: `ModelFileError` | "
              "`files/folders.py` |",
              "| writes are atomic (temporary file or folder beside the target, then "
              "replaced); a failed write leaves the old model | `tables/_safewrite.py` |",
              "| text cells starting with `= + - @`, tab or return are written with a "
              "leading `'` (not plain numbers such as `-0.5`); the readers remove exactly "
              "one such `'`, so a round trip is exact | `tables/_safewrite.py`, "
              "`tables/_spreadsheet.py`, `files/folders.py`, CLI "
              "`--format csv/csv-nl/xlsx`, web downloads |",
              "| errors name the file and the problem, never the content of an unrelated "
              "file or folder | `files/folders.py` |",
              "| the CLI turns every `FactorModelError` into exit status 2 and one line "
              "on stderr (`--format json`: a JSON error object on stdout); a closed or "
              "full stdout gives no traceback | `cli.py` |", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="time per reader")
    ap.add_argument("--reader", action="append", choices=sorted(READERS),
                    help="fuzz only this reader (repeat for several)")
    ap.add_argument("--seed", type=int, default=0, help="first case seed")
    ap.add_argument("--limit", type=float, default=10.0, help="seconds before a case hangs")
    ap.add_argument("--table", type=Path, help="write the reliability table here")
    ap.add_argument("--replay", metavar="READER:SEED", help="run one case and show it")
    args = ap.parse_args(argv)
    seeds = Seeds()
    try:
        if args.replay:
            reader, seed = args.replay.rsplit(":", 1)
            rng = random.Random(f"{reader}:{seed}")
            raw = rng.randbytes(rng.randrange(400)) if rng.random() < 0.05 else None
            path = seeds.make_case(reader, rng, raw)
            print(f"case: {path}")
            print(run_case(reader, path, args.limit))
            return 0
        results = {}
        failed = False
        for reader in args.reader or list(READERS):
            counts, bad = fuzz(reader, args.seconds, seeds, args.seed, args.limit)
            results[reader] = counts
            print(f"{reader:14} {sum(counts.values()):6} cases  "
                  + ", ".join(f"{k} {v}" for k, v in counts.most_common()), flush=True)
            for seed, label, detail in bad[:10]:
                failed = True
                print(f"  {label}: replay with --replay {reader}:{seed}  {detail}")
        if args.table:
            args.table.write_text(table(results, args.seconds),
                                  encoding="utf-8")
            print(f"wrote {args.table}")
        return 1 if failed else 0
    finally:
        seeds.close()


if __name__ == "__main__":
    sys.exit(main())
