"""The user's words: node and indicator names given by id, Dutch or English label.

A gebiedsadviseur writes ``VSV``, ``Schoolverzuim`` or ``% jongeren 4-17 jaar lid
van een sportvereniging`` where the library uses ids such as ``vsv`` or
``lid_sportvereniging``. These functions turn such words into ids, by these
rules, in this order:

1. the exact id;
2. the id, the Dutch label or the English label, case- and accent-insensitive
   (``_``, ``-`` and ``/`` count as spaces), also without a label's
   parenthetical part (``goede schoolprestaties`` for
   ``goede schoolprestaties (o.a. eindtoets)``);
3. one ``/``-separated part of a label (``voortijdig schoolverlaten``).

A name that matches two different ids at the first tier that matches is
refused (:class:`~factormodel.errors.AmbiguousNameError`, listing both); a name
that matches nothing raises the unknown-name error of its kind, with the closest
names first (:func:`~factormodel.errors.close_matches`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pandas as pd

from factormodel.core.model import FactorModel
from factormodel.errors import (
    AmbiguousNameError,
    InvalidParameterError,
    Message,
    UnknownIndicatorError,
    UnknownNodeError,
    close_matches,
    fold,
)
from factormodel.tables._cells import parse_number as parse_cell

__all__ = [
    "OPPOSITES",
    "Lexicon",
    "indicator_lexicon",
    "node_lexicon",
    "opposite_words",
    "parse_number",
    "resolve_indicator",
    "resolve_indicators",
    "resolve_node",
]


#: Word pairs that turn a measure into its opposite ("met"/"zonder" startkwalificatie).
#: "niet" on one side only also turns it. The one rule for "these two names measure the
#: opposite": hints never suggest such a name, and a column mapping offers it only as the
#: complement (:mod:`factormodel.columns`).
OPPOSITES = (("met", "zonder"), ("wel", "geen"), ("laag", "hoog"), ("veel", "weinig"),
             ("with", "without"), ("low", "high"))


def _words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", fold(name)))


def opposite_words(a: str, b: str) -> tuple[str, str] | None:
    """The words that make ``a`` measure the opposite of ``b`` (``("zonder", "met")``), or
    None when neither name negates the other.

    Examples
    --------
    >>> opposite_words("% 18-22 jaar zonder startkwalificatie",
    ...                "% jongeren 18-22 jaar met startkwalificatie")
    ('zonder', 'met')
    >>> opposite_words("% kinderen dat niet dagelijks beweegt", "% kinderen dat dagelijks beweegt")
    ('niet', '')
    >>> opposite_words("% huishoudens met laag inkomen", "% minderjarigen met laag inkomen") is None
    True
    """
    x, y = _words(a), _words(b)
    for one, other in OPPOSITES:
        for p, q in ((one, other), (other, one)):
            if p in x and q in y and not (q in x or p in y):
                return p, q
    if ("niet" in x) != ("niet" in y):
        return ("niet", "") if "niet" in x else ("", "niet")
    return None


def _forms(label: str) -> tuple[set[str], set[str]]:
    """(whole forms, part forms) of a label, folded."""
    bare = re.sub(r"\s*\([^)]*\)", "", label).strip()
    whole = {fold(label), fold(bare)} - {""}
    parts = {fold(p) for p in re.split(r"\s+/\s+", bare)} - {""} - whole
    return whole, parts


class Lexicon:
    """Names -> ids for one kind of thing (nodes or indicators).

    Parameters
    ----------
    kind : str
        ``"node"`` or ``"indicator"``, used in messages.
    labels : mapping id -> iterable of labels
    """

    def __init__(self, kind: str, labels: Mapping[str, Iterable[str]]) -> None:
        self.kind = kind
        self.ids = list(labels)
        self._tiers: list[dict[str, set[str]]] = [{}, {}]
        self._shown: dict[str, list[str]] = {}
        for i, names in labels.items():
            self._tiers[0].setdefault(fold(i), set()).add(i)
            shown = [i]
            for label in names:
                if not label:
                    continue
                whole, parts = _forms(str(label))
                for f in whole:
                    self._tiers[0].setdefault(f, set()).add(i)
                for f in parts:
                    self._tiers[1].setdefault(f, set()).add(i)
                shown.append(str(label))
            self._shown[i] = shown

    def find(self, name: str) -> str | None:
        """The id that ``name`` stands for by an exact id or label (folded), else None.

        No fuzzy matching: that is for messages, after a miss (:meth:`resolve`).

        Raises
        ------
        AmbiguousNameError
            When ``name`` fits two or more ids equally well.
        """
        name = str(name).strip()
        if name in self._shown:
            return name
        key = fold(name)
        for tier in self._tiers:
            hits = tier.get(key, set())
            if len(hits) == 1:
                return next(iter(hits))
            if len(hits) > 1:
                return self.resolve(name)  # raises, naming the ids
        return None

    def resolve(self, name: str, *, where: str = "") -> str:
        """The id that ``name`` stands for.

        Raises
        ------
        AmbiguousNameError
            When ``name`` fits two or more ids equally well.
        UnknownNodeError, UnknownIndicatorError
            When it fits none (with the closest names).
        """
        name = str(name).strip()
        if name in self._shown:
            return name
        key = fold(name)
        prefix = f"{where}: " if where else ""
        for tier in self._tiers:
            hits = tier.get(key, set())
            if len(hits) == 1:
                return next(iter(hits))
            if len(hits) > 1:
                fits = ", ".join(f"{i!r} ({self._shown[i][1] if len(self._shown[i]) > 1 else i})"
                                 for i in sorted(hits))
                raise AmbiguousNameError(
                    f"{prefix}{self.kind} name {name!r} is ambiguous: it fits {fits}; use the id",
                    code=f"ambiguous_{self.kind}_name",
                    fields={"where": where, "name": name, "fits": fits})
        everything = [n for names in self._shown.values() for n in names]
        same = [n for n in everything if opposite_words(name, n) is None]
        hint = close_matches(name, same, list_all=False) or Message(
            f"no close match among the {len(self.ids)} {self.kind} ids and their labels",
            f"no_close_match_among_{self.kind}s", {"n": len(self.ids)})
        if self.kind == "indicator" and len(same) < len(everything):
            turned = close_matches(name, [n for n in everything if n not in same],
                                   n=1, list_all=False)
            if isinstance(turned, Message):  # never suggested plainly: it measures the opposite
                other = turned.fields["names"][0]  # type: ignore[index]
                hint = Message(f"{hint}; {other!r} measures the opposite: if your column is its "
                               "complement (100 - x), say so in a column mapping (factormodel "
                               "kolommen)", "measures_the_opposite",
                               {"hint": hint, "name": other})
        error = UnknownNodeError if self.kind == "node" else UnknownIndicatorError
        raise error(f"{prefix}unknown {self.kind} {name!r}; {hint}", code=f"unknown_{self.kind}",
                    fields={"where": where, "name": name, "hint": hint})


def node_lexicon(model: FactorModel) -> Lexicon:
    """Ids and Dutch/English labels of the model's nodes (cached on the model)."""
    def build() -> Lexicon:
        nodes = model.nodes
        return Lexicon("node", {i: (cast(str, nodes.loc[i, "label_nl"]),
                                    cast(str, nodes.loc[i, "label_en"]))
                                for i in model.node_ids})
    return model.cached("node lexicon", build)


_LEXICONS: dict[tuple[Any, ...], Lexicon] = {}


def indicator_lexicon(catalogue: pd.DataFrame) -> Lexicon:
    """Ids and Dutch/English labels of an indicator catalogue (indexed by id).

    Cached by the catalogue's ids and labels, not by the object: every call that loads
    or copies the same catalogue (``recommend(area=...)`` does, once per goal) gets the
    one lexicon built for it, and a catalogue changed in place gets a new one; the
    last few are kept.

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_indicators(fm.load_model("rotterdam-jeugd"))
    >>> indicator_lexicon(cat) is indicator_lexicon(cat.copy())
    True
    """
    key = (tuple(str(i) for i in catalogue.index), tuple(catalogue["label_nl"].tolist()),
           tuple(catalogue["label_en"].tolist()))
    lex = _LEXICONS.get(key)
    if lex is not None:
        return lex
    lex = Lexicon("indicator", dict(zip(key[0], zip(key[1], key[2], strict=True),
                                        strict=True)))
    if len(_LEXICONS) >= 16:
        _LEXICONS.pop(next(iter(_LEXICONS)))
    _LEXICONS[key] = lex
    return lex


def resolve_node(model: FactorModel, name: str, *, where: str = "") -> str:
    """The node id for a user's word (id, Dutch or English label).

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> resolve_node(m, "VSV"), resolve_node(m, "Goede schoolprestaties")
    ('vsv', 'schoolprestaties')
    >>> resolve_node(m, "voortijdig schoolverlaten")
    'vsv'
    >>> resolve_node(m, "vsw")
    Traceback (most recent call last):
    ...
    factormodel.errors.UnknownNodeError: unknown node 'vsw'; did you mean 'vsv'?
    """
    return node_lexicon(model).resolve(name, where=where)


def resolve_indicator(catalogue: pd.DataFrame, name: str, *, where: str = "") -> str:
    """The indicator id for a user's word (id, Dutch or English label).

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_indicators(fm.load_model("rotterdam-jeugd"))
    >>> resolve_indicator(cat, "% Jongeren 4-17 jaar lid van een sportvereniging")
    'lid_sportvereniging'
    """
    return indicator_lexicon(catalogue).resolve(name, where=where)


def resolve_indicators(catalogue: pd.DataFrame, names: Iterable[str], *, where: str = ""
                       ) -> dict[str, str]:
    """``{name: indicator id}`` for every distinct name; all problems reported at once.

    Raises
    ------
    UnknownIndicatorError
        Listing every name that fits no indicator (and every ambiguous one).
    """
    lex = indicator_lexicon(catalogue)
    out: dict[str, str] = {}
    problems: list[Message] = []
    ambiguous = False
    for name in dict.fromkeys(map(str, names)):
        try:
            out[name] = lex.resolve(name)
        except (UnknownIndicatorError, AmbiguousNameError) as exc:
            ambiguous |= isinstance(exc, AmbiguousNameError)
            problems.append(Message(str(exc), exc.code, exc.fields))
    if problems:
        prefix = f"{where}: " if where else ""
        more = " ..." if len(problems) > 8 else ""
        error = AmbiguousNameError if ambiguous and len(problems) == 1 else UnknownIndicatorError
        raise error(f"{prefix}{len(problems)} indicator name(s) not understood: "
                    + "; ".join(problems[:8]) + more, code="names_not_understood",
                    fields={"where": where, "n": len(problems), "items": problems[:8],
                            "more": more})
    return out


def parse_number(value: str, *, what: str = "number", grouping: bool = True) -> float:
    """A number typed by a user (a command-line flag, a goal), read by the library's one
    cell parser (:mod:`factormodel._cells`), raising instead of returning the error.

    With ``grouping`` (amounts, counts; the default) Dutch thousands are read:
    ``250.000`` and ``250000`` are 250000, ``250.000,50`` is 250000.5. Without
    it a thousands separator is refused, and ``1,000`` is refused as ambiguous.

    Examples
    --------
    >>> parse_number("250.000"), parse_number("250.000,50"), parse_number("250000")
    (250000.0, 250000.5, 250000.0)
    >>> parse_number("-2,5"), parse_number("0,125"), parse_number("€ 1.250")
    (-2.5, 0.125, 1250.0)
    >>> parse_number("1,000", what="--delta", grouping=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    factormodel.errors.AmbiguousNameError: --delta '1,000' is not a number ('1,000' is ambiguous...
    """
    cell = str(value).strip()
    if grouping and cell.startswith("€"):  # an amount typed with its currency
        cell = cell[1:].strip()
    x, flag, err = parse_cell(cell, grouping=grouping)
    if err is None and flag:
        err = Message("no number given", "no_number_given") if flag == "missing" else \
            Message("expected a number", "expected_a_number")
    if err:
        error = AmbiguousNameError if "ambiguous" in err else InvalidParameterError
        raise error(f"{what} {value!r} is not a number ({err})", code="not_a_number",
                    fields={"what": what, "value": value, "why": err})
    return x
