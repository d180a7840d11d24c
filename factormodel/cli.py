"""The ``factormodel`` command line: a thin layer over the public API.

Every command that prints data takes ``--format table|json|csv|csv-nl|xlsx`` and
``--out FILE`` (required for ``xlsx``): ``csv-nl`` is the CSV that Dutch Excel
opens as it is (``;`` between cells, decimal comma, UTF-8 with BOM in a file);
``xlsx`` is an Excel workbook (``recommend --budget`` writes two sheets: the
ranking and the portfolio). JSON is strictly valid (no NaN) with stable English
keys; ranks are whole numbers (``null`` for unmeasured factors).

Language: Dutch is the default (``--lang nl``); ``--lang en`` for English. In
``profile``, ``propagate --data`` and ``recommend`` the language covers headers,
labels, units, explanations and messages of the table, ``csv-nl`` and ``xlsx``
outputs; ``json`` and ``csv`` keep the stable keys.

Names and numbers in the user's words: nodes and indicators by id or by Dutch or
English label (``--goal "Schoolverzuim:-2pp:3j"``, ``--outcome VSV``); amounts
in Dutch notation (``--budget 250.000`` is 250000; ``1,000`` is refused as
ambiguous).

User errors (unknown model, invalid file, ...) exit with status 2 and one line
on stderr; ``--debug`` shows the traceback instead.

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
import json
import os
import shlex
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict, cast

import numpy as np
import pandas as pd

from factormodel import __version__, vocab
from factormodel.analysis.goals import (
    Goal,
    ResolvedGoal,
    goal_phases,
    required_changes,
    resolve_goal,
)
from factormodel.analysis.indicators import (
    CITY_NAMES,
    REFERENCES,
    Profile,
    area_table,
    as_catalogue,
    coverage,
    indicator_table,
    profile,
    profile_index,
    to_indicator_units,
)
from factormodel.analysis.population import ages_of, young_people
from factormodel.analysis.portfolio import (
    DEFAULT_EFFECT,
    DEFAULT_EFFECT_SD,
    load_interventions,
    optimize_portfolio,
)
from factormodel.analysis.readback import echo_goal, read_goal
from factormodel.analysis.recommend import Recommendation, gap_effects, recommend
from factormodel.analysis.words import Lexicon, parse_number, resolve_node
from factormodel.core.effects import decompose_effects, total_effects
from factormodel.core.fcm import FCMResult
from factormodel.core.model import FactorModel
from factormodel.core.propagate import PropagationResult, propagate
from factormodel.errors import (
    FactorModelError,
    InvalidParameterError,
    ModelValidationError,
    ModelWarning,
)
from factormodel.files.datasets import list_models
from factormodel.files.folders import load_example_data, load_model, read_area_data, read_deltas
from factormodel.tables._json import json_safe
from factormodel.tables._safewrite import guard_frame, write_with
from factormodel.tables._spreadsheet import csv_text
from factormodel.text import messages as M
from factormodel.text import numbers as fmt
from factormodel.text import words as L

FORMATS = ("table", "json", "csv", "csv-nl", "xlsx")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 user error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            return _run(args)
        finally:
            _warn(caught, getattr(args, "lang", "en"))


def _warn(caught: list[warnings.WarningMessage], lang: str) -> None:
    """The library's warnings as notes on stderr in ``lang`` (not Python's
    ``file:line: UserWarning:`` lines); other warnings as Python shows them."""
    seen: set[str] = set()
    for w in caught:
        if not issubclass(w.category, UserWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            continue
        text = str(w.message)
        if text not in seen:
            seen.add(text)
            word = "let op" if lang == "nl" else "warning"
            print(f"factormodel: {word}: {M.warning(w.message, lang)}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    """Run the command; user errors as one message and exit status 2."""
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
    """The error on stderr in the command's --lang (and a JSON object on stdout with
    --format json); exit status 2.

    The library's messages are English; :func:`text.messages.error` renders the common ones in
    Dutch. A problem list of a data file is printed whole (file, line, column, what was
    expected); a model's points to ``factormodel validate``. An exception outside
    FactorModelError is a bug in factormodel: it is said so, with exit status 1.
    """
    lang = getattr(args, "lang", "en")  # show/validate/models speak English throughout
    detail = str(exc) or type(exc).__name__
    said = detail if internal else M.error(exc, lang)
    lines = said.splitlines() or [said]
    if isinstance(exc, ModelValidationError) and _is_model(exc.source):
        # a model has its own full report: one line here
        lines = [lines[0] + (" (run 'factormodel validate' on it for the full report)"
                             if lang != "nl" else " (voer 'factormodel validate' uit op het "
                             "model voor het volledige rapport)")]
    if internal:
        lines = [f"internal error {type(exc).__name__}: {lines[0]} (a bug in factormodel; "
                 "run with --debug for the traceback and please report it)"]
    if getattr(args, "format", None) == "json":
        doc: dict[str, Any] = {"error": type(exc).__name__, "detail": detail,
                               "location": _location(exc)}
        if lang != "en" and said != detail:
            doc["message"] = said
        if isinstance(exc, ModelValidationError):
            doc["problems"] = [{"where": p.where, "message": p.message} for p in exc.problems]
        try:
            print(json.dumps(doc, ensure_ascii=False, indent=2))
            sys.stdout.flush()
        except OSError:
            _silence_stdout()
    word = "fout" if lang == "nl" else "error"
    print(f"factormodel: {word}: " + "\n".join(lines), file=sys.stderr)
    return 1 if internal else 2


def _is_model(source: str) -> bool:
    """Whether a validated source is a model (a folder, a .json file or a bundled name)
    rather than a data file (a CSV or Excel table)."""
    path = Path(str(source))
    return path.is_dir() or path.suffix.lower() == ".json" or str(source) in list_models() \
        or not path.suffix


def _parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command; the sub-parsers must not
    # reset it to False when it was given before the command (hence SUPPRESS).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback on errors")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--format", choices=FORMATS, default="table",
                     help="output format (default: table); csv-nl: ';' and decimal comma for "
                          "Dutch Excel; xlsx: an Excel workbook (needs --out)")
    out.add_argument("--out", metavar="FILE", help="write the output to FILE instead of "
                                                   "printing it")
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
                       help="check a model or an area data file and report every problem (exit 2 "
                            "if invalid)")
    p.add_argument("model", help="bundled model name, model folder or JSON file; or an area "
                                 "data file (.csv, .xlsx)")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (e.g. an implied R² >= 1) as errors: exit 2")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("propagate", parents=[common, out],
                       help="voorspel de verandering van elke knoop uit gegeven verschillen "
                            "(met --data: de resultaten van een wijk) / predict the change of "
                            "every node",
                       description="Voorspel resultaten uit verschillen in factoren. / "
                                   "Predict outcomes from differences in factors.")
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
    p.set_defaults(func=_cmd_propagate)

    p = sub.add_parser("profile", parents=[common, out],
                       help="profiel van een wijk: verschillen per factor (SD) uit de "
                            "indicatoren / an area's deltas per node from its indicators",
                       description="Profiel van een wijk ten opzichte van de stad. / "
                                   "An area's profile against the city.")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    _data_argument(p)
    _area_options(p)
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
                       help="op welke factoren inzetten in een wijk, en (met --budget) welke "
                            "interventies in het budget passen / which factors to target",
                       description="Aanbeveling: factoren en (met --budget) interventies. / "
                                   "Recommendation: factors and (with --budget) interventions.")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    _data_argument(p)
    _area_options(p)
    p.add_argument("--goal", action="append", default=[],
                   metavar="TARGET[:CHANGE][:YEARS][:GROUP][=PRIORITY]",
                   help="a maatschappelijk resultaat: any node or indicator (id or label), "
                        "e.g. 'schoolverzuim:-2pp:3j', 'lid_sportvereniging:+5%%:3j:10-18', "
                        "'vsv=2' (repeatable)")
    p.add_argument("--outcome", action="append", default=[], metavar="ID[=PRIORITY]",
                   help="a goal without a size, optionally with a priority (repeatable; "
                        "same as --goal ID=PRIORITY)")
    p.add_argument("--top", type=int, default=5, help="how many factors to rank")
    p.add_argument("--budget", help="optimise an intervention portfolio within this many euros "
                                    "(Dutch notation: 250.000 or 250000)")
    p.add_argument("--interventions", metavar="FILE.csv",
                   help="intervention catalogue (default: the model's bundled one)")
    p.add_argument("--population", "--jongeren", dest="population", metavar="AANTAL",
                   help="aantal jongeren in de wijk waarvoor het pakket is (standaard: kolom "
                        "'jongeren' in de data; een kolom 'inwoners' telt iedereen en wordt "
                        "niet gebruikt) / young people in the area")
    p.add_argument("--population-is-young", "--inwoners-zijn-jongeren", action="store_true",
                   help="de bevolkingskolom van de data (bijv. 'inwoners') telt de jongeren / "
                        "the data's population column counts the young people")
    p.add_argument("--one-per-factor", action=argparse.BooleanOptionalAction, default=True,
                   help="at most one intervention per target factor (default, as in the "
                        "wijkrapport and the web page; --no-one-per-factor allows several)")
    p.add_argument("--require-phase", action="append", default=[], metavar="PHASE",
                   help="a life phase the portfolio must serve (repeatable)")
    p.add_argument("--require-setting", action="append", default=[], metavar="SETTING",
                   help="a setting the portfolio must serve (repeatable)")
    p.add_argument("--cap-at-room", action="store_true",
                   help="never improve a factor beyond the area's room to improve")
    p.set_defaults(func=_cmd_recommend)

    p = sub.add_parser("wijkanalyse", parents=[common],
                       help="schrijf het wijkrapport (HTML of PDF) voor een wijk en haar "
                            "doelen / write the wijkrapport for an area and its goals",
                       description="Het wijkrapport: één HTML-bestand (of PDF). / "
                                   "The wijkrapport: one HTML file (or PDF).")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    _data_argument(p)
    _area_options(p)
    p.add_argument("--goal", action="append", required=True,
                   metavar="TARGET[:CHANGE][:YEARS][:GROUP][=PRIORITY]",
                   help="a maatschappelijk resultaat: any node or indicator (id or label), "
                        "e.g. 'schoolverzuim:-2pp:3j' or 'vsv=2' (repeatable)")
    p.add_argument("--budget", help="compute an intervention portfolio within it (euros; "
                   "250000, 250.000 and 250.000,50 are read as Dutch amounts)")
    p.add_argument("--population", "--jongeren", dest="population", metavar="AANTAL",
                   help="aantal jongeren in de wijk waarvoor het pakket is (standaard: kolom "
                        "'jongeren' in de data; een kolom 'inwoners' telt iedereen en wordt "
                        "niet gebruikt) / young people in the area")
    p.add_argument("--population-is-young", "--inwoners-zijn-jongeren", action="store_true",
                   help="de bevolkingskolom van de data (bijv. 'inwoners') telt de jongeren / "
                        "the data's population column counts the young people")
    p.add_argument("--draws", type=int, help="Monte Carlo weight draws (default: fm.Options, 1000)")
    p.add_argument("--seed", type=int, help="Monte Carlo seed (default: fm.Options, 0)")
    p.add_argument("--out", required=True, metavar="FILE.html",
                   help="where to write the report (.html, or .pdf with WeasyPrint)")
    p.set_defaults(func=_cmd_wijkanalyse)

    p = sub.add_parser("kolommen", parents=[common],
                       help="stel een kolomkoppeling voor: welke kolom van uw bestand welke "
                            "indicator is / propose a column mapping for your file",
                       description="Stelt per kolom de best passende indicatoren voor, met de "
                                   "reden. Met --out schrijft het de koppeling (CSV met ';'), "
                                   "die u nakijkt en meegeeft met --kolommen. / Proposes, per "
                                   "column, the closest indicators with the reason.")
    p.add_argument("data", help="uw databestand (CSV/XLSX) / your data file")
    p.add_argument("--model", default="rotterdam-jeugd",
                   help="model (default: rotterdam-jeugd)")
    p.add_argument("--indicators", metavar="CSV", help="indicator catalogue (default: the "
                   "model's own)")
    p.add_argument("--year", type=int, help="jaar van een bestand zonder jaarkolom / year")
    p.add_argument("--out", metavar="KOLOMMEN.csv",
                   help="schrijf de voorgestelde koppeling naar dit bestand / write the mapping")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.set_defaults(func=_cmd_kolommen)

    p = sub.add_parser("effects", parents=[common, out],
                       help="total effects of the factors on the outcomes")
    p.add_argument("model", help="bundled model name, model folder or JSON file")
    p.add_argument("--outcome", action="append", metavar="ID",
                   help="decompose the effects on this outcome (repeatable)")
    p.add_argument("--alpha", type=float, default=1.0, help="per-hop attenuation")
    p.add_argument("--lang", choices=("nl", "en"), default="nl", help="label language")
    p.set_defaults(func=_cmd_effects)

    _wijkplan_parser(sub, common)
    _serve_parser(sub, common)
    return parser


# --------------------------------------------------------------------------- wijkplan


def _wijkplan_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("wijkplan", parents=[common],
                       help="het wijkplan: maak het, geef partners het sjabloon, evalueer met "
                            "nieuwe cijfers / the wijkplan: make, template, evaluate",
                       description="Wijkprogrammering stap 5 en 6: meten, bespreken, "
                                   "verbeteren. / Steps 5 and 6 of Wijkprogrammering.")
    wsub = p.add_subparsers(dest="wijkplan_command", metavar="STAP")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    m = wsub.add_parser("maak", parents=[common],
                        help="maak een wijkplan uit de wijkanalyse en het pakket / make a plan")
    m.add_argument("model", help="bundled model name, model folder or JSON file")
    _data_argument(m)
    _area_options(m)
    m.add_argument("--goal", action="append", required=True,
                   metavar="TARGET[:CHANGE][:YEARS][:GROUP]",
                   help="een maatschappelijk resultaat, bijv. 'schoolverzuim:-2pp:3j:12-18' "
                        "(herhaalbaar) / a goal")
    m.add_argument("--budget", required=True, help="budget van het pakket (euro's)")
    m.add_argument("--population", "--jongeren", dest="population", metavar="AANTAL",
                   help="aantal jongeren in de wijk (standaard: uit de data)")
    m.add_argument("--partner", action="append", default=[], metavar="INTERVENTIE=PARTNER",
                   help="wie de interventie uitvoert (herhaalbaar) / who carries it out")
    m.add_argument("--afronding", action="append", default=[], metavar="INTERVENTIE=AANDEEL",
                   help="afgesproken deel dat afrondt, bijv. swpbs=0,8 of swpbs=80%% / agreed "
                        "completion rate")
    m.add_argument("--auteur", default="", help="wie het plan maakte / author")
    m.add_argument("--draws", type=int, help="Monte Carlo weight draws (default: fm.Options, 1000)")
    m.add_argument("--seed", type=int, help="Monte Carlo seed (default: fm.Options, 0)")
    m.add_argument("--out", required=True, metavar="PLAN.json", help="waar het plan komt")
    m.set_defaults(func=_cmd_wijkplan_maak)

    t = wsub.add_parser("sjabloon", parents=[common],
                        help="schrijf de voortgangstabel die partners invullen / write the "
                             "progress template")
    t.add_argument("plan", help="het wijkplan (JSON)")
    t.add_argument("--periode", action="append", metavar="PERIODE",
                   help="een periode (2022, 2022-H1, 2022-Q3; herhaalbaar; standaard: elk jaar "
                        "tot de horizon)")
    t.add_argument("--out", required=True, metavar="VOORTGANG.xlsx",
                   help="het sjabloon (.xlsx, of .csv met ';')")
    t.set_defaults(func=_cmd_wijkplan_sjabloon)

    e = wsub.add_parser("evalueer", parents=[common],
                        help="evalueer het plan met nieuwe cijfers en de voortgang / evaluate")
    e.add_argument("plan", help="het wijkplan (JSON)")
    _data_argument(e)
    e.add_argument("--voortgang", metavar="VOORTGANG.xlsx",
                   help="de ingevulde voortgangstabel van de partners")
    e.add_argument("--year", type=int, help="jaar van de nieuwe cijfers (standaard: het "
                                            "laatste)")
    e.add_argument("--areas", metavar="REGISTRY", help="area registry (e.g. rotterdam)")
    e.add_argument("--basisdata", metavar="BESTAND",
                   help="de cijfers waarmee het plan is gemaakt: gecontroleerd op de hash")
    e.add_argument("--out", metavar="RAPPORT.html",
                   help="schrijf de voortgangsrapportage (.html, of .pdf met WeasyPrint)")
    e.add_argument("--format", choices=("table", "json"), default="table")
    e.add_argument("--lang", choices=("nl", "en"), default="nl")
    e.set_defaults(func=_cmd_wijkplan_evalueer)


def _pairs(items: list[str], option: str, share: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidParameterError(f"{option} {item!r}: expected INTERVENTIE=WAARDE")
        if share:
            text = value.strip()
            percent = text.endswith("%")
            number = parse_number(text.rstrip("%").strip(), what=option, grouping=False)
            number = number / 100 if percent else number
            if not 0 <= number <= 1:
                raise InvalidParameterError(f"{option} {item!r}: a share between 0 and 1 "
                                            "(or 0-100%) was expected")
            out[key.strip()] = number
        else:
            out[key.strip()] = value.strip()
    return out


def _cmd_wijkplan_maak(args: argparse.Namespace) -> int:
    from factormodel.workflow.wijkanalyse import DEFAULT_OPTIONS, analyse
    from factormodel.workflow.wijkplan import plan_from_portfolio, plan_path

    plan_path(args.out)  # before the analysis: a plan is JSON
    if not args.area:
        raise InvalidParameterError("wijkplan maak needs --area (e.g. --area Oud-Crooswijk)",
                                    code="needs_area",
                                    fields={"cmd": "wijkplan maak", "example": "Oud-Crooswijk"})
    model = load_model(args.model)
    data = _area_data(args.data, args.areas, args.year, getattr(args, "columns", None))
    args.area = _area_name(data["area"], args.area)
    budget = _number_arg("--budget", args.budget, grouping=True)
    population = None if args.population is None else \
        _number_arg("--population", args.population, grouping=True)
    options = DEFAULT_OPTIONS.with_(year=args.year, reference=args.reference,
                                    level=args.level, **_draw_options(args))
    analysis = analyse(model, data, args.area, [read_goal(g) for g in args.goal],
                       budget=budget, population=population, options=options,
                       indicators=None if args.indicators is None else
                       as_catalogue(model, args.indicators),
                       profile_options={"reference_values": args.reference_values,
                                        "city": args.city or CITY_NAMES,
                                        "columns": args.columns})
    source = data if args.data.startswith("example") else args.data
    plan = plan_from_portfolio(analysis, partners=_pairs(args.partner, "--partner"),
                               completion=_pairs(args.afronding, "--afronding", share=True),
                               data=source, author=args.auteur)
    path = plan.write(args.out)
    print(_plan_text(plan, path, args.lang))
    return 0


def _change(x: float, lang: str) -> str:
    """A signed change: two decimals, three for a small one (never ``-0,00``)."""
    return fmt.number(x, 3 if abs(x) < 0.05 else 2, lang, sign=True)


def _plan_text(plan: Any, path: Any, lang: str) -> str:
    from factormodel.core.units import unit_name

    nl = lang == "nl"
    syn = (" (SYNTHETISCHE voorbeelddata)" if nl else " (SYNTHETIC example data)") \
        if plan.synthetic else ""
    lines = [f"Wijkplan voor {plan.area} (cijfers {plan.data_year}){syn} geschreven naar "
             f"{path}." if nl else f"Wijkplan for {plan.area} ({plan.data_year} figures){syn} "
             f"written to {path}.", "", "Doelen:" if nl else "Goals:"]
    for g in plan.goals:
        level = lambda x: fmt.number(x, 2, lang)  # noqa: E731
        target = (f"streefwaarde {level(g.target)} {g.unit} in {g.horizon}" if nl else
                  f"target {level(g.target)} {g.unit} by {g.horizon}") \
            if not np.isnan(g.target) else ("geen streefwaarde" if nl else "no target")
        group = f", {g.group} jaar" if g.group and nl else f", ages {g.group}" if g.group else ""
        lines.append(f"- {g.label_nl or g.id}: {level(g.baseline)} {g.unit} nu, {target}{group}"
                     if nl else f"- {g.id}: {level(g.baseline)} {g.unit} now, {target}{group}")
    lines += ["", "Interventies:" if nl else "Interventions:"]
    for iv in plan.interventions:
        units = fmt.count(iv.units, lang)
        word = ("eenheid" if iv.units == 1 else "eenheden") if nl else \
            ("unit" if iv.units == 1 else "units")
        lines.append(f"- {iv.name} ({iv.partner}): {units} {word}, "
                     f"{fmt.count(iv.participants, lang)} "
                     f"{'deelnemers' if nl else 'participants'}")
        for e in iv.effects:
            g = plan.goal(e.goal)
            u = unit_name(g.unit, lang)
            ends = (f"{_change(e.low, lang)} {'tot' if nl else 'to'} "
                    f"{_change(e.high, lang)}")
            lines.append(f"    verwacht effect op {e.goal} in {g.horizon}: "
                         f"{_change(e.expected, lang)} {u} ({ends})" if nl else
                         f"    expected effect on {e.goal} by {g.horizon}: "
                         f"{_change(e.expected, lang)} {u} ({ends})")
    lines += ["", "Verwachte effecten op wijkniveau, geen effecten voor individuele kinderen."
              if nl else "Expected effects at area level, not effects for individual children.",
              (f"Volgende stap: factormodel wijkplan sjabloon {path} --out voortgang.xlsx"
               if nl else f"Next: factormodel wijkplan sjabloon {path} --out voortgang.xlsx")]
    return "\n".join(lines)


def _cmd_wijkplan_sjabloon(args: argparse.Namespace) -> int:
    from factormodel.tables._spreadsheet import table_bytes
    from factormodel.workflow.progress import DROPOUT_REASONS, progress_template
    from factormodel.workflow.wijkplan import Wijkplan

    plan = Wijkplan.read(args.plan)
    frame = progress_template(plan, args.periode)
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidParameterError(f"--out {args.out!r}: write the template as .xlsx or .csv")
    data = table_bytes(frame, "xlsx" if suffix == ".xlsx" else "csv-nl", sheet="voortgang")
    write_with(args.out, lambda tmp: Path(tmp).write_bytes(data))
    reasons = ", ".join(f"{k} ({v[0]})" for k, v in DROPOUT_REASONS.items())
    print(f"Sjabloon voor {len(plan.interventions)} interventie(s) en "
          f"{len(frame) // max(1, len(plan.interventions))} periode(s) geschreven naar "
          f"{args.out}.\nRedenen van uitval (kolom reden_uitval; meerdere als "
          f"'verhuisd:2; onbekend:1'): {reasons}.")
    return 0


def _cmd_wijkplan_evalueer(args: argparse.Namespace) -> int:
    from factormodel.render.voortgang import progress_report
    from factormodel.workflow.evaluation import evaluate_plan
    from factormodel.workflow.wijkplan import Wijkplan

    plan = Wijkplan.read(args.plan)
    data = _area_data(args.data, args.areas, args.year, getattr(args, "columns", None))
    base = None
    if args.basisdata:
        base = load_example_data("rotterdam") if args.basisdata.startswith("example") \
            else args.basisdata
    ev = evaluate_plan(plan, data, args.voortgang, year=args.year, baseline_data=base)
    if args.out:
        progress_report(ev, args.out)
    if args.format == "json":
        print(json.dumps(ev.to_dict(), ensure_ascii=False, indent=2))
        return 0
    nl = args.lang == "nl"
    from factormodel.core.units import unit_name

    lang = args.lang
    lines = [ev.summary(lang), ""]
    for r in ev.goals.itertuples():
        # the goal rows of evaluate_plan: the unit is the goal's str, the changes floats
        unit = cast(str, r.unit)
        level, change, expected = cast(float, r.now), cast(float, r.did), cast(float, r.expected)
        now = (("niet te meten" if nl else "not measurable") if np.isnan(level)
               else f"{fmt.number(level, 2, lang)} {unit}")
        u = unit_name(unit, lang)
        did = "n.v.t." if np.isnan(change) else f"{_change(change, lang)} {u}"
        lines.append(f"- {r.label_nl or r.goal!s}: {fmt.number(r.baseline, 2, lang)} {unit} → "
                     f"{now} (verschil met andere wijken {did}; verwacht nu "
                     f"{_change(expected, lang)} {u}): {r.verdict} — {r.reason}" if nl else
                     f"- {r.goal}: {fmt.number(r.baseline, 2, lang)} {unit} → {now} (against "
                     f"other areas {did}; expected by now {_change(expected, lang)} {u}): "
                     f"{r.verdict_en}")
    if ev.discuss:
        lines += ["", "Te bespreken:" if nl else "To discuss:"]
        lines += [f"- {d['nl' if nl else 'en']}" for d in ev.discuss]
    lines += ["", "Uitkomsten op wijkniveau, geen effecten voor individuele kinderen." if nl
              else "Area-level results, not effects for individual children."]
    if args.out:
        lines.append(f"Voortgangsrapportage geschreven naar {args.out}." if nl else
                      f"Progress report written to {args.out}.")
    print("\n".join(lines))
    return 0


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
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (default: 1); each renders one wijkrapport at a "
                        "time, so more workers render more at once on more cores")
    p.add_argument("--reports-waiting", type=int, default=1, metavar="N",
                   help="wijkrapporten that may wait per worker while one is rendered "
                        "(default: 1); beyond them a report request gets 503 with "
                        "Retry-After at once")
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
    from factormodel.serve import run

    token = args.token if args.token is not None else os.environ.get("FACTORMODEL_TOKEN")
    if args.host not in ("127.0.0.1", "localhost", "::1") and not token:
        print(f"factormodel: warning: serving on {args.host} without a token; anyone who can "
              "reach this address can use the service", file=sys.stderr)
    run(args.host, args.port, workers=args.workers, models_dir=args.models,
        data_dir=args.data, token=token or None,
        max_upload_bytes=int(args.max_upload_mb * 1_000_000), max_rows=args.max_rows,
        cors_origins=tuple(args.cors_origin), reports_waiting=args.reports_waiting)
    return 0


# --------------------------------------------------------------------------- output


def _data_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="databestand van de wijk (CSV/XLSX), of 'example' voor de "
                   "SYNTHETISCHE voorbeelddata / area data file, or 'example'")


def _area_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--area", help="naam van de wijk, bijv. Oud-Crooswijk (hoofdletters en accenten "
                                  "doen er niet toe) / area name")
    p.add_argument("--year", type=int, help="jaar (standaard: het laatste in de data) / year")
    p.add_argument("--reference", choices=REFERENCES, default="city",
                   help="what a delta is measured against (default: city -- the data's city "
                        "row 'Rotterdam'/'stad'/'GM0599' if there is one, else the mean of "
                        "the areas; typical: the catalogue's typical levels, an assumption)")
    p.add_argument("--reference-values", metavar="BESTAND.csv",
                   help="de cijfers van de stad per indicator (kolommen indicator;waarde) als "
                        "referentie / the city's figures per indicator")
    p.add_argument("--city", action="append", metavar="NAME",
                   help="een gebiedsnaam die in uw data de hele stad is (herhaalbaar; "
                        "standaard: Rotterdam, stad, gemeente Rotterdam, GM0599) / a name "
                        "meaning the whole city")
    p.add_argument("--level", help="area level, e.g. wijk or gebied (default: the finest)")
    p.add_argument("--areas", metavar="REGISTRY",
                   help="resolve area names/codes with this registry (e.g. rotterdam)")
    p.add_argument("--lang", choices=("nl", "en"), default="nl",
                   help="taal van koppen, omschrijvingen, tekst en foutmeldingen (standaard: "
                        "nl) / language of output and error messages")
    p.add_argument("--indicators", metavar="CSV", help="indicator catalogue for the data "
                   "(default: the model's own; for example:cbs_kwb2017 its shipped one)")
    p.add_argument("--kolommen", "--columns", dest="columns", metavar="KOLOMMEN.csv",
                   help="uw kolomkoppeling: welke kolom welke indicator is, en hoe (maak er "
                        "een met 'factormodel kolommen') / your column mapping")


def _area_data(arg: str, registry: str | None, year: int | None = None,
               columns: str | None = None) -> pd.DataFrame:
    """The area data of ``arg``; a column her mapping (``columns``) calls ``jongeren`` is
    read as the population (with its thousands separators)."""
    from factormodel.analysis.columns import YOUNG, young_columns

    if arg in ("example", "example:rotterdam"):
        return load_example_data("rotterdam")
    if arg == "example:cbs_kwb2017":  # REAL CBS data (context factors only)
        return load_example_data("cbs_kwb2017")
    young = young_columns(columns) if columns else []
    return read_area_data(arg, areas=registry, year=year,
                          columns=dict.fromkeys(young, YOUNG) or None)


def _profile(model: FactorModel, args: argparse.Namespace) -> Profile:
    data = _area_data(args.data, args.areas, args.year, getattr(args, "columns", None))
    # without --indicators, profile picks the catalogue the data name and says so
    return profile(model, data, reference=args.reference, year=args.year, level=args.level,
                   reference_values=args.reference_values,
                   indicators=args.indicators or None, city=args.city or CITY_NAMES,
                   columns=args.columns)


def _area_name(areas: Any, name: str | None) -> str | None:
    """The area in ``areas`` that ``name`` means, matched as node names are (case, accents,
    ``-``/``_`` ignored: ``bloemhof`` is ``Bloemhof``); ``name`` itself when none or more
    than one fit (the profile then says which areas there are)."""
    if not name:
        return name
    try:
        return Lexicon("area", {str(a): () for a in pd.unique(pd.Series(list(areas)))}
                       ).resolve(name)
    except FactorModelError:
        return name


def _synthetic_note(prof: Profile, lang: str = "en") -> str:
    if prof.synthetic:
        return L.phrase("synthetic", lang)
    if prof.status == "real":
        return L.phrase("real", lang, source=f" ({prof.credit(lang)})" if prof.source else "")
    return ""


def _write(args: argparse.Namespace, text: str, *, bom: bool = False) -> None:
    """Print ``text``, or write it to ``--out``."""
    out = getattr(args, "out", None)
    if out:  # atomic: a failed write leaves an existing file as it was
        data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
        write_with(out, lambda tmp: Path(tmp).write_bytes(b"\xef\xbb\xbf" + data if bom
                                                          else data))
    else:
        print(text, end="" if text.endswith("\n") else "\n")


def _csv(frame: pd.DataFrame, dutch: bool) -> str:
    return csv_text(frame, dutch)  # the one CSV writer, shared with the web page


def _emit(args: argparse.Namespace, data: Any, table: str | None = None, *,
          sheets: dict[str, pd.DataFrame] | None = None, lang: str | None = None,
          model: FactorModel | None = None) -> None:
    """Output ``data`` (a DataFrame or JSON-ready object) in ``--format``.

    ``sheets``: several tables (xlsx: one sheet each; csv: stacked with a
    ``table`` column). ``lang``: translate headers and word cells for people
    (table text is the caller's; ``csv-nl`` and ``xlsx``); JSON and ``csv``
    keep the stable keys. ``model``: its labels name the factors of translated cells.
    """
    fmt = args.format
    if fmt == "json":
        _write(args, json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False))
        return
    if fmt == "table":
        if table is None:
            frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
            table = frame.to_string(index=False) if len(frame) else "(nothing)"
        _write(args, table)
        return
    if sheets is None:
        sheets = {"data": data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)}
    human = lang if fmt in ("csv-nl", "xlsx") else None  # the language people read
    if human is not None:
        labels = None if model is None else \
            cast(dict[str, str], model.nodes[f"label_{human}"].astype(str).to_dict())
        sheets = {L.header(k, human): L.translate_frame(v, human, labels)
                  for k, v in sheets.items()}
    # no formula injection into a spreadsheet that opens the output
    sheets = {k: guard_frame(v) for k, v in sheets.items()}
    if fmt == "xlsx":
        if not getattr(args, "out", None):
            raise InvalidParameterError("--format xlsx needs --out FILE.xlsx",
                                        code="xlsx_needs_out")

        def workbook(tmp: str) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                for name, frame in sheets.items():
                    frame.to_excel(xl, sheet_name=str(name)[:31], index=False)

        write_with(args.out, workbook)
        return
    if len(sheets) == 1:
        frame = next(iter(sheets.values()))
    else:
        key = L.header("table", human) if human is not None else "table"
        frame = pd.concat([f.assign(**{key: name})[[key, *f.columns]]
                           for name, f in sheets.items()], ignore_index=True)
    _write(args, _csv(frame, fmt == "csv-nl"), bom=fmt == "csv-nl")


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
    _emit(args, frame, table)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    summary = model.summary()
    if args.format == "json":
        _emit(args, summary)
    elif args.format == "table":
        _emit(args, summary, _summary_text(model, summary))
    else:
        _emit(args, _summary_rows(summary))
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


_DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def _validate_data_file(args: argparse.Namespace) -> int:
    """``validate FILE.csv``: read area data and report every problem of the file (the
    indicator names are checked against a model by ``profile MODEL FILE``)."""
    data = read_area_data(args.model)  # raises with every problem (file, line, column)
    summary: dict[str, Any] = {
        "valid": True, "source": str(args.model), "kind": "area data", "rows": len(data),
        "areas": sorted(map(str, data["area"].unique())),
        "years": sorted(int(y) for y in data["year"].unique()),
        "indicators": int(data["indicator"].nunique())}
    if args.format == "json":
        _emit(args, summary)
    elif args.format != "table":
        _emit(args, pd.DataFrame([{k: ", ".join(map(str, v)) if isinstance(v, list) else v
                                   for k, v in summary.items()}]))
    else:
        _emit(args, summary, f"OK: {args.model}: area data, {len(data)} values; areas: "
              f"{', '.join(summary['areas'][:10])}{' ...' if len(summary['areas']) > 10 else ''}"
              f"; years: {', '.join(map(str, summary['years']))}; {summary['indicators']} "
              "indicators (their names are checked against a model by 'factormodel profile "
              "MODEL FILE')")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    if Path(args.model).is_file() and Path(args.model).suffix.lower() in _DATA_SUFFIXES:
        return _validate_data_file(args)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)  # reported below from model.warnings
            model = load_model(args.model)
    except ModelValidationError as exc:
        rows = [{"severity": "error", "where": p.where, "message": p.message}
                for p in exc.problems]
        if args.format == "table":
            _emit(args, rows, str(exc))
        else:
            _emit(args, {"valid": False, "source": exc.source, "model": None, "summary": None,
                         "problems": rows}
                  if args.format == "json" else pd.DataFrame(rows))
        n = len(exc.problems)
        print(f"factormodel: error: {exc.source} is not valid ({n} problem"
              f"{'s' if n != 1 else ''})", file=sys.stderr)
        return 2
    rows = [{"severity": "warning", "where": p.where, "message": p.message}
            for p in model.warnings]
    if args.format == "json":
        _emit(args, {"valid": True, "source": str(args.model), "model": model.name,
                     "summary": repr(model), "problems": rows})
    elif args.format != "table":
        _emit(args, pd.DataFrame(rows, columns=["severity", "where", "message"]))
    else:
        text = [f"OK: {model!r}"]
        if rows:
            text.append(f"{len(rows)} warning{'s' if len(rows) != 1 else ''}:")
            text += [f"  - {r['where']}: {r['message']}" for r in rows]
        _emit(args, rows, "\n".join(text))
    if rows and args.strict:
        print(f"factormodel: error: {model.name} has {len(rows)} warning"
              f"{'s' if len(rows) != 1 else ''} and --strict was given", file=sys.stderr)
        return 2
    return 0


def _parse_delta_args(model: FactorModel, items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        node, sep, value = item.partition("=")
        if not sep or not node.strip():
            raise InvalidParameterError(f"--delta {item!r}: expected ID=VALUE, e.g. "
                                        "--delta schoolverzuim=-0.5", code="delta_syntax",
                                        fields={"item": item})
        try:
            x = parse_number(value.strip(), what=f"--delta {item!r}:", grouping=False)
        except InvalidParameterError:
            raise InvalidParameterError(f"--delta {item!r}: {value!r} is not a number",
                                        code="delta_not_a_number",
                                        fields={"item": item, "value": value}) from None
        out[resolve_node(model, node.strip(), where="--delta")] = x
    return out


def _reference_lines(prof: Profile, lang: str) -> list[str]:
    lines = [L.phrase("reference_source", lang, source=L.source(prof.reference_source, lang))] \
        if prof.reference_source else []
    return lines + [L.phrase("assumption", lang, text=L.source(a, lang))
                    for a in prof.assumptions]


def _cmd_profile(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    prof = _profile(model, args)
    args.area = _area_name(prof.deltas.index, args.area)
    lang = args.lang
    note = _synthetic_note(prof, lang)
    nodes = model.nodes
    label = nodes[f"label_{lang}"]
    if args.area:
        row = prof.row(args.area)
        index = profile_index(model, prof).loc[args.area]
        table = pd.DataFrame({"node": row.index, "kind": nodes["kind"].to_numpy(),
                              "delta_sd": row.to_numpy(), "index": index.to_numpy(),
                              "measured": row.notna().to_numpy(),
                              "label": label.to_numpy()})
        text = None
        if args.format == "table":
            shown = table[table["measured"]].assign(
                delta_sd=lambda t: t["delta_sd"].map(lambda v: fmt.number(v, 2, lang, sign=True)),
                index=lambda t: t["index"].map(lambda v: f"{v:.0f}"))
            cov = coverage(model, prof).loc[args.area]
            unmeasured = [label[n] for n in cov["unmeasured_factors"].split(", ") if n]
            text = "\n".join([
                L.phrase("profile_head", lang, area=args.area, year=prof.year,
                         ref=prof.reference_name(lang), note=note),
                *_reference_lines(prof, lang),
                *_her_figures(model, prof, args.area, lang),
                L.phrase("per_factor", lang),
                L.translate_frame(shown.drop(columns="measured"), lang).to_string(index=False),
                "",
                L.phrase("measured", lang, f=cov["factors_measured"], ft=cov["factors_total"],
                         o=cov["outcomes_measured"], ot=cov["outcomes_total"]),
                L.phrase("not_measured", lang, names="; ".join(unmeasured) or "-")])
        _emit(args, table, text, lang=lang)
        return 0
    cov = coverage(model, prof)
    long = prof.deltas.rename_axis(index="area", columns="node").reset_index().melt(
        id_vars="area", var_name="node", value_name="delta_sd").dropna()
    text = None
    if args.format == "table":
        worst = (prof.deltas * model.desired_sign).apply(
            lambda r: ", ".join(r.dropna().sort_values().index[:3]), axis=1)
        summary = cov[["factors_measured", "outcomes_measured"]].assign(
            furthest_on_wrong_side=worst)
        if lang == "nl":
            summary.columns = ["factoren gemeten", "resultaten gemeten",
                               "verst aan de verkeerde kant"]
        text = "\n".join([L.phrase("profile_all", lang, year=prof.year, level=prof.level,
                                   ref=prof.reference_name(lang), note=note),
                          *_reference_lines(prof, lang), summary.to_string()])
    _emit(args, long, text, lang=lang)
    return 0


def _her_figures(model: FactorModel, prof: Profile, area: str, lang: str) -> list[str]:
    """Her figures first: each measured indicator as value against the reference, the
    difference in its own unit and better/worse in words (:func:`indicator_table`)."""
    t = indicator_table(model, prof, area)
    if t.empty:
        return []
    lines = [L.phrase("her_figures", lang, area=area, ref=prof.reference_name(lang))]
    for r in t.itertuples():
        pct = r.unit == "%"
        unit = "%" if pct else f" {r.unit}"
        diff_unit = (" procentpunt" if lang == "nl" else " pp") if pct else f" {r.unit}"
        verdict = L.phrase(f"verdict_{r.verdict!s}", lang) if r.verdict else "–"
        lines.append(f"  {getattr(r, f'label_{lang}')}: {fmt.number(r.value, 1, lang)}{unit} "
                     f"{'tegen' if lang == 'nl' else 'against'} "
                     f"{fmt.number(r.reference, 1, lang)}{unit} "
                     f"({fmt.number(r.difference, 1, lang, sign=True)}{diff_unit}, {verdict}; "
                     f"{fmt.number(r.sd_children, 2, lang, sign=True)} SD "
                     f"{'tussen kinderen' if lang == 'nl' else 'between children'})")
    return [*lines, ""]


def _cmd_validate_data(args: argparse.Namespace) -> int:
    from factormodel.estimation.validation import CAVEAT, validate

    model = load_model(args.model)
    data = _area_data(args.data, args.areas, args.year, getattr(args, "columns", None))
    folds: Any = args.folds.lower()
    if folds not in ("loo", "parent"):
        folds = _whole_number(args.folds, "--folds")
    indicators = args.indicators or None  # else validate picks the one the data name
    result = validate(model, data, outcomes=args.outcome, level=args.level, folds=folds,
                      seed=args.seed, indicators=indicators, year=args.year,
                      areas=args.areas or "rotterdam",
                      calibrate=args.calibrate)
    if args.format == "json":
        _emit(args, result.to_dict())
        return 0
    frame = result.to_frame()
    if args.format != "table":
        _emit(args, frame)
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
    _emit(args, frame, "\n".join(parts))
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
        raise InvalidParameterError("--area goes with --data", code="area_goes_with_data")
    deltas: Any = read_deltas(args.deltas) if args.deltas else _parse_delta_args(model,
                                                                                  args.delta)
    options: dict[str, Any] = {"method": args.method}
    if args.method == "linear":
        options.update(clamp=not args.no_clamp, alpha=args.alpha, max_hops=args.max_hops)
    result = propagate(model, deltas, **options)
    frame = result.to_frame()
    if not args.all:
        frame = frame[frame["role"].isin(["clamped", "shocked"]) | (frame["kind"] == "outcome")]
    frame = frame.assign(label=frame["node"].map(model.nodes[f"label_{args.lang}"]))
    if args.format == "json":
        _emit(args, _propagation_json(result, frame))
    elif args.format == "table":
        _emit(args, frame, _propagation_text(result, frame))
    else:
        _emit(args, frame, lang=args.lang)
    return 0


def _propagate_area(model: FactorModel, args: argparse.Namespace) -> int:
    """Clamp an area's measured factors, predict its outcomes, and show them in units."""
    if not args.area:
        raise InvalidParameterError("--data needs --area (e.g. --area Oud-Crooswijk)",
                                    code="needs_area",
                                    fields={"cmd": "--data", "example": "Oud-Crooswijk"})
    lang = args.lang
    prof = _profile(model, args)
    args.area = _area_name(prof.deltas.index, args.area)
    note = _synthetic_note(prof, lang)
    row = prof.row(args.area)
    factors = row[list(model.factors)]
    result = propagate(model, factors, missing="free", clamp=not args.no_clamp,
                       alpha=args.alpha, max_hops=args.max_hops)
    outcomes = result.outcomes
    units = to_indicator_units(model, outcomes.rename(args.area), profile=prof)
    observed = row[list(model.outcomes)]
    roles = pd.Series(np.where(factors.notna(), "measured, clamped",
                               "not measured, predicted"), index=factors.index)
    if args.format == "json":
        _emit(args, {"model": model.name, "status": model.metadata.status, "area": args.area,
                     "year": prof.year, "reference": prof.reference,
                     "reference_source": prof.reference_source,
                     "assumptions": list(prof.assumptions),
                     "synthetic_data": prof.synthetic,
                     "outcomes": [{"outcome": o, "predicted_sd": float(outcomes[o]),
                                   "observed_sd": None if np.isnan(observed[o])
                                   else float(observed[o])} for o in outcomes.index],
                     "in_units": units.to_dict("records"),
                     "factors": [{"factor": f, "role": roles[f],
                                  "delta_sd": None if np.isnan(result.deltas[f])
                                  else float(result.deltas[f])} for f in factors.index]})
        return 0
    label = model.nodes[f"label_{lang}"]
    frame = units.assign(observed_sd=units["node"].map(observed))
    if args.format != "table":
        frame = frame.assign(label=frame["node"].map(label)).drop(
            columns=["label_nl", "label_en"])
        _emit(args, frame, lang=lang)
        return 0
    lines = [L.phrase("propagate_head", lang, area=args.area, year=prof.year,
                      ref=prof.reference_name(lang), model=model.name,
                      status=L.status(model.metadata.status, lang), note=note),
             *_reference_lines(prof, lang), ""]
    table = pd.DataFrame({
        "node": units["node"],
        "predicted_sd": units["delta_sd"].map(lambda v: fmt.number(v, 2, lang, sign=True)),
        "observed_sd": units["node"].map(observed).map(lambda v: fmt.number(v, 2, lang, sign=True)),
        "change": units["change"].map(lambda v: fmt.number(v, 2, lang, sign=True)
                                      if not np.isnan(v) else L.phrase("ambiguous", lang)),
        "change_unit": units["change_unit"], "indicator": units["indicator"],
        "label": units["node"].map(label)})
    lines.append(L.translate_frame(table, lang).to_string(index=False))
    lines += ["", L.phrase("propagate_counts", lang, m=int(factors.notna().sum()),
                           p=int(factors.isna().sum()))]
    missing = [label[f] for f in factors.index if np.isnan(factors[f])]
    if missing:
        lines.append(L.phrase("predicted", lang, names="; ".join(missing)))
    lines += ["", *_meaning(model, units, args.area, prof, lang, shlex.quote(str(args.data)))]
    _emit(args, units, "\n".join(lines))
    return 0


def _meaning(model: FactorModel, units: pd.DataFrame, area: str, prof: Profile,
             lang: str, data: str) -> list[str]:
    """What the prediction means, in words, and the next command to run."""
    known = units[units["change"].notna() & (units["level_source"] == "reference")]
    out = []
    if len(known):
        r = known.loc[known["delta_sd"].abs().idxmax()]
        pct = r["change_unit"] == "percentage points"
        unit = "%" if pct else f" {r['change_unit']}"
        diff = (" procentpunt" if lang == "nl" else " percentage points") if pct \
            else f" {r['change_unit']}"
        out.append(L.phrase(
            "meaning", lang, area=area, label=model.nodes.loc[r["node"], f"label_{lang}"],
            new=fmt.number(r["new_level"], 1, lang) + unit, ref=fmt.number(r["level"], 1, lang)
            + unit, refname=prof.reference_name(lang),
            change=fmt.number(r["change"], 2, lang, sign=True) + diff))
    out.append(L.phrase("meaning_caveat", lang))
    out.append(L.phrase("next_step", lang, model=model.name, area=area, data=data))
    return out


def _own_level(model: FactorModel, args: argparse.Namespace, indicator: str,
               year: int | None) -> float | None:
    """The area's own value of ``indicator`` in the data (for a relative goal), if given."""
    if not indicator:
        return None
    raw = _area_data(args.data, args.areas, year, getattr(args, "columns", None))
    data, _, _ = area_table(model, raw,
                            indicators=as_catalogue(model, args.indicators)
                            if args.indicators else None,
                            columns=getattr(args, "columns", None), year=year)
    mine = data[(data["area"] == args.area) & (data["year"] == year)]
    value = mine.loc[mine["indicator"] == indicator, "value"]
    return float(value.iloc[0]) if len(value) and np.isfinite(value.iloc[0]) else None


def _number_arg(option: str, value: str | None, *, grouping: bool = False) -> float:
    """A number typed on the command line, read by the library's one cell parser
    (``0,5``; for money and counts, ``grouping``, also Dutch ``250.000`` and
    ``250.000,50``)."""
    return parse_number(value if value is not None else "", what=option, grouping=grouping)


def _goals(args: argparse.Namespace) -> list[Goal]:
    """--goal and --outcome as goals (--outcome ID[=PRIORITY] is a goal without a size)."""
    goals = [read_goal(g) for g in args.goal]
    for item in args.outcome:
        name, sep, value = item.partition("=")
        priority = 1.0
        if sep:
            try:
                priority = parse_number(value.strip(), what="priority", grouping=False)
            except InvalidParameterError:
                raise InvalidParameterError(f"--outcome {item!r}: priority {value!r} is not a "
                                            "number", code="outcome_priority",
                                            fields={"item": item, "value": value}) from None
        goals.append(Goal(name.strip(), priority=priority))
    if not goals:
        raise InvalidParameterError("recommend needs at least one --goal (or --outcome), e.g. "
                                    "--goal 'schoolverzuim:-2pp:3j' or --outcome vsv",
                                    code="needs_goal")
    return goals


def _cmd_recommend(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    if not args.area:
        raise InvalidParameterError("recommend needs --area (e.g. --area Oud-Crooswijk)",
                                    code="needs_area",
                                    fields={"cmd": "recommend", "example": "Oud-Crooswijk"})
    goals = _goals(args)
    budget = None if args.budget is None else _number_arg("--budget", args.budget, grouping=True)
    prof = _profile(model, args)
    args.area = _area_name(prof.deltas.index, args.area)
    lang = args.lang
    note = _synthetic_note(prof, lang)
    resolved = [resolve_goal(model, g, levels=prof.area_levels(args.area)) for g in goals]
    # every goal said back in her words and in units (current value in her wijk -> target)
    echoes = [echo_goal(model, r.goal, level=_own_level(model, args, r.indicator, prof.year))
              if r.goal.change is not None else None for r in resolved]
    rec = recommend(model, prof, goals, area=args.area, top=args.top)
    effects = (gap_effects(model, prof, goals, rec, area=args.area)
               if len(rec.ranked) else pd.DataFrame())
    # for goals with a size: the change of its strongest drivers that would reach it
    needed = required_changes(model, goals, levels=prof.area_levels(args.area))
    portfolio = catalogue = None
    if budget is not None:
        young = young_people(prof, args.area, number=None if args.population is None else
                             _number_arg("--population", args.population, grouping=True),
                             ages=ages_of(goals), column_is_young=args.population_is_young)
        catalogue = load_interventions(model, args.interventions)
        portfolio = optimize_portfolio(
            model, prof, catalogue, budget=budget, outcomes=goals,
            population=young.number, area=args.area, one_per_factor=args.one_per_factor,
            phases=goal_phases(goals),
            required_phases=args.require_phase, required_settings=args.require_setting,
            cap_at_room=args.cap_at_room)
    if args.format == "json":
        doc: dict[str, Any] = {
            "model": model.name, "status": model.metadata.status, "area": args.area,
            "year": prof.year, "reference": prof.reference,
            "reference_source": prof.reference_source, "assumptions": list(prof.assumptions),
            "synthetic_data": prof.synthetic,
            "goals": [{"target": r.goal.target, "node": r.node, "indicator": r.indicator,
                       "change": r.goal.change, "unit": r.goal.unit,
                       "change_sd": r.change_sd, "years": r.goal.years,
                       "group": r.goal.group, "priority": r.goal.priority,
                       "echo": e.to_dict() if e is not None else None}
                      for r, e in zip(resolved, echoes, strict=True)],
            "factors": rec.table.to_dict("records"), "effects": effects,
            "required_change": [n.to_dict() for n in needed],
            "portfolio": portfolio.to_dict() if portfolio is not None else None,
            "young_people": young.to_dict() if portfolio is not None else None,
            "notes": rec.notes}
        _emit(args, doc)
        return 0
    if args.format != "table":
        sheets = {"ranking": rec.table.drop(columns=[c for c in rec.columns
                                                     if c.startswith("explanation_")
                                                     and c != f"explanation_{lang}"])}
        if len(effects) and args.format == "xlsx":  # CSV: one table of rows per kind
            sheets["effects"] = effects
        if portfolio is not None:
            sheets["portfolio"] = portfolio.to_frame()
        _emit(args, rec.table, sheets=sheets, lang=lang, model=model)
        return 0
    text = _recommend_text(model, args, rec, effects, needed, portfolio, catalogue, prof, note,
                           resolved)
    said = [e.text(lang) for e in echoes if e is not None]
    if said:  # under the heading line, before the ranking
        head, _, rest = text.partition("\n")
        text = "\n".join([head, L.phrase("goals_read", lang), *(f"  {s}" for s in said),
                          rest])
    if portfolio is not None:  # the number of young people used, and where it came from
        text = text.replace(_PORTFOLIO_MARK, L.phrase("young_people", lang,
                                                      who=young.describe(lang)), 1)
    _emit(args, rec.table, text)
    return 0


class _DrawOptions(TypedDict, total=False):
    n_draws: int
    seed: int


def _draw_options(args: argparse.Namespace) -> _DrawOptions:
    """The Monte Carlo options given at the command line; the rest come from
    :class:`factormodel.Options` (the one set of defaults, never written again here)."""
    given = _DrawOptions()
    if args.draws is not None:
        given["n_draws"] = args.draws
    if args.seed is not None:
        given["seed"] = args.seed
    return given


def _cmd_wijkanalyse(args: argparse.Namespace) -> int:
    from factormodel.render.report import report

    if not args.area:
        raise InvalidParameterError("wijkanalyse needs --area (e.g. --area Oud-Crooswijk)",
                                    code="needs_area",
                                    fields={"cmd": "wijkanalyse", "example": "Oud-Crooswijk"})
    goals = [read_goal(g) for g in args.goal]
    model = load_model(args.model)
    data = _area_data(args.data, args.areas, args.year, getattr(args, "columns", None))
    args.area = _area_name(data["area"], args.area)
    source = "example (SYNTHETIC)" if args.data.startswith("example") else \
        os.path.basename(args.data)
    budget = None if args.budget is None else _number_arg("--budget", args.budget, grouping=True)
    population = None if args.population is None else \
        _number_arg("--population", args.population, grouping=True)
    catalogue = args.indicators  # else the report picks the one the data name
    path = report(model, data, args.area, goals, budget=budget, lang=args.lang, out=args.out,
                  reference=args.reference, year=args.year, level=args.level,
                  indicators=None if catalogue is None else as_catalogue(model, catalogue),
                  population=population, **_draw_options(args), data_source=source,
                  population_is_young=args.population_is_young,
                  profile_options={"reference_values": args.reference_values,
                                   "city": args.city or CITY_NAMES, "columns": args.columns})
    print(path)
    return 0


_PORTFOLIO_MARK = "\0young people\0"  # replaced by the young people the portfolio is for


def _named(model: FactorModel, node: str, lang: str) -> str:
    """A node by its label, with the id to type in a command: ``label [id]``."""
    return f"{model.nodes.loc[node, f'label_{lang}']!s} [{node}]"


def _recommend_text(model: FactorModel, args: argparse.Namespace, rec: Recommendation,
                    effects: pd.DataFrame, needed: list, portfolio: Any, catalogue: Any,
                    prof: Profile, note: str, resolved: list[ResolvedGoal]) -> str:
    lang = args.lang
    n = lambda v, d=2: fmt.number(v, d, lang, significant=True)  # noqa: E731
    wrap = textwrap.TextWrapper(width=92, initial_indent="     ", subsequent_indent="     ")
    # as the report and the page name them: the resolved node's label, then the size
    described = ", ".join(
        str(model.nodes.loc[r.node, f"label_{lang}"])
        + (f": {size}" if (size := L.goal(r.goal, lang, target=False)) else "")
        + (f" (x{r.goal.priority:g})" if len(resolved) > 1 else "") for r in resolved)
    lines = [L.phrase("rec_head", lang, area=args.area, goals=described, model=model.name,
                      status=L.status(model.metadata.status, lang), note=note),
             L.phrase("rec_reference", lang, ref=prof.reference_name(lang)),
             *_reference_lines(prof, lang), ""]
    status = L.translate_frame(rec.table[["status"]], lang).iloc[:, 0]
    for i, r in enumerate(rec.table.itertuples()):
        if r.status == "recommended":
            lines.append(L.phrase("rec_line", lang, rank=int(cast(float, r.rank)),
                                  factor=_named(model, str(r.factor), lang),
                                  score=n(r.score, 3), room=n(r.room), gain=n(r.gain),
                                  evidence=n(r.evidence)))
        else:
            lines.append(L.phrase("rec_other", lang, factor=_named(model, str(r.factor), lang),
                                  status=status.iloc[i],
                                  gain=n(r.gain)))
        lines += wrap.wrap(getattr(r, f"explanation_{lang}"))
    for remark in rec.notes:  # e.g. an outcome with few drivers in the model
        lines += ["", *textwrap.wrap(remark[lang], width=92)]
    if len(effects):
        lines += ["", *textwrap.wrap(L.phrase("effects_head", lang), 92)]
        for goal, part in effects.groupby("goal", sort=False):
            shown = part.assign(
                change_sd=part["change_sd"].map(lambda v: fmt.number(v, 2, lang, sign=True,
                                                                     significant=True)),
                change=part["change"].map(lambda v: fmt.number(v, 2, lang, sign=True,
                                                               significant=True)))
            lines.append(f"  {model.nodes.loc[cast(str, goal), f'label_{lang}']!s}:")
            shown = shown.assign(factor=shown["factor"].map(
                lambda f: model.nodes.loc[f, f"label_{lang}"] if f else ""))
            t = L.translate_frame(shown[["way", "factor", "change_sd", "change", "unit"]], lang)
            lines += ["    " + x for x in t.to_string(index=False).splitlines()]
            why = part["why"].iloc[-1]
            lines += wrap.wrap(M.render(why.code, why.fields, lang) + ".")
    for rc in needed:
        lines += ["", L.phrase("required_head", lang, goal=L.goal(rc.goal.goal, lang))]
        t = rc.to_frame().assign(
            change_sd=lambda t: t["change_sd"].map(lambda v: fmt.number(v, 2, lang, sign=True)),
            change=lambda t: t["change"].map(lambda v: fmt.number(v, 2, lang, sign=True)))
        t = L.translate_frame(t[["factor", "way", "indicator", "change", "unit", "change_sd",
                                 "within_spread"]], lang)
        lines += ["    " + x for x in t.to_string(index=False).splitlines()]
        lines += [f"     {L.phrase('assumption', lang, text=L.source(a, lang))}"
                  for a in rc.goal.assumptions]
        if not rc.table["within_spread"].all():
            lines += wrap.wrap(L.phrase("out_of_reach", lang))
        lines += wrap.wrap(L.phrase("required_assumptions", lang))
    if portfolio is not None:
        lines += ["", L.phrase("portfolio_head", lang, budget=fmt.money(portfolio.budget, lang),
                               cost=fmt.money(portfolio.total_cost, lang),
                               improvement=n(portfolio.improvement, 3)), _PORTFOLIO_MARK,
                  L.phrase("budget_left", lang, left=fmt.money(portfolio.budget_left, lang),
                           share=f"{portfolio.constraints['min_share']:.0%}",
                           of=L.threshold_of(portfolio.constraints["threshold_of"], lang),
                           threshold=n(portfolio.constraints["threshold_sd"], 3))]
        rules = ([L.phrase("one_per_factor", lang)] if portfolio.constraints["one_per_factor"]
                 else []) + ([L.phrase("age_group", lang, ages=", ".join(
                     portfolio.constraints["phases"]))] if portfolio.constraints["phases"] else [])
        if rules:
            lines.append(L.phrase("portfolio_rules", lang, rules="; ".join(rules)))
        if len(portfolio.chosen):
            chosen = portfolio.chosen.assign(
                cost=portfolio.chosen["cost"].map(lambda v: fmt.money(v, lang)),
                value=portfolio.chosen["value"].map(lambda v: n(v, 3)),
                effect=np.where(portfolio.chosen["effect_is_default"],
                                L.phrase("default_effect", lang),
                                portfolio.chosen["effect_evidence"]))  # kind, translated below
            node_label = model.nodes[f"label_{lang}"]
            chosen = chosen.assign(  # by name and label, as she reads them in the report
                intervention=chosen["name"],
                targets=[", ".join(str(node_label.get(f.strip(), f.strip()))
                                   for f in str(t).split(",")) for t in chosen["targets"]])
            t = L.translate_frame(chosen[["intervention", "units", "cost", "value", "effect",
                                          "targets"]], lang)
            lines.append(t.to_string(index=False))
            if portfolio.chosen["effect_is_default"].any():
                lines += wrap.wrap(L.phrase("default_note", lang, effect=n(DEFAULT_EFFECT),
                                            sd=n(DEFAULT_EFFECT_SD)))
        else:
            lines.append(L.phrase("none_chosen", lang))
        top = list(rec.loc[rec["status"] == "recommended", "factor"][:3])
        served = set(catalogue["target"]) if catalogue is not None else set()
        unserved = [f for f in top if f not in served]
        if unserved:
            lines += wrap.wrap(L.phrase("mismatch", lang, factors=", ".join(
                model.nodes.loc[f, f"label_{lang}"] for f in unserved)))
        if not portfolio.outcome_units.empty:
            u = portfolio.outcome_units
            t = L.translate_frame(pd.DataFrame({
                "node": u["node"].map(model.nodes[f"label_{lang}"]),
                "delta_sd": u["delta_sd"].map(lambda v: fmt.number(v, 3, lang, sign=True)),
                "change": u["change"].map(lambda v: fmt.number(v, 3, lang, sign=True)),
                "change_unit": u["change_unit"], "indicator": u["indicator"],
                "note": u["note"]}), lang)  # e.g. converted at an assumed level (coded)
            lines += ["", L.phrase("portfolio_units", lang), t.to_string(index=False)]
        labels = cast(dict[str, str], model.nodes[f"label_{lang}"].to_dict())  # id -> label
        lines += ["", L.phrase("left_out", lang)] + [
            f"  {r.name}: {L.reason(r.reason, lang, labels)}"
            for r in portfolio.left_out.itertuples()]
    return "\n".join(lines)


def _propagation_json(result: PropagationResult | FCMResult, frame: pd.DataFrame
                      ) -> dict[str, Any]:
    doc: dict[str, Any] = {"model": result.model.name, "status": result.model.metadata.status,
                           **result.settings, "nodes": frame}
    if isinstance(result, FCMResult):
        doc["fcm_status"] = result.status.reset_index()
    return json_safe(doc)


def _propagation_text(result: PropagationResult | FCMResult, frame: pd.DataFrame) -> str:
    m = result.model
    head = (f"{m.name} [{m.metadata.status}] - {result.method} propagation"
            + (". Changes in FCM activation: scenario minus baseline steady state."
               if isinstance(result, FCMResult)
               else f", clamp={result.clamp}, alpha={result.alpha:g}. Changes in SD."))
    shown = frame.assign(delta=frame["delta"].map(lambda v: f"{v:+.4f}"))
    cols = [c for c in ("scenario", "node", "role", "kind", "delta", "label") if c in shown]
    lines = [head, shown[cols].to_string(index=False)]
    if isinstance(result, FCMResult):
        lines += ["", "FCM status:", result.status.to_string()]
    return "\n".join(lines)


def _cmd_kolommen(args: argparse.Namespace) -> int:
    from factormodel.analysis.columns import propose_columns
    from factormodel.analysis.population import RESIDENT_COLUMNS
    from factormodel.files.areas import population_key

    model = load_model(args.model)
    cat = as_catalogue(model, args.indicators)
    data = read_area_data(args.data, year=args.year)
    values = cast(dict[str, list[float]],  # indicator id -> its values
                  data.groupby("indicator", sort=False)["value"].apply(list).to_dict())
    pop = str(data.attrs.get("population_column", ""))
    young = "" if population_key(pop) in RESIDENT_COLUMNS else pop
    prop = propose_columns(cat, list(values), values=values, lang=args.lang, young=young)
    if args.out:
        mapping = prop.mapping()
        write_with(args.out, lambda tmp: Path(tmp).write_bytes(
            b"\xef\xbb\xbf" + _csv(guard_frame(mapping), True).encode("utf-8")))
    if args.format == "json":
        print(json.dumps(prop.to_dict(), ensure_ascii=False, indent=2, allow_nan=False))
        return 0
    nl = args.lang == "nl"
    lines = [("Voorstel per kolom (beste eerst). Een kolom die het tegendeel meet, wordt "
              "alleen als complement (100 − x) voorgesteld." if nl else
              "Proposals per column (best first). A column measuring the opposite is only "
              "proposed as the complement (100 − x)."), ""]
    for kolom, group in prop.table.groupby("kolom", sort=False):
        lines.append(f"{kolom}")
        for r in group.itertuples():
            if not r.indicator:
                lines.append(f"   – {r.reason}")
                continue
            way = cast(str, r.transformatie)
            how = {"zoals": ""}.get(way, f" [{way}]")
            lines.append(f"  {r.rank}. {r.indicator!s}{how}: {r.reason}")
    lines.append("")
    if args.out:
        lines.append((f"Koppeling geschreven naar {args.out}: kijk hem na (kolom 'indicator' "
                      "en 'transformatie'; vul 'definitie' en 'jaar' in) en geef hem mee met "
                      f"--kolommen {args.out}.") if nl else
                     (f"Mapping written to {args.out}: check it and pass it with "
                      f"--columns {args.out}."))
    else:
        lines.append("Schrijf de koppeling met --out kolommen.csv." if nl else
                     "Write the mapping with --out columns.csv.")
    print("\n".join(lines))
    return 0


def _cmd_effects(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    labels = model.nodes[f"label_{args.lang}"]
    if args.outcome:
        table = decompose_effects(model, alpha=args.alpha, targets=args.outcome)
        table = table.assign(label=table["source"].map(labels))
        text = None
        if args.format == "table":
            text = table.to_string(index=False, float_format=lambda v: f"{v:+.4f}")
        _emit(args, table, text)
        return 0
    T = total_effects(model, alpha=args.alpha, targets=list(model.outcomes))
    T = T.loc[list(model.factors)]
    if args.format == "table":
        _emit(args, T, T.to_string(float_format=lambda v: f"{v:+.3f}"))
    elif args.format == "json":
        _emit(args, {f: {o: float(v) for o, v in row.items()} for f, row in T.iterrows()})
    else:
        _emit(args, T.reset_index())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
