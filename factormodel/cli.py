"""The ``factormodel`` command line: a thin layer over the public API.

Every command that prints data takes ``--format table|json|csv``. User errors
(unknown model, invalid file, ...) exit with status 2 and one line on stderr;
``--debug`` shows the traceback instead.

Examples
--------
>>> main(["models", "--format", "csv"])  # doctest: +ELLIPSIS
name,status,version,nodes,factors,outcomes,edges,description
ctc,reconstruction,0.1.0,33,27,6,89,...
0
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from . import __version__, vocab
from .datasets import list_models
from .errors import FactorModelError, ModelValidationError, ModelWarning
from .io import load_model
from .model import FactorModel

FORMATS = ("table", "json", "csv")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 user error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FactorModelError as exc:
        if args.debug:
            raise
        first = str(exc).splitlines()[0]
        if isinstance(exc, ModelValidationError):
            first += " (run 'factormodel validate' on it for the full report)"
        print(f"factormodel: error: {first}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command; the sub-parsers must not
    # reset it to False when it was given before the command (hence SUPPRESS).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback on errors")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--format", choices=FORMATS, default="table",
                     help="output format (default: table)")
    parser = argparse.ArgumentParser(
        prog="factormodel",
        description="Factor models of youth policy (Rotterdam's Factorenmodel Jeugd): "
                    "inspect, validate and use weighted factor graphs.")
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    parser.add_argument("--version", action="version", version=f"factormodel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("models", parents=[common, out], help="list the bundled models")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("show", parents=[common, out], help="summarise a model")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("validate", parents=[common, out],
                       help="check a model and report every problem (exit 2 if invalid)")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.set_defaults(func=_cmd_validate)
    return parser


# --------------------------------------------------------------------------- output


def _emit(data: Any, fmt: str, table: str | None = None) -> None:
    """Print ``data`` (a DataFrame or JSON-ready object) in the requested format."""
    if fmt == "json":
        obj = data.to_dict("records") if isinstance(data, pd.DataFrame) else data
        print(json.dumps(obj, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        buf = io.StringIO()
        frame.to_csv(buf, index=False, lineterminator="\n")
        print(buf.getvalue(), end="")
    else:
        if table is None:
            frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
            table = frame.to_string(index=False) if len(frame) else "(nothing)"
        print(table)


# --------------------------------------------------------------------------- commands


def _cmd_models(args: argparse.Namespace) -> int:
    rows = []
    for name in list_models():
        try:
            m = load_model(name)
        except FactorModelError as exc:
            rows.append({"name": name, "status": "INVALID", "version": "", "nodes": 0,
                         "factors": 0, "outcomes": 0, "edges": 0,
                         "description": str(exc).splitlines()[0]})
            continue
        rows.append({"name": name, "status": m.metadata.status, "version": m.metadata.version,
                     "nodes": m.n_nodes, "factors": len(m.factors), "outcomes": len(m.outcomes),
                     "edges": m.n_edges, "description": m.metadata.description})
    frame = pd.DataFrame(rows)
    table = None
    if args.format == "table":
        shown = frame.assign(description=frame["description"].map(
            lambda d: textwrap.shorten(d, 60, placeholder=" ...")))
        table = shown.to_string(index=False)
    _emit(frame, args.format, table)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    summary = model.summary()
    if args.format == "json":
        _emit(summary, "json")
    elif args.format == "csv":
        _emit(_summary_rows(summary), "csv")
    else:
        _emit(summary, "table", _summary_text(model, summary))
    return 0


def _summary_rows(s: dict[str, Any]) -> pd.DataFrame:
    rows = [{"section": "model", "key": k, "value": s[k]}
            for k in ("name", "version", "status", "nodes", "factors", "outcomes",
                      "modifiable_factors", "edges", "edges_expert_judgement",
                      "edges_with_uncertainty", "distinct_sources", "cyclic")]
    for kind, by_setting in s["nodes_by_kind_and_setting"].items():
        rows += [{"section": f"nodes:{kind}", "key": k, "value": v} for k, v in by_setting.items()]
    rows += [{"section": "edges_by_type", "key": k, "value": v}
             for k, v in s["edges_by_type"].items()]
    rows += [{"section": "edges_by_strength", "key": k, "value": v}
             for k, v in s["edges_by_strength"].items()]
    return pd.DataFrame(rows)


def _summary_text(model: FactorModel, s: dict[str, Any]) -> str:
    wrap = textwrap.TextWrapper(width=88, subsequent_indent="  ")
    lines = [f"{s['name']} {s['version']}  [{s['status']}]"]
    if s["status"] != "official":
        lines.append(f"  NOTE: status '{s['status']}' - not an official model.")
    if s["description"]:
        lines += wrap.wrap("  " + s["description"])
    if s["citation"]:
        lines += wrap.wrap("  Citation: " + s["citation"])
    lines.append("")
    counts = model.nodes.groupby(["kind", "setting"]).size().unstack(fill_value=0)
    settings = [c for c in vocab.FACTOR_SETTINGS + vocab.OUTCOME_SETTINGS if c in counts.columns]
    kinds = [k for k in vocab.KINDS if k in counts.index]
    counts = counts.loc[kinds, settings]
    counts["total"] = counts.sum(axis=1)
    counts.index.name = counts.columns.name = None
    lines.append(f"Nodes: {s['nodes']} ({s['factors']} factors, {s['outcomes']} outcomes; "
                 f"{s['modifiable_factors']} factors modifiable by interventions)")
    lines += ["  " + line for line in counts.to_string().splitlines()]
    lines.append("")
    lines.append(f"Edges: {s['edges']}  (" + ", ".join(f"{k}: {v}" for k, v in
                                                       s["edges_by_type"].items()) + ")")
    lines.append("  by strength: " + ", ".join(f"{k} {v}" for k, v in
                                               s["edges_by_strength"].items()))
    lo, hi = s["weight_range"]
    lines.append(f"  weights from {lo:+.3f} to {hi:+.3f}; uncertainty given for "
                 f"{s['edges_with_uncertainty']}/{s['edges']}; "
                 f"'{vocab.EXPERT_JUDGEMENT}': {s['edges_expert_judgement']}")
    lines.append(f"  feedback loops: {'yes' if s['cyclic'] else 'no (acyclic)'}")
    lines.append(f"Sources: {s['distinct_sources']} distinct; most used:")
    for src in s["top_sources"]:
        lines.append(f"  {src['edges']:>4}  {textwrap.shorten(src['source_ref'], 80)}")
    return "\n".join(lines)


def _cmd_validate(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)  # reported below from model.warnings
            model = load_model(args.model)
    except ModelValidationError as exc:
        rows = [{"severity": "error", "where": p.where, "message": p.message}
                for p in exc.problems]
        if args.format == "table":
            _emit(rows, "table", str(exc))
        else:
            _emit({"valid": False, "source": exc.source, "problems": rows}
                  if args.format == "json" else pd.DataFrame(rows), args.format)
        n = len(exc.problems)
        print(f"factormodel: error: {exc.source} is not valid ({n} problem"
              f"{'s' if n != 1 else ''})", file=sys.stderr)
        return 2
    rows = [{"severity": "warning", "where": p.where, "message": p.message}
            for p in model.warnings]
    if args.format == "json":
        _emit({"valid": True, "model": repr(model), "problems": rows}, "json")
    elif args.format == "csv":
        _emit(pd.DataFrame(rows, columns=["severity", "where", "message"]), "csv")
    else:
        text = [f"OK: {model!r}"]
        if rows:
            text.append(f"{len(rows)} warning{'s' if len(rows) != 1 else ''}:")
            text += [f"  - {r['where']}: {r['message']}" for r in rows]
        _emit(rows, "table", "\n".join(text))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
