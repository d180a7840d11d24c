"""Turn raw node/edge tables into canonical, validated tables (private).

One code path serves every way a model comes in: CSV folders, JSON files,
networkx graphs and in-memory DataFrames. Raw cells may be strings (as read
from a CSV), numbers, booleans or missing values; this module parses them,
checks them against :mod:`factormodel.vocab`, and collects *every* problem with
its location instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from factormodel import vocab
from factormodel.errors import Message, Problem, close_matches
from factormodel.tables._cells import (
    TableSource,
    is_missing,
    parse_numbers,
    per_unique,
    require_columns,
    table_decimal_mark,
    text,
)

# Canonical column order; required columns must be present in a file.
NODE_COLUMNS = (
    "id", "kind", "setting", "label_nl", "label_en", "phases", "modifiable", "desired",
    "description",
)
NODE_REQUIRED = ("id", "kind", "setting", "label_nl", "label_en", "phases", "modifiable")
EDGE_COLUMNS = (
    "source", "target", "weight", "strength", "sd", "low", "high", "source_ref", "note",
)
EDGE_REQUIRED = ("source", "target", "weight", "strength", "source_ref")
EDGE_NUMERIC = ("weight", "sd", "low", "high")
META_FIELDS = ("name", "version", "description", "citation", "licence", "status")
META_REQUIRED = ("name", "version", "status")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TRUE = {"true", "yes", "ja", "1", "waar", "y", "j"}
_FALSE = {"false", "no", "nee", "0", "onwaar", "n"}


@dataclass(frozen=True)
class ModelMetadata:
    """Descriptive metadata of a model.

    ``status`` says whether the model is ``official``, a ``reconstruction``
    from public sources, or ``illustrative`` (toy). ``extra`` keeps any other
    fields from the metadata file, unchanged.
    """

    name: str = "unnamed"
    version: str = "0"
    description: str = ""
    citation: str = ""
    licence: str = ""
    status: str = "illustrative"
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its fields and a plain dict of extras (a mapping proxy is not)."""
        return _metadata_from, ({f: getattr(self, f) for f in META_FIELDS}, dict(self.extra))

    def to_dict(self) -> dict[str, Any]:
        """The metadata as a plain dict (known fields first, then extras)."""
        out: dict[str, Any] = {f: getattr(self, f) for f in META_FIELDS}
        out.update(self.extra)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelMetadata):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f) for f in META_FIELDS))


# --------------------------------------------------------------------------- cells


def parse_bool(value: Any) -> tuple[bool | None, str | None]:
    """Parse a boolean cell (true/false, yes/no, ja/nee, 1/0, WAAR/ONWAAR)."""
    if isinstance(value, bool | np.bool_):
        return bool(value), None
    if isinstance(value, int | np.integer) and value in (0, 1):
        return bool(value), None
    s = text(value).lower()
    if s in _TRUE:
        return True, None
    if s in _FALSE:
        return False, None
    if s == "":
        return None, Message("expected true or false (also yes/no, ja/nee, 1/0), got an empty "
                             "cell", "bool_empty")
    shown = text(value)
    return None, Message(f"expected true or false (also yes/no, ja/nee, 1/0), got {shown!r}",
                         "not_a_bool", {"value": shown})


def parse_phases(value: Any) -> tuple[tuple[str, ...] | None, str | None]:
    """Parse a phases cell into a tuple of phases in canonical order.

    Cells list phases separated by spaces, commas, semicolons or ``|``; the
    word ``all`` means every phase. Sequences (from JSON) are accepted too.
    """
    if isinstance(value, list | tuple | np.ndarray):
        tokens = [text(v) for v in value]
    else:
        tokens = [t for t in re.split(r"[\s,;|]+", text(value)) if t]
    phases = ", ".join(vocab.PHASES)
    if not tokens:
        return None, Message(f"no phase given; expected one or more of {phases} or 'all'",
                             "no_phase", {"phases": phases})
    if any(t.lower() == "all" for t in tokens):
        if len(tokens) > 1:
            return None, Message("'all' cannot be combined with other phases", "all_and_phases")
        return vocab.PHASES, None
    bad = [t for t in tokens if t not in vocab.PHASES]
    if bad:
        names = ", ".join(repr(b) for b in bad)
        return None, Message(f"unknown phase {names}; expected one or more of {phases} or 'all'",
                             "unknown_phase", {"names": names, "phases": phases})
    return tuple(p for p in vocab.PHASES if p in tokens), None


def format_phases(phases: tuple[str, ...]) -> str:
    """Canonical text of a phases tuple (space separated; ``all`` for every phase)."""
    return "all" if tuple(phases) == vocab.PHASES else " ".join(phases)


# --------------------------------------------------------------------------- tables


def _parsed(raw: pd.DataFrame, found: Mapping[str, Any], columns: tuple[str, ...],
            fn: Callable[[Any], Any], parts: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """:func:`per_unique` of each column in ``columns`` (``fn(None)`` where absent)."""
    absent = pd.Series([None] * len(raw), dtype=object)
    return {c: per_unique(raw[found[c]] if c in found else absent, fn, parts) for c in columns}


def _lower_text(value: Any) -> str:
    return text(value).lower()


def _columns(raw: pd.DataFrame, src: TableSource, required: tuple[str, ...],
             known: tuple[str, ...], problems: list[Problem]) -> tuple[dict[str, str], list]:
    """Map canonical column names to raw column names (case/space-insensitive)."""
    found, extras, found_problems = require_columns(raw.columns, required, src, known=known)
    problems.extend(found_problems)
    return found, extras


def _extra_values(raw: pd.DataFrame, extras: list) -> dict[str, list[str]]:
    return {str(c).strip(): per_unique(raw[c], text) for c in extras}


def _bad(problems: list[Problem], src: TableSource, i: int, c: str, msg: str, code: str,
         fields: dict[str, object]) -> None:
    """A problem of cell ``(i, c)``: its English ``msg`` with the ``code`` and ``fields`` it
    was made from (a :class:`~factormodel.errors.Message` brings its own)."""
    if isinstance(msg, Message):
        code, fields = msg.code, msg.fields
    problems.append(Problem(src.where(i, c), msg, src.key(i, c), code=code, fields=fields))


def build_nodes(raw: pd.DataFrame, src: TableSource, problems: list[Problem]) -> pd.DataFrame:
    """Validate and canonicalise a raw nodes table; append problems found.

    Every check is first screened for all rows at once; the rows it flags are then
    checked one by one, in file order, to write their messages.
    """
    found, extras = _columns(raw, src, NODE_REQUIRED, NODE_COLUMNS, problems)
    n = len(raw)
    if n == 0:
        problems.append(Problem(src.where(), "the model has no nodes (empty model)", src.key(),
                                code="model_no_nodes"))
    txt = _parsed(raw, found, ("id", "kind", "setting", "label_nl", "label_en", "desired",
                                "description"), text)
    phases, phase_err = _parsed(raw, found, ("phases",), parse_phases,
                                (object, object))["phases"]
    modifiable, modifiable_err = _parsed(raw, found, ("modifiable",), parse_bool,
                                         (object, object))["modifiable"]
    low = _parsed(raw, found, ("kind", "setting", "desired"), _lower_text)
    ids = txt["id"]
    valid_id = np.array([bool(x) and bool(_ID_RE.match(x)) for x in ids], dtype=bool)
    first = pd.Series(ids[valid_id], index=np.flatnonzero(valid_id)).drop_duplicates()
    first_row = dict(zip(first.tolist(), first.index.tolist(), strict=True))
    flagged = _node_screen(txt, low, valid_id, phase_err, modifiable_err, found)

    def bad(i: int, c: str, msg: str, code: str = "", **fields: object) -> None:
        _bad(problems, src, i, c, msg, code, fields)

    for i in np.flatnonzero(flagged).tolist():
        node_id, kind, setting, desired = ids[i], low["kind"][i], low["setting"][i], \
            low["desired"][i]
        if "id" in found:
            if not node_id:
                bad(i, "id", "missing node id", "missing_node_id")
            elif not valid_id[i]:
                bad(i, "id", f"node id {node_id!r} must be ascii letters, digits, '_', '-' "
                    "or '.', starting with a letter or digit, without spaces", "node_id_format",
                    id=node_id)
            elif first_row[node_id] != i:
                first_at = src.where(first_row[node_id])
                bad(i, "id", f"duplicate node id {node_id!r} (first defined at {first_at})",
                    "duplicate_node_id", id=node_id, first=first_at)
        if "kind" in found and kind not in vocab.KINDS:
            choices = ", ".join(vocab.KINDS)
            bad(i, "kind", f"unknown kind {txt['kind'][i]!r}; expected one of {choices}",
                "unknown_kind", kind=txt["kind"][i], choices=choices)
        if "setting" in found:
            allowed = _allowed_settings(kind)
            if setting not in allowed:
                what = "outcome" if kind == "outcome" else "factor"
                choices = ", ".join(allowed)
                bad(i, "setting", f"unknown setting {txt['setting'][i]!r} for "
                    f"{'an' if what == 'outcome' else 'a'} {what}; expected one of {choices}",
                    f"unknown_setting_{what}", setting=txt["setting"][i], choices=choices)
        for c in ("label_nl", "label_en"):
            if c in found and not txt[c][i]:
                bad(i, c, f"missing {'Dutch' if c == 'label_nl' else 'English'} label",
                    f"missing_{c}")
        if "phases" in found and phase_err[i]:
            bad(i, "phases", phase_err[i])
        if "modifiable" in found and modifiable_err[i]:
            bad(i, "modifiable", modifiable_err[i])
        if desired and desired not in vocab.DESIRED:
            bad(i, "desired", f"unknown desired direction {desired!r}; expected lower or higher",
                "unknown_desired", desired=desired)
        elif kind == "outcome" and not desired:
            bad(i, "desired", "an outcome needs a desired direction: lower (e.g. VSV) "
                "or higher (e.g. schoolsucces)", "outcome_needs_desired")
        elif kind in ("risk", "protective") and desired:
            implied = "lower" if kind == "risk" else "higher"
            if desired != implied:
                bad(i, "desired", f"desired {desired!r} contradicts kind {kind!r} "
                    f"(a {kind} factor is better {implied}); leave it empty",
                    f"desired_contradicts_{kind}", desired=desired)
    frame = pd.DataFrame({
        "id": ids, "kind": low["kind"], "setting": low["setting"],
        "label_nl": txt["label_nl"], "label_en": txt["label_en"],
        "phases": phases, "modifiable": modifiable.tolist(),  # tolist: bool dtype
        "desired": low["desired"], "description": txt["description"]},
        columns=list(NODE_COLUMNS))
    for name, values in _extra_values(raw, extras).items():
        if name in frame.columns or name == "":
            continue  # reported by the reader (unnamed / duplicate header)
        frame[name] = values
    return frame


def _allowed_settings(kind: str) -> tuple[str, ...]:
    if kind == "outcome":
        return vocab.OUTCOME_SETTINGS
    return vocab.FACTOR_SETTINGS if kind in vocab.KINDS else (vocab.FACTOR_SETTINGS
                                                              + vocab.OUTCOME_SETTINGS)


def _node_screen(txt: dict[str, np.ndarray], low: dict[str, np.ndarray], valid_id: np.ndarray,
                 phase_err: np.ndarray, modifiable_err: np.ndarray, found: Mapping[str, Any]
                 ) -> np.ndarray:
    """Rows that at least one node check would report (a superset is fine, none missed)."""
    kind, setting, desired = low["kind"], low["setting"], low["desired"]
    flagged = np.zeros(len(kind), dtype=bool)
    if "id" in found:
        flagged |= ~valid_id | pd.Series(txt["id"], dtype=object).duplicated().to_numpy()
    known_kind = np.isin(kind, list(vocab.KINDS))
    if "kind" in found:
        flagged |= ~known_kind
    if "setting" in found:
        ok = np.where(kind == "outcome", np.isin(setting, list(vocab.OUTCOME_SETTINGS)),
                      np.isin(setting, list(vocab.FACTOR_SETTINGS))
                      | (~known_kind & np.isin(setting, list(vocab.OUTCOME_SETTINGS))))
        flagged |= ~ok
    for c in ("label_nl", "label_en"):
        if c in found:
            flagged |= txt[c] == ""
    for c, err in (("phases", phase_err), ("modifiable", modifiable_err)):
        if c in found:
            flagged |= pd.notna(err)
    flagged |= (desired != "") & ~np.isin(desired, list(vocab.DESIRED))
    flagged |= (kind == "outcome") & (desired == "")
    flagged |= (kind == "risk") & (desired == "higher")
    flagged |= (kind == "protective") & (desired == "lower")
    return flagged

def build_edges(raw: pd.DataFrame, src: TableSource, nodes: pd.DataFrame,
                problems: list[Problem]) -> pd.DataFrame:
    """Validate and canonicalise a raw edges table against canonical ``nodes``.

    Every check is first screened for all rows at once; the rows it flags are then
    checked one by one, in file order, to write their messages.
    """
    found, extras = _columns(raw, src, EDGE_REQUIRED, EDGE_COLUMNS, problems)
    n = len(raw)
    if n == 0:
        problems.append(Problem(src.where(), "the model has no edges", src.key(),
                                code="model_no_edges"))
    txt = _parsed(raw, found, ("source", "target", "strength", "source_ref", "note"), text)
    mark = table_decimal_mark(raw[found[c]] for c in EDGE_NUMERIC if c in found)
    num = {c: parse_numbers(raw[found[c]], decimal=mark) if c in found else
           (np.full(n, np.nan), np.full(n, "missing", dtype=object), np.full(n, None, dtype=object))
           for c in EDGE_NUMERIC}
    vals = {c: num[c][0] for c in EDGE_NUMERIC}
    errs = {c: num[c][2] for c in EDGE_NUMERIC}
    node_ids = [x for x in nodes["id"].tolist() if x]
    known = set(node_ids)
    keys = pd.Series(list(zip(txt["source"], txt["target"], strict=True)), dtype=object)
    first = keys.drop_duplicates()
    first_row = dict(zip(first.tolist(), first.index.tolist(), strict=True))
    strength = _parsed(raw, found, ("strength",), _lower_text)["strength"]
    flagged = _edge_screen(txt, errs, vals, strength, found, known, keys)

    def bad(i: int, c: str, msg: str, code: str = "", **fields: object) -> None:
        _bad(problems, src, i, c, msg, code, fields)

    for i in np.flatnonzero(flagged).tolist():
        s, t = txt["source"][i], txt["target"][i]
        for c, v in (("source", s), ("target", t)):
            if c not in found:
                continue
            if not v:
                bad(i, c, f"missing {c} node id", f"missing_{c}_id")
            elif v not in known:
                hint = close_matches(v, node_ids)
                bad(i, c, f"unknown node {v!r}; {hint}", "unknown_node", where="", name=v,
                    hint=hint)
        if s and s == t:
            bad(i, "target", f"self-loop {s!r} -> {t!r}; a node cannot affect itself directly",
                "self_loop", source=s, target=t)
        if s and t and first_row[(s, t)] != i:
            first_at = src.where(first_row[(s, t)])
            bad(i, "target", f"duplicate edge {s!r} -> {t!r} (first at {first_at})",
                "duplicate_edge", source=s, target=t, first=first_at)
        nums: dict[str, float | None] = {}
        for c in EDGE_NUMERIC:
            if errs[c][i] and c in found:
                bad(i, c, errs[c][i])
            nums[c] = None if np.isnan(vals[c][i]) else float(vals[c][i])
        w, sd, lo, hi = nums["weight"], nums["sd"], nums["low"], nums["high"]
        if "weight" in found and w is None and not _has(problems, src.key(i, "weight")):
            bad(i, "weight", "missing weight (empty or NaN); write 0 only if the effect is "
                "really zero", "missing_weight")
        if sd is not None and sd < 0:
            bad(i, "sd", f"sd must be zero or positive, got {sd}", "sd_negative", sd=sd)
        if (lo is None) != (hi is None) and not (_has(problems, src.key(i, "low"))
                                                  or _has(problems, src.key(i, "high"))):
            bad(i, "low" if lo is None else "high", "give both low and high, or neither",
                "low_without_high")
        if lo is not None and hi is not None:
            if sd is not None:
                bad(i, "sd", "give sd or low/high for the uncertainty, not both",
                    "sd_and_interval")
            if lo > hi:
                bad(i, "low", f"low {lo} is above high {hi}", "low_above_high", low=lo, high=hi)
            elif w is not None and not lo <= w <= hi:
                bad(i, "weight", f"weight {w} lies outside its interval [{lo}, {hi}]; "
                    "adjust low/high together with the weight", "weight_outside_interval",
                    weight=w, low=lo, high=hi)
        if "strength" in found and strength[i] not in vocab.STRENGTHS:
            choices = ", ".join(vocab.STRENGTHS)
            bad(i, "strength", f"unknown strength {txt['strength'][i]!r}; expected one of "
                f"{choices}", "unknown_strength", strength=txt["strength"][i], choices=choices)
        if "source_ref" in found and not txt["source_ref"][i]:
            bad(i, "source_ref", "missing source reference; give a citation or the literal "
                f"text '{vocab.EXPERT_JUDGEMENT}'", "missing_source_ref",
                expert=vocab.EXPERT_JUDGEMENT)
    frame = pd.DataFrame({"source": txt["source"], "target": txt["target"],
                          "weight": vals["weight"], "strength": strength, "sd": vals["sd"],
                          "low": vals["low"], "high": vals["high"],
                          "source_ref": txt["source_ref"], "note": txt["note"]},
                         columns=list(EDGE_COLUMNS))
    for name, values in _extra_values(raw, extras).items():
        if name in frame.columns or name == "":
            continue
        frame[name] = values
    return frame


def _edge_screen(txt: dict[str, np.ndarray], errs: dict[str, np.ndarray],
                 vals: dict[str, np.ndarray], strength: np.ndarray, found: Mapping[str, Any],
                 known: set[str], keys: pd.Series) -> np.ndarray:
    """Rows that at least one edge check would report (a superset is fine, none missed)."""
    n = len(keys)
    flagged = np.zeros(n, dtype=bool)
    for c in ("source", "target"):
        if c in found:
            flagged |= ~pd.Series(txt[c], dtype=object).isin(known).to_numpy()
    flagged |= txt["source"] == txt["target"]
    flagged |= keys.duplicated().to_numpy()
    for c in EDGE_NUMERIC:
        flagged |= pd.notna(errs[c])
    w, sd, lo, hi = (vals[c] for c in EDGE_NUMERIC)
    if "weight" in found:
        flagged |= np.isnan(w)
    flagged |= sd < 0
    flagged |= np.isnan(lo) != np.isnan(hi)
    both = ~np.isnan(lo) & ~np.isnan(hi)
    with np.errstate(invalid="ignore"):
        flagged |= both & (~np.isnan(sd) | (lo > hi) | (w < lo) | (w > hi))
    if "strength" in found:
        flagged |= ~np.isin(strength, list(vocab.STRENGTHS))
    if "source_ref" in found:
        flagged |= txt["source_ref"] == ""
    return flagged

def _has(problems: list[Problem], key: tuple) -> bool:
    return any(p.key == key for p in problems)


def check_graph(nodes: pd.DataFrame, edges: pd.DataFrame, src: TableSource,
                problems: list[Problem], warnings: list[Problem]) -> None:
    """Model-level checks: outcomes need incoming edges; weight signs vs kinds."""
    targets = set(edges["target"].tolist())
    # .tolist(): iterating a pandas string column element by element is slow
    for i, (node_id, kind) in enumerate(zip(nodes["id"].tolist(), nodes["kind"].tolist(),
                                            strict=True)):
        if kind == "outcome" and node_id and node_id not in targets:
            problems.append(Problem(Message(f"node {node_id!r}", "place_node",
                                            {"node": node_id}),
                                    "outcome has no incoming edge; nothing in the model drives "
                                    "it", ("nodes", i, "id"), code="outcome_without_edges"))
    sign = desired_signs(nodes)  # the product of two signs is the same turned around
    s_sign = edges["source"].map(sign).fillna(0).to_numpy(dtype=float)
    t_sign = edges["target"].map(sign).fillna(0).to_numpy(dtype=float)
    w = edges["weight"].to_numpy(dtype=float)
    expected = s_sign * t_sign
    with np.errstate(invalid="ignore"):
        wrong = (expected != 0) & (np.sign(w) == -expected)
    if not wrong.any():
        return
    phrase = {node_id: (Message(f"outcome, desired {desired}", f"kind_outcome_{desired}")
                        if kind == "outcome" else Message(f"{kind} factor", f"kind_{kind}"))
              for node_id, kind, desired in zip(nodes["id"].tolist(), nodes["kind"].tolist(),
                                                nodes["desired"].tolist(), strict=True)}
    sources, targets_ = edges["source"].to_numpy(), edges["target"].to_numpy()
    for i in np.flatnonzero(wrong).tolist():
        s, t = str(sources[i]), str(targets_[i])
        way = "positive" if expected[i] > 0 else "negative"
        warnings.append(Problem(
            src.where(int(i), "weight"),
            f"weight {w[i]:+g} of {s!r} ({phrase[s]}) -> {t!r} ({phrase[t]}) has the opposite "
            f"sign of what the kinds imply; expected {way}",
            src.key(int(i), "weight"), code=f"weight_sign_not_{way}",
            fields={"weight": float(w[i]), "source": s, "source_kind": phrase[s], "target": t,
                    "target_kind": phrase[t]}))


def desired_signs(nodes: pd.DataFrame) -> dict[str, int]:
    """+1 where more of the node is better, -1 where more is worse, per node id.

    Risk factors -1, protective factors +1, outcomes from ``desired``.
    """
    out: dict[str, int] = {}
    for node_id, kind, desired in zip(nodes["id"].tolist(), nodes["kind"].tolist(),
                                      nodes["desired"].tolist(), strict=True):
        if kind == "risk" or desired == "lower":
            out[node_id] = -1
        elif kind == "protective" or desired == "higher":
            out[node_id] = 1
    return out


def _field(where: str, name: str) -> Message:
    """The place of a metadata field, e.g. ``metadata.json, field 'status'``."""
    return Message(f"{where}, field '{name}'", "place_field", {"file": where, "field": name})


def build_metadata(raw: Mapping[str, Any] | None, where: str, problems: list[Problem],
                   *, strict: bool = True) -> ModelMetadata:
    """Validate metadata. With ``strict=False`` missing fields take their defaults."""
    if raw is None:
        if strict:
            problems.append(Problem(where, "missing metadata", ("metadata", None, None),
                                    code="missing_metadata"))
        return ModelMetadata()
    if not isinstance(raw, Mapping):
        problems.append(Problem(where, f"metadata must be a mapping, got {type(raw).__name__}",
                                ("metadata", None, None), code="metadata_not_a_mapping",
                                fields={"type": type(raw).__name__}))
        return ModelMetadata()
    values: dict[str, Any] = {}
    for f in META_FIELDS:
        v = raw.get(f)
        if v is None and not strict and f != "name":
            continue
        if f in META_REQUIRED and is_missing(v):
            if strict or f == "name":
                problems.append(Problem(_field(where, f), f"missing required field '{f}'",
                                        ("metadata", None, f), code="missing_field",
                                        fields={"field": f}))
            continue
        if v is not None and not isinstance(v, str | int | float):
            problems.append(Problem(_field(where, f), f"expected text, got "
                                    f"{type(v).__name__}", ("metadata", None, f),
                                    code="field_not_text", fields={"type": type(v).__name__}))
            continue
        values[f] = text(v)
    status = values.get("status", "").lower()
    if "status" in values:
        if status not in vocab.STATUSES:
            choices = ", ".join(vocab.STATUSES)
            problems.append(Problem(_field(where, "status"), f"unknown status {status!r}; "
                                    f"expected one of {choices}", ("metadata", None, "status"),
                                    code="unknown_status",
                                    fields={"status": status, "choices": choices}))
        values["status"] = status
    extra = {k: v for k, v in raw.items() if k not in META_FIELDS}
    return ModelMetadata(**values, extra=MappingProxyType(dict(extra)))


def _metadata_from(fields: Mapping[str, Any], extra: Mapping[str, Any]) -> ModelMetadata:
    """:class:`ModelMetadata` from what its ``__reduce__`` pickled."""
    return ModelMetadata(**fields, extra=MappingProxyType(dict(extra)))
