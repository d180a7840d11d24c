"""Fuzzing every reader of factormodel: seeds, mutations, and one bounded run per case.

Shared by the property-based tests (``tests/test_fuzz_readers.py``, a few seconds
per reader) and the deeper runs of ``scripts/fuzz_readers.py``, which also
writes the reliability table ``docs/reliability.md``.

A case is a file made by mutating a valid seed file of a reader (or raw
bytes). Running it gives one outcome class:

* ``ok``: the reader returned (and the result was used once: propagated,
  validated against a model, ...),
* ``error:<Class>``: a :class:`~factormodel.errors.FactorModelError` subclass,
  the expected way to refuse bad input,
* ``crash:<Class>``: any other exception (a bug),
* ``hang``: the case ran longer than the time limit (a bug).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import signal
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import factormodel as fm
from factormodel.analysis import indicators as fm_indicators
from factormodel.files.datasets import data_path

#: Cell values that broke readers before, or are easy to get wrong.
NASTY = ["", " ", "-", "–", ".", "x", "?", "nan", "NaN", "inf", "-inf", "1e308", "-1e308",
         "1e-320", "1,000", "1.000,5", "1_0", "0x10", "1/2", "٣", "½", "veel", "-4000", "0",
         "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "'=x", "\x00", "\t",
         "\r", "\n", "\"", "\"\"", ";", ",", "Ω", "💥", "a" * 300, "TRUE", "false", "None",
         "null", "[]", "{}", "2022JJ00", "2022*", "WK059915", "GM0599", "BU05990101",
         "Armoede", "armoede", "ARMOEDE", "vsv", "all", "12-18", "99-100", "lower", "higher",
         "expert judgement", "sterk", "risk", "outcome", "kansrijk", "-0", "+0.5", "1e5",
         "9" * 400, "../../etc/passwd", "<script>alert(1)</script>"]

# openpyxl cannot store control characters other than tab, newline and return in a cell
_CELL_SAFE = [v for v in NASTY if not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in v)]

ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le",
             "latin-1"]


@dataclass(frozen=True)
class Reader:
    """One reader under test: its seed files and how to call it on a case."""

    name: str
    suffix: str
    run: Callable[[Path], object]
    seed: Callable[[Path], str | bytes]
    kind: str = "csv"  # csv | json | xlsx | folder


# ----------------------------------------------------------------------------- seeds


def _toy() -> fm.FactorModel:
    return fm.load_model("toy")


def _rotterdam() -> fm.FactorModel:
    return fm.load_model("rotterdam-jeugd")


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _model_folder_seed(tmp: Path) -> str:
    fm.write_model(_toy(), tmp / "seed_model")
    return ""


def _seed_area(tmp: Path) -> str:
    return ("area,year,indicator,value,population\nCharlois,2022,vsv_nieuw,3.4,68000\n"
            "Delfshaven,2022,vsv_nieuw,2.9,75000\nCharlois,2023,vsv_nieuw,3.1,68500\n")


def _seed_statline(tmp: Path) -> str:
    return ('"Codering (code)";"Perioden";"vsv_nieuw";"Bevolking"\n'
            '"WK059915  ";"2022JJ00";"3,4";"68000"\n"WK059906  ";"2022JJ00";".";"75000"\n'
            '"Bron: CBS"\n')


def _seed_xlsx(tmp: Path) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"area": ["Charlois", "Delfshaven"], "year": [2022, 2022],
                  "vsv_nieuw": [3.4, 2.9], "population": [68000, 75000]}
                 ).to_excel(buf, index=False)
    return buf.getvalue()


def _seed_deltas(tmp: Path) -> str:
    return "wijk;armoede;schoolverzuim\nTarwewijk;0,8;1,2\nCharlois;-0,3;0,1\n"


def _seed_weights(tmp: Path) -> str:
    return "source,target,weight,sd\nschoolverzuim,vsv,0.45,0.1\narmoede,opvoedklimaat,-0.3,\n"


def _seed_fcm(tmp: Path) -> str:
    return ",Verzuim,Prestaties,VSV\nVerzuim,0,-0.5,0.3\nPrestaties,0,0,-0.4\nVSV,0,0,0\n"


def _seed_edges(tmp: Path) -> str:
    return ("source,target,weight,strength,source_ref\nVerzuim,VSV,0.3,matig,expert judgement\n"
            "Prestaties,VSV,-0.4,sterk,expert judgement\n")


def _seed_indicators(tmp: Path) -> str:
    return _csv(_rotterdam().table("indicators").head(6))


def _seed_interventions(tmp: Path) -> str:
    t = _rotterdam().table("interventions")  # nulls, defaults and a published interval
    return _csv(pd.concat([t.head(6), t[t["intervention"] == "voorzorg"]]))


def _seed_columns(tmp: Path) -> str:
    return ("kolom;indicator;transformatie;definitie;jaar\n"
            "% huishoudens met laag inkomen;huishoudens_laag_inkomen;zoals;eigen definitie;2016\n"
            "% 18-22 jaar zonder startkwalificatie;% jongeren 18-22 jaar met startkwalificatie;"
            "complement;;2016\n"
            "Aandeel eenoudergezinnen;eenoudergezinnen;fractie;;\n")


def _use_columns(path: Path) -> object:
    rdam = _rotterdam()
    cat = fm.load_indicators(rdam)
    mapping = fm.read_columns(path, cat)
    data = pd.DataFrame({"wijk": ["A", "Rotterdam"], "jaar": 2016,
                         **{k: ["0,4", "0,3"] for k in mapping.table["kolom"]}})
    return fm_indicators.area_table(rdam, data, columns=mapping)


def _seed_areas(tmp: Path) -> str:
    return data_path("rotterdam_areas.csv").read_text(encoding="utf-8")


def _seed_json(tmp: Path) -> str:
    fm.write_model(_toy(), tmp / "seed.json")
    return (tmp / "seed.json").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- readers


def _use_deltas(path: Path) -> object:
    return fm.propagate(_toy(), fm.read_deltas(path), missing="free")


def _use_weights(path: Path) -> object:
    return _toy().with_weights(fm.read_weight_table(path))


def _example_plan():
    from factormodel.workflow.wijkplan import example_plan

    return example_plan()


def _seed_progress(tmp: Path) -> str:
    return ("interventie;periode;eenheden;bereikt;afgerond;uitgevallen;reden_uitval;"
            "toelichting\nswpbs;2022;3;900;700;50;\"verhuisd:30; onbekend:20\";\n"
            "schoolweigering_behandeling;2022-H1;10;10;4;1;anders;wachtlijst\n")


def _seed_wijkplan(tmp: Path) -> str:
    return json.dumps(_example_plan().to_dict())


def _use_area(path: Path) -> object:
    return fm.read_area_data(path, areas="rotterdam")


READERS: dict[str, Reader] = {r.name: r for r in [
    Reader("model-folder", "", lambda p: fm.load_model(p), _model_folder_seed, "folder"),
    Reader("model-json", ".json", lambda p: fm.read_model(p), _seed_json, "json"),
    Reader("area-csv", ".csv", lambda p: fm.read_area_data(p), _seed_area),
    Reader("area-statline", ".csv", _use_area, _seed_statline),
    Reader("area-xlsx", ".xlsx", lambda p: fm.read_area_data(p), _seed_xlsx, "xlsx"),
    Reader("deltas", ".csv", _use_deltas, _seed_deltas),
    Reader("weight-table", ".csv", _use_weights, _seed_weights),
    Reader("fcm-matrix", ".csv", lambda p: fm.read_fcm_matrix(p, default_kind="risk"),
           _seed_fcm),
    Reader("edge-list", ".csv", lambda p: fm.read_edge_list(p, default_kind="risk"),
           _seed_edges),
    Reader("indicators", ".csv", lambda p: fm.load_indicators(_rotterdam(), p),
           _seed_indicators),
    Reader("interventions", ".csv", lambda p: fm.load_interventions(_rotterdam(), p),
           _seed_interventions),
    Reader("areas", ".csv", lambda p: fm.load_areas(p), _seed_areas),
    Reader("column-mapping", ".csv", _use_columns, _seed_columns),
    Reader("progress", ".csv", lambda p: fm.read_progress(p, _example_plan()), _seed_progress),
    Reader("wijkplan", ".json", lambda p: fm.Wijkplan.read(p), _seed_wijkplan, "json"),
]}

MODEL_FILES = ("nodes.csv", "edges.csv", "metadata.json")


# ----------------------------------------------------------------------------- mutations


def mutate_text(text: str, rng: random.Random, n: int | None = None) -> str:
    """Apply 1-4 random structure-aware mutations to CSV-like text."""
    for _ in range(n if n is not None else rng.randint(1, 4)):
        lines = text.split("\n")
        op = rng.randrange(9)
        i = rng.randrange(len(lines))
        if op <= 2:  # replace a cell
            sep = ";" if lines[i].count(";") > lines[i].count(",") else ","
            cells = lines[i].split(sep)
            cells[rng.randrange(len(cells))] = rng.choice(NASTY)
            lines[i] = sep.join(cells)
        elif op == 3:
            del lines[i]
        elif op == 4:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 5:  # damage the header
            head = list(lines[0])
            if head:
                k = rng.randrange(len(head))
                head[k] = rng.choice(["", head[k].upper(), "x", ";", ",", "\""])
            lines[0] = "".join(head)
        elif op == 6:
            text = "\n".join(lines)
            return text[: rng.randrange(len(text) + 1)]
        elif op == 7:
            lines[i] = lines[i].replace(",", ";") if rng.random() < 0.5 else \
                lines[i].replace(";", ",")
        else:
            k = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:k] + rng.choice(NASTY) + lines[i][k:]
        text = "\n".join(lines)
    return text


def _nasty_json(rng: random.Random) -> object:
    return rng.choice([None, True, 0, -1, 1e308, -1e308, 10 ** 400, "", "x",
                       rng.choice(NASTY), [], {}, [[[[[]]]]], {"a": {"b": None}},
                       "[" * 50, 0.1])


def mutate_json(text: str, rng: random.Random) -> str:
    """Change, delete or add a random value of a JSON document (or damage its text)."""
    if rng.random() < 0.2:
        return mutate_text(text, rng)
    if rng.random() < 0.05:
        depth = rng.choice([100, 1000, 5000, 20000])
        return "[" * depth + "]" * depth
    doc = json.loads(text)
    for _ in range(rng.randint(1, 3)):
        node, parents = doc, []
        while isinstance(node, dict | list) and node and rng.random() < 0.8:
            key = rng.choice(list(node.keys()) if isinstance(node, dict)
                             else range(len(node)))
            parents.append((node, key))
            node = node[key]
        if not parents:
            continue
        parent, key = parents[-1]
        op = rng.randrange(3)
        if op == 0 or isinstance(parent, list):
            parent[key] = _nasty_json(rng)
        elif op == 1:
            del parent[key]
        else:
            parent[rng.choice(NASTY) or "k"] = _nasty_json(rng)
    out = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.1:  # a duplicate key
        out = out.replace("{", '{"format": 1, ', 1)
    return out


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Flip, delete or truncate bytes (for workbooks)."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(3)
        if op == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1 and data:
            k = rng.randrange(len(data))
            del data[k:k + rng.randint(1, 64)]
        else:
            data = data[: rng.randrange(len(data) + 1)]
    return bytes(data)


def mutate_workbook(rng: random.Random) -> bytes:
    """A well-formed workbook whose cells are mutated (the reader sees real sheets)."""
    frame = pd.DataFrame({"area": ["Charlois", "Delfshaven"], "year": [2022, 2022],
                          "vsv_nieuw": [3.4, 2.9], "population": [68000, 75000]},
                         dtype=object)
    for _ in range(rng.randint(1, 4)):
        r, c = rng.randrange(2), rng.randrange(4)
        frame.iloc[r, c] = rng.choice([*_CELL_SAFE, 1e308, -4000, float("nan"), None, True])
    if rng.random() < 0.3:
        frame = frame.rename(columns={frame.columns[rng.randrange(4)]: rng.choice(_CELL_SAFE)})
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    return buf.getvalue()


def encode(text: str, rng: random.Random) -> bytes:
    enc = rng.choice(ENCODINGS)
    return text.encode(enc, errors="replace")


class Seeds:
    """Seed files of every reader, made once in a temporary folder."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="fm-fuzz-")
        self.root = Path(self._tmp.name)
        self.seeds = {name: r.seed(self.root) for name, r in READERS.items()}
        self.model_files = {f: (self.root / "seed_model" / f).read_text(encoding="utf-8")
                            for f in MODEL_FILES}

    def close(self) -> None:
        self._tmp.cleanup()

    def make_case(self, reader: str, rng: random.Random, raw: bytes | None = None) -> Path:
        """Write one mutated case for ``reader`` and return the path to give it."""
        r = READERS[reader]
        case = Path(tempfile.mkdtemp(dir=self.root, prefix=f"{reader}-"))
        if r.kind == "folder":
            for f, text in self.model_files.items():
                (case / f).write_text(text, encoding="utf-8")
            target = rng.choice(MODEL_FILES)
            original = self.model_files[target]
            if raw is not None:
                data = raw
            elif target.endswith(".json"):
                data = mutate_json(original, rng).encode("utf-8")
            else:
                data = encode(mutate_text(original, rng), rng)
            (case / target).write_bytes(data)
            return case
        path = case / f"case{r.suffix}"
        seed = self.seeds[reader]
        if raw is not None:
            data = raw
        elif r.kind == "xlsx":
            data = mutate_bytes(seed, rng) if rng.random() < 0.4 else mutate_workbook(rng)
        elif r.kind == "json":
            data = mutate_json(seed, rng).encode("utf-8")
        else:
            data = encode(mutate_text(seed, rng), rng)
        path.write_bytes(data)
        return path


# ----------------------------------------------------------------------------- running


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no reader swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise _Timeout after ``seconds`` (Unix main thread; elsewhere: no limit)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise _Timeout

    try:
        old = signal.signal(signal.SIGALRM, alarm)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok | error | crash | hang
    name: str  # exception class, or "" for ok/hang
    detail: str = ""
    seconds: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


def run_case(reader: str, path: Path, limit: float = 10.0) -> Outcome:
    """Run ``reader`` on ``path``: the outcome class, never an exception (but Ctrl-C)."""
    start = time.perf_counter()
    try:
        with time_limit(limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            READERS[reader].run(path)
    except _Timeout:
        return Outcome("hang", "", f"over {limit:g} s", time.perf_counter() - start)
    except fm.FactorModelError as exc:
        return Outcome("error", type(exc).__name__, str(exc)[:200], time.perf_counter() - start)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return Outcome("crash", type(exc).__name__, repr(exc)[:300],
                       time.perf_counter() - start)
    return Outcome("ok", "", "", time.perf_counter() - start)
