"""Exceptions and warnings raised by factormodel.

Every exception derives from :class:`FactorModelError` and also from the matching
built-in exception (``ValueError``, ``KeyError``, ...), so callers can catch either.

Validation collects *all* problems before raising: :class:`ModelValidationError`
carries a tuple of :class:`Problem` objects, each with the place it was found
(file, line, column or node id) and what was expected there.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AmbiguousNameError",
    "CalibrationConvergenceError",
    "CollinearIndicatorsError",
    "CovarianceNotPositiveDefiniteError",
    "DataError",
    "DataWarning",
    "FactorModelError",
    "InvalidArgumentTypeError",
    "InvalidDeltaError",
    "InvalidParameterError",
    "Message",
    "MissingDependencyError",
    "ModelFileError",
    "ModelValidationError",
    "ModelWarning",
    "NotConvergentError",
    "OfflineError",
    "PlanMismatchError",
    "Problem",
    "TooFewAreasError",
    "UnknownAreaError",
    "UnknownEdgeError",
    "UnknownIndicatorError",
    "UnknownModelError",
    "UnknownNodeError",
    "close_matches",
    "error_code",
    "fold",
    "similarity",
]


def error_code(cls: type) -> str:
    """The default ``code`` of an error class: its name in snake case without ``Error``.

    Examples
    --------
    >>> error_code(UnknownAreaError), error_code(ModelValidationError)
    ('unknown_area', 'model_validation')
    """
    name = cls.__name__.lstrip("_")
    name = name[:-len("Error")] if name.endswith("Error") and name != "Error" else name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class _Coded:
    """The ``code`` and ``fields`` of an error or a warning (see :class:`FactorModelError`);
    the one place that gives them their defaults."""

    code: str
    fields: dict[str, object]

    def __init__(self, *args: object, code: str | None = None,
                 fields: dict[str, object] | None = None) -> None:
        super().__init__(*args)
        self.code = code or error_code(type(self))
        self.fields = dict(fields or {})


class FactorModelError(_Coded, Exception):
    """Base class of every error raised by factormodel.

    Besides its English message an error carries a ``code`` (a stable string for programs
    and for the text layer, which words it in the user's language) and the ``fields`` the
    message was made from (pint style). A raiser that words its message from a template
    gives ``code=`` and ``fields=``; without them the code is the class's
    (:func:`error_code`) and the fields are empty, and people see the English message.

    Parameters
    ----------
    *args
        The message (as for the built-in exception).
    code : str, optional
        The message's code, e.g. ``"area_not_in_profile"``.
    fields : mapping, optional
        The names, numbers and places the message was made from.

    Examples
    --------
    >>> e = UnknownAreaError("no area 'X' in the profile", code="area_not_in_profile",
    ...                      fields={"name": "X"})
    >>> e.code, e.fields, str(e)
    ('area_not_in_profile', {'name': 'X'}, "no area 'X' in the profile")
    >>> DataError("odd").code, DataError("odd").fields
    ('data', {})
    """



class Message(str):
    """An English text that also carries the ``code`` and ``fields`` it was made from.

    A part of a message that is a message itself (a hint of :func:`close_matches`, one
    item of a listed problem, a place) is a ``Message``: it reads as the English text
    (for programs, logs and f-strings), and the text layer words it in another language
    from its code and fields (``factormodel.text.messages.render``).

    Examples
    --------
    >>> m = Message("did you mean 'vsv'?", "did_you_mean", {"names": ["vsv"]})
    >>> m, m.code, m.fields
    ("did you mean 'vsv'?", 'did_you_mean', {'names': ['vsv']})
    """

    code: str
    fields: dict[str, object]

    def __new__(cls, text: str, code: str, fields: dict[str, object] | None = None
                ) -> Message:
        self = super().__new__(cls, text)
        self.code = code
        self.fields = dict(fields or {})
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Message, (str(self), self.code, self.fields))

    def to_doc(self) -> dict[str, object]:
        """The message as JSON: its English ``text``, ``code`` and ``fields`` (a nested
        message as ``{"message": ...}``), read back by :meth:`from_doc`.

        Examples
        --------
        >>> m = Message("x (did you mean 'vsv'?)", "name_and_hint", {
        ...     "name": "x", "hint": Message("did you mean 'vsv'?", "did_you_mean",
        ...                                  {"names": ["vsv"]})})
        >>> back = Message.from_doc(m.to_doc())
        >>> back == m, back.fields["hint"].code
        (True, 'did_you_mean')
        """
        return {"text": str(self), "code": self.code,
                "fields": {k: _field_doc(v) for k, v in self.fields.items()}}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Message:
        """The message of :meth:`to_doc`'s ``doc``."""
        return cls(str(doc["text"]), str(doc["code"]),
                   {str(k): _field_of(v) for k, v in dict(doc.get("fields") or {}).items()})


def _field_doc(value: object) -> object:
    if isinstance(value, Message):
        return {"message": value.to_doc()}
    if isinstance(value, list | tuple):
        return [_field_doc(v) for v in value]
    return value


def _field_of(doc: object) -> object:
    if isinstance(doc, dict) and set(doc) == {"message"}:
        return Message.from_doc(doc["message"])
    if isinstance(doc, list):
        return [_field_of(v) for v in doc]
    return doc


class _CodedWarning(_Coded, UserWarning):
    """A warning with a ``code`` and ``fields``, as :class:`FactorModelError` has."""


class ModelWarning(_CodedWarning):
    """A model is valid but something in it looks suspicious (e.g. a weight's sign)."""


class DataWarning(_CodedWarning):
    """Area data that read but look wrong (e.g. an area name one letter from another)."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a model.

    Parameters
    ----------
    where : str
        The place: ``"edges.csv line 7, column 'weight'"``, ``"node 'vsv'"``, ...
    message : str
        What is wrong and what was expected.
    key : tuple
        A machine-readable location ``(table, row, column)``; used to merge
        reports from several validators without listing one cell twice.
    code : str, optional
        The message's code (see :class:`FactorModelError`); empty when the problem is
        worded in English only.
    fields : dict, optional
        The names and numbers the message was made from.

    Examples
    --------
    >>> p = Problem("w.csv", "column 'x' appears more than once", code="column_twice",
    ...             fields={"column": "x"})
    >>> str(p), p.code, p == Problem("w.csv", "column 'x' appears more than once")
    ("w.csv: column 'x' appears more than once", 'column_twice', True)
    """

    where: str
    message: str
    key: tuple = ()
    code: str = field(default="", compare=False)
    fields: dict[str, object] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_message(self) -> Message:
        """The problem as one :class:`Message` (``where: message``), e.g. to list it in
        an error's fields.

        Examples
        --------
        >>> m = Problem("w.csv", "the file is empty; expected a header row",
        ...             code="empty_file").as_message()
        >>> m, m.code, m.fields["message"].code
        ('w.csv: the file is empty; expected a header row', 'problem', 'empty_file')
        """
        return Message(str(self), "problem", {
            "where": self.where, "message": Message(self.message, self.code, self.fields)})


class ModelValidationError(FactorModelError, ValueError):
    """A model (file or tables) has one or more problems; all are listed.

    Attributes
    ----------
    problems : tuple of Problem
        Every problem that was found, in file order.
    source : str
        The file, folder or object that was validated.
    """

    def __init__(self, problems: Iterable[Problem], source: str = "model") -> None:
        self.problems = tuple(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source} has {n} problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]),
                         fields={"source": source, "n": n})

    def __str__(self) -> str:  # KeyError-style repr quoting does not apply here
        return self.args[0]


class ModelFileError(FactorModelError, OSError):
    """A model file or folder cannot be read or written (missing, unreadable, not CSV/JSON)."""

    def __str__(self) -> str:
        return self.args[0] if self.args else super().__str__()


class NotConvergentError(FactorModelError, ArithmeticError):
    """Effects do not converge: a feedback loop is too strong (spectral radius >= 1),
    or an FCM iteration did not settle.

    Attributes
    ----------
    spectral_radius : float
        Spectral radius of the attenuated weight matrix (NaN for FCM runs).
    loop : tuple of str
        The strongest feedback loop found, as node ids (first node not repeated).
    max_alpha : float
        Total effects exist for every attenuation ``alpha`` below this value.
    """

    def __init__(self, message: str, *, spectral_radius: float = float("nan"),
                 loop: tuple[str, ...] = (), max_alpha: float = float("nan"),
                 code: str | None = None) -> None:
        super().__init__(message, code=code, fields={
            "spectral_radius": spectral_radius, "loop": list(loop), "max_alpha": max_alpha})
        self.spectral_radius = spectral_radius
        self.loop = loop
        self.max_alpha = max_alpha


class InvalidDeltaError(FactorModelError, ValueError):
    """A given delta is missing, NaN, infinite or not a number."""


class InvalidParameterError(FactorModelError, ValueError):
    """An argument is out of its range (e.g. a negative attenuation ``alpha``)."""


class InvalidArgumentTypeError(InvalidParameterError, TypeError):
    """An argument has the wrong type (e.g. ``None`` where a path is expected)."""


class DataError(FactorModelError, ValueError):
    """Area data cannot be used as given: duplicate rows, bad values, unit or direction
    mismatches, missing populations, an unknown year. The message names the values."""


class TooFewAreasError(DataError):
    """Too few areas for what a calibration must estimate (the message says how many of
    each and the remedy: more areas or years, fewer indicators, a prior)."""


class CovarianceNotPositiveDefiniteError(DataError):
    """The covariance of the measured indicators across areas is not positive definite
    (indicators measured in different areas); the message names them and the remedy."""


class CollinearIndicatorsError(CovarianceNotPositiveDefiniteError):
    """Measured indicators are a linear combination of each other across the areas; the
    message names them and the remedy (drop or combine one)."""


class CalibrationConvergenceError(NotConvergentError):
    """A calibration's optimiser did not converge, or its fitted weights diverge; the
    message says which and the remedy."""


class PlanMismatchError(DataError):
    """A wijkplan does not belong to this model (version, content hash) or these data (the
    file's SHA-256): the message says what changed and what it means."""


class MissingDependencyError(FactorModelError, ImportError):
    """An optional package is needed (the message names it and the extra that installs it)."""


class OfflineError(FactorModelError, ConnectionError):
    """A remote source (e.g. CBS StatLine) could not be reached."""


class _LookupError(FactorModelError, KeyError):
    """KeyError subclasses print their message without repr-quoting."""

    def __str__(self) -> str:
        return self.args[0] if self.args else super().__str__()


class UnknownModelError(_LookupError):
    """A model name is neither a bundled model nor an existing path."""


class UnknownNodeError(_LookupError):
    """A node id is not in the model."""


class UnknownAreaError(_LookupError):
    """An area name or CBS code is not in the area registry."""


class UnknownIndicatorError(_LookupError):
    """An indicator id is not in the indicator catalogue."""


class UnknownTableError(_LookupError):
    """A model carries no table of that name (e.g. no indicator catalogue)."""


class AmbiguousNameError(FactorModelError, ValueError):
    """A name (a node or indicator label, a number) can be read in more than one way;
    the message lists the readings and how to say it unambiguously."""


class UnknownEdgeError(_LookupError):
    """An edge ``(source, target)`` is not in the model."""


def fold(name: str) -> str:
    """``name`` folded for matching the user's words: lower case, accents removed,
    ``_``/``-``/``/`` and runs of spaces made one space.

    Examples
    --------
    >>> fold("Schoolverzuim (ongeoorloofd / langdurig)")
    'schoolverzuim (ongeoorloofd langdurig)'
    >>> fold("Café_Vóór")
    'cafe voor'
    """
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[_\-/]+", " ", plain).split())


#: Least :func:`similarity` of a suggested name (below it a name is not offered).
CLOSE = 0.6


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, after :func:`fold` (a name contained in the other
    counts as close).

    Examples
    --------
    >>> similarity("VSV", "vsv"), round(similarity("verzuim", "schoolverzuim"), 2)
    (1.0, 0.9)
    """
    x, y = fold(a), fold(b)
    if not x or not y:
        return 0.0
    ratio = difflib.SequenceMatcher(None, x, y).ratio()
    if x == y:
        return 1.0
    if len(x) >= 3 and (x in y.split() or x in y or y in x):
        ratio = max(ratio, 0.9 if x in y.split() or y in x.split() or x in y else 0.8)
    return ratio


def close_matches(name: str, valid: Iterable[str], n: int = 3, *, list_all: bool = True) -> str:
    """Return a human-readable hint naming the valid values closest to ``name``.

    The hint is a :class:`Message` (codes ``did_you_mean``, ``no_close_match_valid``,
    ``no_close_match_among``), so the text layer words it in the user's language.
    Values are ranked by :func:`similarity` (case- and accent-insensitive,
    closest first); only values with similarity >= 0.6 are suggested, never
    unrelated ones. Without a close match the hint says so: with ``list_all``
    it lists every valid value when there are at most 8 (the whole choice, not
    a guess), else it gives their number; without ``list_all`` it is empty.

    Examples
    --------
    >>> close_matches("vsw", ["vsv", "neet", "geweld"])
    "did you mean 'vsv'?"
    >>> close_matches("verzuim", ["vsv", "schoolverzuim", "neet"])
    "did you mean 'schoolverzuim'?"
    >>> close_matches("foo", ["vsv", "neet"])
    "no close match; valid values: 'neet', 'vsv'"
    >>> close_matches("foo", [f"node_{i}" for i in range(70)])
    'no close match among 70 valid values'
    >>> close_matches("x", [])
    ''
    """
    valid = list(dict.fromkeys(str(v) for v in valid))
    if not valid:
        return ""
    scores = {v: similarity(str(name), v) for v in valid}
    ranked = sorted(valid, key=lambda v: (-scores[v], v))
    near = [v for v in ranked[:n] if scores[v] >= CLOSE]
    if near:
        return Message("did you mean " + " or ".join(repr(v) for v in near) + "?",
                       "did_you_mean", {"names": near})
    if not list_all:
        return ""
    if len(valid) <= 8:
        return Message("no close match; valid values: " + ", ".join(repr(v) for v in ranked),
                       "no_close_match_valid", {"names": ranked})
    return Message(f"no close match among {len(valid)} valid values", "no_close_match_among",
                   {"n": len(valid)})
