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
import errno
import io
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import __version__, vocab
from ._cells import parse_number
from ._json import json_safe
from ._safewrite import guard_frame
from .datasets import list_models
from .effects import decompose_effects, total_effects
from .errors import (
    FactorModelError,
    InvalidParameterError,
    ModelValidationError,
    ModelWarning,
)
from .fcm import FCMResult
from .indicators import (
    REFERENCES,
    Profile,
    coverage,
    load_example_indicators,
    profile,
    profile_index,
    to_indicator_units,
)
from .io import load_example_data, load_model, read_area_data, read_deltas
from .model import FactorModel
from .portfolio import DEFAULT_EFFECT, DEFAULT_EFFECT_SD, load_interventions, optimize_portfolio
from .propagate import PropagationResult, propagate
from .recommend import recommend

FORMATS = ("table", "json", "csv")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 user error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a full device shows here, not in Python's exit handler
        return status
    except BrokenPipeError:  # the reader stopped early (e.g. '| head'): not an error
        _silence_stdout()
        return 0
    except FactorModelError as exc:
        if args.debug:
            raise
        return _report(exc, args)
    except OSError as exc:
        if args.debug:
            raise
        if exc.errno in _OUTPUT_ERRNOS and exc.filename is None:  # writing stdout failed
            _silence_stdout()
            print(f"factormodel: error: cannot write the output ({exc.strerror})",
                  file=sys.stderr)
            return 2
        return _report(exc, args, internal=True)
    except Exception as exc:  # a bug: one line, not a traceback (--debug shows it)
        if args.debug:
            raise
        return _report(exc, args, internal=True)


_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EPIPE, errno.EFBIG)


def _silence_stdout() -> None:
    """Point stdout at /dev/null: no second error when Python flushes it at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout has no file descriptor (e.g. captured)
        pass


def _location(exc: BaseException) -> str | None:
    """The file (and line) an error is about: its source, or the path its message starts
    with (``path line 3, column 'x': ...``); None when it names no file."""
    given = getattr(exc, "source", None) or getattr(exc, "filename", None)
    if given is not None:
        return str(given)
    head = str(exc).split(": ", 1)[0] if ": " in str(exc) else ""
    path = head.split(" line ", 1)[0].split(" column ", 1)[0]
    return head if path and os.path.exists(path) else None


def _report(exc: BaseException, args: argparse.Namespace, *, internal: bool = False) -> int:
    """One line on stderr (and a JSON object on stdout with --format json); exit status 2.

    An exception outside FactorModelError is a bug in factormodel: it is said so, with
    exit status 1.
    """
    detail = str(exc) or type(exc).__name__
    first = detail.splitlines()[0]
    if isinstance(exc, ModelValidationError):
        first += " (run 'factormodel validate' on it for the full report)"
    if internal:
        first = (f"internal error {type(exc).__name__}: {first} (a bug in factormodel; "
                 "run with --debug for the traceback and please report it)")
    if getattr(args, "format", None) == "json":
        doc = {"error": type(exc).__name__, "detail": detail, "location": _location(exc)}
        if isinstance(exc, ModelValidationError):
            doc["problems"] = [{"where": p.where, "message": p.message} for p in exc.problems]
        try:
            print(json.dumps(doc, ensure_ascii=False, indent=2))
            sys.stdout.flush()
        except OSError:
            _silence_stdout()
    print(f"factormodel: error: {first}", file=sys.stderr)
    return 1 if internal else 2


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
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (e.g. an implied R² >= 1) as errors: exit 2")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("propagate", parents=[common, out],
                       help="predict the change of every node from given deltas")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--delta", action="append", metavar="ID=VALUE",
                       help="delta of one node in SD (repeat for several nodes)")
    given.add_argument("--deltas", metavar="FILE.csv",
                       help="table of deltas: one row per scenario, node ids as columns")
    given.add_argument("--data", metavar="DATA",
                       help="area data (file, or 'example' for the bundled SYNTHETIC data); "
                            "needs --area")
    _area_options(p)
    p.add_argument("--method", choices=("linear", "fcm"), default="linear")
    p.add_argument("--no-clamp", action="store_true",
                   help="treat deltas as shocks on which feedback acts (linear mode)")
    p.add_argument("--alpha", type=float, default=1.0, help="per-hop attenuation (linear)")
    p.add_argument("--max-hops", type=int, default=None, help="longest path counted (linear)")
    p.add_argument("--all", action="store_true",
                   help="list every node, not only the given nodes and the outcomes")
    p.add_argument("--lang", choices=("nl", "en"), default="nl", help="label language")
    p.set_defaults(func=_cmd_propagate)

    p = sub.add_parser("profile", parents=[common, out],
                       help="an area's deltas per node (SD) from its indicators")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.add_argument("data", help="area data file, or 'example' for the bundled SYNTHETIC data")
    _area_options(p)
    p.add_argument("--lang", choices=("nl", "en"), default="nl", help="label language")
    p.set_defaults(func=_cmd_profile)

    p = sub.add_parser("validate-data", parents=[common, out],
                       help="how well the model predicts observed outcomes in area data, "
                            "beside simple baselines (out of sample)")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.add_argument("data", help="area data file; 'example' for the bundled SYNTHETIC data; "
                   "'example:cbs_kwb2017' for the REAL CBS 2017 buurt data (no outcomes)")
    p.add_argument("--outcome", action="append", metavar="ID",
                   help="outcome node or indicator to validate (repeatable; default all)")
    p.add_argument("--indicators", metavar="CSV", help="indicator catalogue for the data "
                   "(default: the model's bundled one)")
    p.add_argument("--folds", default="loo",
                   help="'loo' (leave one area out, default), a number of folds, or 'parent' "
                        "(leave one parent area out, e.g. a gebied with its wijken; parents "
                        "from --areas, default the rotterdam registry)")
    p.add_argument("--seed", type=int, default=0, help="seed of the folds")
    p.add_argument("--year", type=int, help="year to validate (default: the latest)")
    p.add_argument("--level", help="area level (default: the finest)")
    p.add_argument("--calibrate", type=float, metavar="STRENGTH",
                   help="also score the model calibrated inside each fold")
    p.add_argument("--areas", metavar="REGISTRY",
                   help="resolve area names/codes with this registry (e.g. rotterdam)")
    p.set_defaults(func=_cmd_validate_data)

    p = sub.add_parser("recommend", parents=[common, out],
                       help="which factors to target in an area, and (with --budget) which "
                            "interventions fit the budget")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.add_argument("data", help="area data file, or 'example' for the bundled SYNTHETIC data")
    _area_options(p)
    p.add_argument("--outcome", action="append", required=True, metavar="ID[=PRIORITY]",
                   help="an outcome the area chose, optionally with a priority (repeatable)")
    p.add_argument("--top", type=int, default=5, help="how many factors to rank")
    p.add_argument("--budget", help="optimise an intervention portfolio within it (euros; "
                   "250000, 250.000 and 250.000,50 are read as Dutch amounts)")
    p.add_argument("--interventions", metavar="FILE.csv",
                   help="intervention catalogue (default: the model's bundled one)")
    p.add_argument("--population",
                   help="young people in the area (default: from the data)")
    p.add_argument("--one-per-factor", action="store_true",
                   help="at most one intervention per target factor")
    p.add_argument("--require-phase", action="append", default=[], metavar="PHASE",
                   help="a life phase the portfolio must serve (repeatable)")
    p.add_argument("--require-setting", action="append", default=[], metavar="SETTING",
                   help="a setting the portfolio must serve (repeatable)")
    p.add_argument("--cap-at-room", action="store_true",
                   help="never improve a factor beyond the area's room to improve")
    p.add_argument("--lang", choices=("nl", "en"), default="nl", help="language of the text")
    p.set_defaults(func=_cmd_recommend)

    p = sub.add_parser("effects", parents=[common, out],
                       help="total effects of the factors on the outcomes")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.add_argument("--outcome", action="append", metavar="ID",
                   help="decompose the effects on this outcome (repeatable)")
    p.add_argument("--alpha", type=float, default=1.0, help="per-hop attenuation")
    p.add_argument("--lang", choices=("nl", "en"), default="nl", help="label language")
    p.set_defaults(func=_cmd_effects)

    _serve_parser(sub, common)
    return parser


# --------------------------------------------------------------------------- serve


def _serve_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common],
                       help="HTTP JSON API and web page (needs: pip install "
                            "\"factormodel[serve]\")")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--models", metavar="DIR", help="folder of extra models offered by name")
    p.add_argument("--data", metavar="DIR", help="folder of area data files offered by name")
    p.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every API call "
                                   "(default: $FACTORMODEL_TOKEN)")
    p.add_argument("--max-upload-mb", type=float, default=10.0,
                   help="largest upload accepted, in MB (default: 10)")
    p.add_argument("--max-rows", type=int, default=100_000,
                   help="most data rows accepted in an upload (default: 100000)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow browser calls from this origin (repeatable; default: none)")
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    import importlib.util
    import os

    missing = [m for m in ("fastapi", "uvicorn", "multipart", "jinja2", "fastapi_offline")
               if importlib.util.find_spec(m) is None]
    if missing:
        print('factormodel: error: serve needs the optional extra: pip install '
              f'"factormodel[serve]" (missing: {", ".join(missing)})', file=sys.stderr)
        return 2
    from .serve import run

    token = args.token if args.token is not None else os.environ.get("FACTORMODEL_TOKEN")
    if args.host not in ("127.0.0.1", "localhost", "::1") and not token:
        print(f"factormodel: warning: serving on {args.host} without a token; anyone who can "
              "reach this address can use the service", file=sys.stderr)
    run(args.host, args.port, models_dir=args.models, data_dir=args.data, token=token or None,
        max_upload_bytes=int(args.max_upload_mb * 1_000_000), max_rows=args.max_rows,
        cors_origins=tuple(args.cors_origin))
    return 0


# --------------------------------------------------------------------------- output


def _area_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--area", help="area name (e.g. Oud-Crooswijk)")
    p.add_argument("--year", type=int, help="year (default: the latest in the data)")
    p.add_argument("--reference", choices=REFERENCES, default="city",
                   help="what a delta is measured against (default: city average)")
    p.add_argument("--level", help="area level, e.g. wijk or gebied (default: the finest)")
    p.add_argument("--areas", metavar="REGISTRY",
                   help="resolve area names/codes with this registry (e.g. rotterdam)")
    p.add_argument("--indicators", metavar="CSV", help="indicator catalogue for the data "
                   "(default: the model's own; for example:cbs_kwb2017 its shipped one)")


def _catalogue_arg(args: argparse.Namespace, model: FactorModel) -> Any:
    """The catalogue a command should use: --indicators, or the example data's own."""
    if getattr(args, "indicators", None):
        return args.indicators
    if args.data == "example:cbs_kwb2017":
        return load_example_indicators("cbs_kwb2017", model)
    return None


def _area_data(arg: str, registry: str | None) -> pd.DataFrame:
    if arg in ("example", "example:rotterdam"):
        return load_example_data("rotterdam")
    if arg == "example:cbs_kwb2017":  # REAL CBS data (context factors only)
        return load_example_data("cbs_kwb2017")
    return read_area_data(arg, areas=registry)


def _synthetic_note(prof: Profile) -> str:
    if prof.synthetic:
        return " -- SYNTHETIC example data, not measurements"
    if prof.status == "real":
        return f" -- REAL data ({prof.source})" if prof.source else " -- REAL data"
    return ""


def _emit(data: Any, fmt: str, table: str | None = None) -> None:
    """Print ``data`` (a DataFrame or JSON-ready object) in the requested format."""
    if fmt == "json":
        print(json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))
    elif fmt == "csv":
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        frame = guard_frame(frame)  # no formula injection into a spreadsheet opening it
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
            _emit({"valid": False, "source": exc.source, "model": None, "problems": rows}
                  if args.format == "json" else pd.DataFrame(rows), args.format)
        n = len(exc.problems)
        print(f"factormodel: error: {exc.source} is not valid ({n} problem"
              f"{'s' if n != 1 else ''})", file=sys.stderr)
        return 2
    rows = [{"severity": "warning", "where": p.where, "message": p.message}
            for p in model.warnings]
    if args.format == "json":
        _emit({"valid": True, "source": str(args.model), "model": model.name,
               "summary": repr(model), "problems": rows}, "json")
    elif args.format == "csv":
        _emit(pd.DataFrame(rows, columns=["severity", "where", "message"]), "csv")
    else:
        text = [f"OK: {model!r}"]
        if rows:
            text.append(f"{len(rows)} warning{'s' if len(rows) != 1 else ''}:")
            text += [f"  - {r['where']}: {r['message']}" for r in rows]
        _emit(rows, "table", "\n".join(text))
    if rows and args.strict:
        print(f"factormodel: error: {model.name} has {len(rows)} warning"
              f"{'s' if len(rows) != 1 else ''} and --strict was given", file=sys.stderr)
        return 2
    return 0


def _parse_delta_args(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        node, sep, value = item.partition("=")
        if not sep or not node.strip():
            raise InvalidParameterError(f"--delta {item!r}: expected ID=VALUE, e.g. "
                                        "--delta schoolverzuim=-0.5")
        out[node.strip()] = _number_arg(f"--delta {item!r}:", value)
    return out


def _number_arg(option: str, value: str | None, *, grouping: bool = False) -> float:
    """A number typed on the command line, read by the library's one cell parser
    (``0,5``; for money and counts, ``grouping``, also Dutch ``250.000`` and
    ``250.000,50``)."""
    x, flag, err = parse_number(value if value is not None else "", grouping=grouping)
    if err is None and flag:
        err = "expected a number"
    if err:
        raise InvalidParameterError(f"{option} {value!r} is not a number ({err})")
    return x


def _cmd_profile(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    data = _area_data(args.data, args.areas)
    prof = profile(model, data, reference=args.reference, year=args.year, level=args.level,
                   indicators=_catalogue_arg(args, model))
    note = _synthetic_note(prof)
    nodes = model.nodes
    if args.area:
        row = prof.row(args.area)
        index = profile_index(model, prof).loc[args.area]
        table = pd.DataFrame({"node": row.index, "kind": nodes["kind"].to_numpy(),
                              "delta_sd": row.to_numpy(), "index": index.to_numpy(),
                              "measured": row.notna().to_numpy(),
                              "label": nodes[f"label_{args.lang}"].to_numpy()})
        text = None
        if args.format == "table":
            shown = table[table["measured"]].assign(
                delta_sd=lambda t: t["delta_sd"].map(lambda v: f"{v:+.2f}"),
                index=lambda t: t["index"].map(lambda v: f"{v:.0f}"))
            cov = coverage(model, prof).loc[args.area]
            text = "\n".join([
                f"{args.area}: profile {prof.year} against {prof.reference_name()} "
                f"(SD; index 100 = reference, higher = better){note}",
                shown.drop(columns="measured").to_string(index=False), "",
                f"measured: {cov['factors_measured']}/{cov['factors_total']} factors, "
                f"{cov['outcomes_measured']}/{cov['outcomes_total']} outcomes",
                f"not measured: {cov['unmeasured_factors'] or '-'}"])
        _emit(table, args.format, text)
        return 0
    cov = coverage(model, prof)
    long = prof.deltas.rename_axis(index="area", columns="node").reset_index().melt(
        id_vars="area", var_name="node", value_name="delta_sd").dropna()
    if args.format == "table":
        worst = (prof.deltas * model.desired_sign).apply(
            lambda r: ", ".join(r.dropna().sort_values().index[:3]), axis=1)
        summary = cov[["factors_measured", "outcomes_measured"]].assign(
            furthest_on_wrong_side=worst)
        _emit(long, "table", f"profile {prof.year} ({prof.level}) against "
                             f"{prof.reference_name()}{note}; use --area for one area\n"
                             + summary.to_string())
    else:
        _emit(long, args.format)
    return 0


def _cmd_validate_data(args: argparse.Namespace) -> int:
    from .validation import CAVEAT, validate

    model = load_model(args.model)
    data = _area_data(args.data, args.areas)
    folds: Any = args.folds.lower()
    if folds not in ("loo", "parent"):
        folds = _whole_number(args.folds, "--folds")
    indicators = _catalogue_arg(args, model)
    result = validate(model, data, outcomes=args.outcome, level=args.level, folds=folds,
                      seed=args.seed, indicators=indicators, year=args.year,
                      areas=args.areas or "rotterdam",
                      calibrate=args.calibrate)
    if args.format == "json":
        _emit(result.to_dict(), "json")
        return 0
    frame = result.to_frame()
    if args.format == "csv":
        _emit(frame, "csv")
        return 0
    cols = ["indicator", "target", "method", "n", "r", "r2", "slope", "rmse", "detail"]
    status = (" -- SYNTHETIC example data, not measurements"
              if "synthetic" in result.data_status else
              f" -- {result.data_status or 'area'} data")
    parts = [f"validation of {model.name} on {args.data}{status}; level {result.level}, "
             f"{result.year}; {result.folds}"]
    for sample in ("out-of-sample", "in-sample"):
        sub = result.to_frame(sample)[cols]
        parts += ["", f"{sample}:", sub.to_string(index=False, float_format=lambda v: f"{v:.3f}",
                                                  na_rep="-")]
    parts += ["", *result.notes, CAVEAT]
    if result.data_source:
        parts.append(result.data_source)
    _emit(frame, "table", "\n".join(parts))
    return 0


def _whole_number(text_: str, name: str) -> int:
    try:
        return int(text_)
    except ValueError:
        raise InvalidParameterError(f"{name} must be 'loo', 'parent' or a whole number, got "
                                    f"{text_!r}") from None


def _cmd_propagate(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    if args.data is not None:
        return _propagate_area(model, args)
    if args.area:
        raise InvalidParameterError("--area goes with --data")
    deltas: Any = read_deltas(args.deltas) if args.deltas else _parse_delta_args(args.delta)
    options: dict[str, Any] = {"method": args.method}
    if args.method == "linear":
        options.update(clamp=not args.no_clamp, alpha=args.alpha, max_hops=args.max_hops)
    result = propagate(model, deltas, **options)
    frame = result.to_frame()
    if not args.all:
        frame = frame[(frame["role"] != "predicted") | (frame["kind"] == "outcome")]
    frame = frame.assign(label=frame["node"].map(model.nodes[f"label_{args.lang}"]))
    if args.format == "json":
        _emit(_propagation_json(result, frame), "json")
    elif args.format == "csv":
        _emit(frame, "csv")
    else:
        _emit(frame, "table", _propagation_text(result, frame))
    return 0


def _propagate_area(model: FactorModel, args: argparse.Namespace) -> int:
    """Clamp an area's measured factors, predict its outcomes, and show them in units."""
    if not args.area:
        raise InvalidParameterError("--data needs --area (e.g. --area Oud-Crooswijk)")
    data = _area_data(args.data, args.areas)
    prof = profile(model, data, reference=args.reference, year=args.year, level=args.level,
                   indicators=_catalogue_arg(args, model))
    note = _synthetic_note(prof)
    row = prof.row(args.area)
    factors = row[list(model.factors)]
    result = propagate(model, factors, missing="free", clamp=not args.no_clamp,
                       alpha=args.alpha, max_hops=args.max_hops)
    outcomes = result.outcomes
    units = to_indicator_units(model, outcomes)
    observed = row[list(model.outcomes)]
    roles = pd.Series(np.where(factors.notna(), "measured, clamped",
                               "not measured, predicted"), index=factors.index)
    if args.format == "json":
        _emit({"model": model.name, "status": model.metadata.status, "area": args.area,
               "year": prof.year, "reference": prof.reference,
               "synthetic_data": bool(note),
               "outcomes": [{"outcome": o, "predicted_sd": float(outcomes[o]),
                             "observed_sd": None if np.isnan(observed[o]) else float(observed[o])}
                            for o in outcomes.index],
               "in_units": units.to_dict("records"),
               "factors": [{"factor": f, "role": roles[f],
                            "delta_sd": None if np.isnan(result.deltas[f])
                            else float(result.deltas[f])} for f in factors.index]}, "json")
        return 0
    if args.format == "csv":
        _emit(units.assign(observed_sd=units["node"].map(observed)), "csv")
        return 0
    label = model.nodes[f"label_{args.lang}"]
    lines = [f"{args.area}, {prof.year}: outcome differences from the "
             f"{prof.reference_name()} reference predicted by {model.name} "
             f"[{model.metadata.status}] from the area's measured factors{note}", ""]
    table = units.assign(label=units["node"].map(label),
                         observed_sd=units["node"].map(observed).map(
                             lambda v: "n/a" if np.isnan(v) else f"{v:+.2f}"),
                         predicted_sd=units["delta_sd"].map(lambda v: f"{v:+.2f}"),
                         change=units["change"].map(
                             lambda v: "n/a (direction ambiguous)" if np.isnan(v)
                             else f"{v:+.2f}"))
    lines.append(table[["node", "predicted_sd", "observed_sd", "change", "change_unit",
                        "indicator"]].to_string(index=False))
    lines += ["", f"factors measured and clamped: {int(factors.notna().sum())}; "
              f"not measured, predicted: {int(factors.isna().sum())}"]
    missing = [f for f in factors.index if np.isnan(factors[f])]
    if missing:
        lines.append("  predicted: " + ", ".join(missing))
    _emit(units, "table", "\n".join(lines))
    return 0


def _outcome_priorities(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        out[name.strip()] = _number_arg(f"--outcome {item!r}: priority", value) if sep else 1.0
    return out


def _cmd_recommend(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    if not args.area:
        raise InvalidParameterError("recommend needs --area (e.g. --area Oud-Crooswijk)")
    data = _area_data(args.data, args.areas)
    prof = profile(model, data, reference=args.reference, year=args.year, level=args.level,
                   indicators=_catalogue_arg(args, model))
    note = _synthetic_note(prof)
    outcomes = _outcome_priorities(args.outcome)
    rec = recommend(model, prof, outcomes, area=args.area, top=args.top)
    portfolio = None
    budget = None if args.budget is None else _number_arg("--budget", args.budget, grouping=True)
    if budget is not None:
        population = (None if args.population is None
                      else _number_arg("--population", args.population, grouping=True))
        if population is None:
            population = prof.population_of(args.area)
        catalogue = load_interventions(model, args.interventions)
        portfolio = optimize_portfolio(
            model, prof, catalogue, budget=budget, outcomes=outcomes,
            population=population, area=args.area, one_per_factor=args.one_per_factor,
            required_phases=args.require_phase, required_settings=args.require_setting,
            cap_at_room=args.cap_at_room)
    lang = args.lang
    if args.format == "json":
        doc: dict[str, Any] = {"model": model.name, "status": model.metadata.status,
                               "area": args.area, "year": prof.year,
                               "synthetic_data": bool(note), "outcomes": outcomes,
                               "factors": rec.to_dict("records"),
                               "notes": rec.attrs.get("notes", [])}
        if portfolio is not None:
            doc["portfolio"] = portfolio.to_dict()
        _emit(json_safe(doc), "json")
        return 0
    if args.format == "csv":
        _emit(portfolio.to_frame() if portfolio is not None else
              rec.drop(columns=[c for c in rec.columns if c.startswith("explanation")]), "csv")
        return 0
    wrap = textwrap.TextWrapper(width=92, initial_indent="     ", subsequent_indent="     ")
    title = (f"{args.area}: factoren om op in te zetten voor " if lang == "nl"
             else f"{args.area}: factors to target for ")
    lines = [title + ", ".join(f"{o} (x{p:g})" for o, p in outcomes.items())
             + f" -- {model.name} [{model.metadata.status}]{note}", ""]
    for r in rec.itertuples():
        head = (f"{int(r.rank)}. " if not np.isnan(r.rank) else " - ") + \
            f"{r.factor}: score {r.score:.3f} = room {r.room:.2f} x gain {r.gain:.2f} x " \
            f"evidence {r.evidence:.2f}" if r.status == "recommended" else \
            f" - {r.factor} ({r.status}; gain {r.gain:.2f} per SD)"
        lines.append(head)
        lines += wrap.wrap(getattr(r, f"explanation_{lang}"))
    for n in rec.attrs.get("notes", []):
        lines += ["", *textwrap.wrap(n[lang], width=92)]
    if portfolio is not None:
        lines += ["", f"Portfolio within {portfolio.budget:,.0f}: cost "
                      f"{portfolio.total_cost:,.0f}, expected improvement "
                      f"{portfolio.improvement:.3f} SD (weighted)"]
        chosen = portfolio.chosen.assign(cost=portfolio.chosen["cost"].map(lambda v: f"{v:,.0f}"),
                                         value=portfolio.chosen["value"].map(lambda v: f"{v:.3f}"))
        chosen["effect"] = np.where(portfolio.chosen["effect_is_default"], "default*",
                                    "published")
        lines.append(chosen[["intervention", "units", "cost", "value", "effect", "targets"]]
                     .to_string(index=False))
        if portfolio.chosen["effect_is_default"].any():
            lines.append(f"* no published effect size: the stated conservative default "
                         f"{DEFAULT_EFFECT} SD per target factor (sd {DEFAULT_EFFECT_SD}) is "
                         "used; the recognition level is evidence, not effect")
        if not portfolio.outcome_units.empty:
            lines += ["", "Predicted change of the chosen outcomes:",
                      portfolio.outcome_units[["node", "delta_sd", "change", "change_unit",
                                               "indicator"]]
                      .to_string(index=False, float_format=lambda v: f"{v:+.3f}")]
        lines += ["", "Left out:"] + [f"  {r.intervention}: {r.reason}"
                                      for r in portfolio.left_out.itertuples()]
    _emit(rec, "table", "\n".join(lines))
    return 0


def _propagation_json(result: PropagationResult | FCMResult, frame: pd.DataFrame
                      ) -> dict[str, Any]:
    fcm = isinstance(result, FCMResult)
    doc: dict[str, Any] = {"model": result.model.name, "status": result.model.metadata.status,
                           "method": result.method, "clamp": True if fcm else result.clamp,
                           "alpha": None if fcm else result.alpha,
                           "max_hops": None if fcm else result.max_hops,
                           "units": "FCM activation (scenario minus baseline steady state)"
                           if fcm else "standard deviations (SD)",
                           "nodes": frame}
    if fcm:
        doc["fcm_status"] = result.status.reset_index()
    return json_safe(doc)


def _propagation_text(result: PropagationResult | FCMResult, frame: pd.DataFrame) -> str:
    m = result.model
    fcm = isinstance(result, FCMResult)
    head = (f"{m.name} [{m.metadata.status}] - {result.method} propagation"
            + (". Changes in FCM activation: scenario minus baseline steady state." if fcm
               else f", clamp={result.clamp}, alpha={result.alpha:g}. Changes in SD."))
    shown = frame.assign(delta=frame["delta"].map(lambda v: f"{v:+.4f}"))
    cols = [c for c in ("scenario", "node", "role", "kind", "delta", "label") if c in shown]
    lines = [head, shown[cols].to_string(index=False)]
    if fcm:
        lines += ["", "FCM status:", result.status.to_string()]
    return "\n".join(lines)


def _cmd_effects(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    labels = model.nodes[f"label_{args.lang}"]
    if args.outcome:
        table = decompose_effects(model, alpha=args.alpha, targets=args.outcome)
        table = table.assign(label=table["source"].map(labels))
        text = None
        if args.format == "table":
            text = table.to_string(index=False, float_format=lambda v: f"{v:+.4f}")
        _emit(table, args.format, text)
        return 0
    T = total_effects(model, alpha=args.alpha, targets=list(model.outcomes))
    T = T.loc[list(model.factors)]
    if args.format == "table":
        _emit(T, "table", T.to_string(float_format=lambda v: f"{v:+.3f}"))
    elif args.format == "json":
        _emit({f: {o: float(v) for o, v in row.items()} for f, row in T.iterrows()}, "json")
    else:
        _emit(T.reset_index(), "csv")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
