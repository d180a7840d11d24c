"""From measured indicators per area to factor deltas, and back to indicator units.

An *indicator catalogue* (``models/<name>/indicators.csv``) maps each
indicator to one model node, with a ``direction`` (+1 if more of the indicator
means more of the node, -1 otherwise) and a ``scale`` (the spread across areas
in the indicator's own unit, or another documented reference scale). The delta
of area *a* on indicator *k* is

    z = direction × (value − reference) / scale

where the reference is the city average (population-weighted when populations
are given), the area's own value in the previous year, or a target. A node's
delta is the weighted mean of the z of its measured indicators (weights from
the catalogue; unmeasured indicators are left out and the weights of the
others renormalised). A node with no measured indicator stays NaN: it is
*unmeasured*, never zero, and propagation predicts it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from factormodel.core import units
from factormodel.core.model import FactorModel
from factormodel.core.propagate import raise_if_transposed
from factormodel.errors import (
    AmbiguousNameError,
    DataError,
    DataWarning,
    FactorModelError,
    InvalidParameterError,
    Message,
    ModelValidationError,
    Problem,
    UnknownAreaError,
    UnknownIndicatorError,
    UnknownModelError,
    UnknownNodeError,
    close_matches,
)
from factormodel.files.areas import AREA_DATA_COLUMNS, LEVELS, normalize_area_data
from factormodel.files.datasets import data_path
from factormodel.files.folders import (
    CREDITS_NL,
    EXAMPLE_DATA,
    load_catalogue,
    load_model,
    read_area_data,
    read_table,
)
from factormodel.tables._cells import (
    TableSource,
    covering_rows,
    factorize_column,
    parse_number,
    require_columns,
    table_decimal_mark,
    text,
    year_argument,
)
from factormodel.tables._results import PROVENANCE, provenance_of

__all__ = [
    "CATALOGUE_COLUMNS",
    "CITY_NAMES",
    "Profile",
    "area_deltas",
    "area_table",
    "as_catalogue",
    "build_catalogue",
    "check_profile",
    "combine_profiles",
    "coverage",
    "data_catalogue",
    "deltas_frame",
    "indicator_table",
    "label_pair",
    "load_example_indicators",
    "load_indicators",
    "profile",
    "profile_index",
    "to_indicator_units",
]

CATALOGUE_COLUMNS = ("id", "node", "label_nl", "label_en", "unit", "direction", "source",
                     "level", "measure", "link", "sd_individual", "sd_source", "scale",
                     "weight", "typical", "target", "definition", "basis", "availability",
                     "constructed")
_REQUIRED = ("id", "node", "label_nl", "label_en", "unit", "direction", "source", "level")
REFERENCES = ("city", "previous_year", "target", "typical", "values")
#: Area names that mean "the city" in a user's data (case-insensitive): such rows
#: are the reference, never an area. Configurable with ``profile(city=...)``.
CITY_NAMES = ("rotterdam", "stad", "gemeente rotterdam", "gm0599")
#: Index points per standard deviation in :func:`profile_index`.
INDEX_POINTS_PER_SD = 10.0


def build_catalogue(raw: pd.DataFrame, model: FactorModel, src: TableSource) -> pd.DataFrame:
    """Validate an indicator catalogue against ``model``; report every problem at once.

    Returns the catalogue indexed by indicator id, with ``direction`` as int (0 for
    ``ambiguous``: not used for deltas), ``scale``/``weight``/``typical``/``target`` as
    float (``weight`` defaults to 1, the others to NaN when empty), ``availability``
    (at which level it is published) and ``constructed`` (True for an indicator defined
    here without a confirmed public series).
    """
    cols, _, problems = require_columns(raw.columns, _REQUIRED, src)
    if problems:
        raise ModelValidationError(problems, src.file or src.table)
    n = len(raw)
    if n == 0:
        raise ModelValidationError([Problem(src.where(), "the catalogue has no indicators")],
                                   src.file or src.table)
    get = {c: (raw[cols[c]].tolist() if c in cols else [None] * n) for c in CATALOGUE_COLUMNS}
    mark = table_decimal_mark(get[c] for c in ("scale", "weight", "typical", "target",
                                               "sd_individual"))
    out: dict[str, list] = {c: [] for c in CATALOGUE_COLUMNS}
    seen: dict[str, int] = {}

    def bad(i: int, c: str, msg: str) -> None:
        problems.append(Problem(src.where(i, c), msg))

    for i in range(n):
        ind = text(get["id"][i])
        if not ind:
            bad(i, "id", "missing indicator id")
        elif ind in seen:
            bad(i, "id", f"duplicate indicator id {ind!r} (first at {src.where(seen[ind])})")
        else:
            seen[ind] = i
        node = text(get["node"][i])
        if node not in model:
            bad(i, "node", f"unknown node {node!r} in model {model.name!r}; "
                f"{close_matches(node, model.node_ids)}")
        direction = text(get["direction"][i]).replace("+", "").lower()
        if direction not in ("1", "-1", "1.0", "-1.0", "ambiguous"):
            bad(i, "direction", "direction must be +1, -1 or 'ambiguous', got "
                f"{text(get['direction'][i])!r}")
        level = text(get["level"][i]).lower()
        if level not in LEVELS:
            bad(i, "level", f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        for c in ("label_nl", "label_en", "unit", "source"):
            if not text(get[c][i]):
                bad(i, c, f"missing {c}")
        nums: dict[str, float | None] = {}
        for c in ("scale", "weight", "typical", "target", "sd_individual"):
            x, _, err = parse_number(get[c][i], percent=c != "weight", decimal=mark)
            if err:
                bad(i, c, err)
            nums[c] = None if np.isnan(x) else x
        if nums["scale"] is not None and nums["scale"] <= 0:
            bad(i, "scale", "scale must be a number above 0 (the spread across areas, in "
                "the indicator's unit), or empty")
        if nums["weight"] is not None and nums["weight"] <= 0:
            bad(i, "weight", "weight must be above 0")
        measure, link = _measurement(i, text(get["unit"][i]), text(get["measure"][i]).lower(),
                                     text(get["link"][i]).lower(), nums, bad)
        out["id"].append(ind)
        out["node"].append(node)
        for c in ("label_nl", "label_en", "unit", "source", "definition", "basis",
                  "availability", "sd_source"):
            out[c].append(text(get[c][i]))
        out["measure"].append(measure)
        out["link"].append(link)
        out["sd_individual"].append(np.nan if nums["sd_individual"] is None
                                    else nums["sd_individual"])
        constructed = text(get["constructed"][i]).lower()
        if constructed not in ("", "true", "false"):
            bad(i, "constructed", f"constructed must be true or false, got {constructed!r}")
        out["constructed"].append(constructed == "true")
        out["direction"].append(0 if direction == "ambiguous" else
                                -1 if direction.startswith("-") else 1)
        out["level"].append(level)
        out["scale"].append(np.nan if nums["scale"] is None else nums["scale"])
        out["weight"].append(1.0 if nums["weight"] is None else nums["weight"])
        out["typical"].append(np.nan if nums["typical"] is None else nums["typical"])
        out["target"].append(np.nan if nums["target"] is None else nums["target"])
    if problems:
        raise ModelValidationError(problems, src.file or src.table)
    cat = pd.DataFrame(out, columns=list(CATALOGUE_COLUMNS)).set_index("id")
    cat["direction"] = cat["direction"].astype(int)
    return cat


def _measurement(i: int, unit: str, measure: str, link: str, nums: dict[str, float | None],
                 bad: Any) -> tuple[str, str]:
    """Check one catalogue row's measurement model (see :mod:`factormodel.units`); returns
    its measure and link with the defaults filled in. Problems go to ``bad(i, column, msg)``."""
    implied = units.default_measure(unit)
    if not measure:
        measure = implied
        if not measure:
            bad(i, "measure", f"missing measure: the unit {unit!r} is not a share (%) or a rate "
                "(per 1000), so say what the value is: 'mean' (a mean score; give "
                "sd_individual, the instrument's SD between persons, and sd_source) or 'index' "
                "(no known individual SD; give an assumed sd_individual)")
            return "", ""
    if measure not in units.MEASURES:
        bad(i, "measure", f"unknown measure {measure!r}; expected one of "
            f"{', '.join(units.MEASURES)}")
        return measure, link
    if measure in units.PER and implied != measure:
        want = "%" if measure == "share" else "per 1000"
        bad(i, "measure", f"measure {measure!r} needs the unit {want!r}, got {unit!r}")
    if measure in units.PER:
        link = link or "probit"
        if nums["sd_individual"] is not None:
            bad(i, "sd_individual", f"a {measure}'s SD between persons follows from its link; "
                "leave sd_individual empty")
        top = units.PER[measure]
        for c in ("typical", "target"):
            x = nums[c]
            if x is not None and not 0 < x < top:
                bad(i, c, f"{c} {x:g} of a {measure} must lie between 0 and {top:g} "
                    "(a share of exactly 0 or everyone has no liability)")
    else:
        if link == "probit":
            bad(i, "link", f"the probit link is for shares and rates; a {measure} is linear "
                "(leave link empty or write 'linear')")
        link = "linear"
        sd = nums["sd_individual"]
        if sd is None or sd <= 0:
            what = ("the instrument's SD between persons (from its norm tables; name it in "
                    "sd_source)" if measure == "mean" else
                    "an assumed SD between persons (say so in sd_source: every output repeats "
                    "it)")
            bad(i, "sd_individual", f"a {measure} needs sd_individual above 0: {what}")
    if link not in units.LINKS:
        bad(i, "link", f"unknown link {link!r}; expected one of {', '.join(units.LINKS)}")
    return measure, link


# --------------------------------------------------------------------------- Profile

#: How each kind of reference is named in explanations (Dutch, English); a city average
#: that :func:`profile` computed from the areas themselves is named by its code
#: (``Profile.reference_code``) with the number of areas (``{n}``) as its field.
REFERENCE_NAMES = {
    "reference_mean": ("het gemiddelde van {n} gebieden in de data",
                       "the mean of {n} areas in the data"),
    "reference_weighted_mean": ("het naar bevolking gewogen gemiddelde van {n} gebieden in "
                                "de data",
                                "the population-weighted mean of {n} areas in the data"),
    "city": ("het stedelijk gemiddelde", "the city average"),
    "previous_year": ("vorig jaar", "last year"),
    "target": ("de doelwaarde", "the target"),
    "given": ("de referentie", "the reference"),
    "typical": ("het typische niveau uit de catalogus (aanname)",
                "the catalogue's typical level (an assumption)"),
    "values": ("de opgegeven referentiewaarden", "the given reference values"),
}


@dataclass(frozen=True, repr=False, eq=False)
class Profile:
    """Deltas of every node per area (SD between individuals), and their reference.

    Returned by :func:`profile`. The reference travels with the deltas, so every
    explanation built from a profile states it; profiles with different
    references, levels or models cannot be combined (:func:`combine_profiles`).

    Attributes
    ----------
    deltas : DataFrame
        Areas x nodes (model order), SD; NaN where a node is not measured.
    reference : {"city", "previous_year", "target", "given"}
        What a delta is measured against (``given``: deltas supplied directly).
    reference_values : Series
        Per indicator, the reference value in the indicator's unit (the city
        average or the target); empty for ``previous_year`` (per area).
    values : DataFrame
        Areas x indicators: each area's own value in the indicator's unit (what
        :func:`to_indicator_units` converts changes at, and what a report shows first).
    references : DataFrame
        Areas x indicators: the reference each area's value was measured against (the
        city's figure, or for ``previous_year`` the area's own value a year before):
        where a predicted *difference from the reference* converts.
    indicators : DataFrame or None
        The indicator catalogue the deltas were computed with.
    year : int or None
    level : str
        Area level (``wijk``, ``gebied``, ...), ``""`` if unknown.
    model_name : str
    population : Series
        Young people per area where the data give it (NaN otherwise).
    synthetic : bool
        True when the area data are synthetic example data.
    reference_source : str
        Where the reference values came from, in words (e.g. the data's city
        row ``'Rotterdam'``, the mean of 14 areas, a file); a mean the profile computed
        itself is a :class:`~factormodel.errors.Message` with its code and fields (see
        :attr:`reference_code`).
    assumptions : tuple of str
        What the reference assumes (e.g. the catalogue's typical levels are
        not measurements); shown with every table built from the profile.
    left_out : tuple of str
        Indicators in the data whose catalogue direction is ``ambiguous`` (more can be
        better or worse, e.g. jeugdhulp use, Veilig Thuis reports): not used for the
        deltas, so not for room to improve, until the catalogue gives them +1 or -1.
    status : str
        The data's own ``status`` column (``real``, ``synthetic``), if any.
    source : str
        The data's credit line (its ``source`` column), if any.
    population_column : str
        The data column the populations came from (``""`` when none); whether
        it counts young people or all residents decides whether a portfolio may
        use it (:func:`factormodel.young_people`).
    """

    deltas: pd.DataFrame
    reference: str = "given"
    reference_values: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    values: pd.DataFrame = field(default_factory=pd.DataFrame)
    references: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame | None = None
    year: int | None = None
    level: str = ""
    model_name: str = ""
    population: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    synthetic: bool = False
    reference_source: str = ""
    assumptions: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    status: str = ""
    source: str = ""
    population_column: str = ""

    def __post_init__(self) -> None:
        # the deltas say what they were computed from, also when handed on alone
        # (prof.deltas, prof.row(area)[...]): propagate, sensitivity and the plots read it
        deltas = self.deltas.copy(deep=False)
        deltas.attrs[PROVENANCE] = self.provenance()
        object.__setattr__(self, "deltas", deltas)

    # pandas-like access to the deltas
    @property
    def index(self) -> pd.Index:
        """The areas."""
        return self.deltas.index

    @property
    def columns(self) -> pd.Index:
        """The nodes."""
        return self.deltas.columns

    @property
    def loc(self) -> Any:
        """Label-based access to :attr:`deltas`."""
        return self.deltas.loc

    def __getitem__(self, key: Any) -> Any:
        return self.deltas[key]

    def __len__(self) -> int:
        return len(self.deltas)

    def row(self, area: Any) -> pd.Series:
        """The deltas of one area (raises :class:`UnknownAreaError` with close matches).

        The row carries :meth:`provenance` in its ``attrs``, so what is computed from it
        (:func:`factormodel.propagate`, :func:`factormodel.sensitivity`) and the figures
        drawn from that still name the area, the reference and synthetic data.
        """
        row, area = area_deltas(self, area)
        row = row.copy(deep=False)
        row.attrs = {PROVENANCE: self.provenance(area)}
        return row

    def provenance(self, area: Any = None) -> dict[str, Any]:
        """What the deltas were computed from, as plain values (for results and figures).

        Keys: ``area`` (when given), ``year``, ``level``, ``reference`` (its kind),
        ``reference_nl`` / ``reference_en`` (:meth:`reference_name`), ``synthetic``,
        ``credit_nl`` / ``credit_en`` (:meth:`credit`).

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> p = fm.profile(m, fm.load_example_data(), level="wijk").provenance("Oud-Crooswijk")
        >>> p["area"], p["year"], p["synthetic"], p["reference_nl"]
        ('Oud-Crooswijk', 2023, True, 'het stedelijk gemiddelde')
        """
        out: dict[str, Any] = {} if area is None else {"area": area}
        return out | {"year": self.year, "level": self.level, "reference": self.reference,
                      "reference_nl": self.reference_name("nl"),
                      "reference_en": self.reference_name("en"),
                      "synthetic": bool(self.synthetic),
                      "credit_nl": self.credit("nl"), "credit_en": self.credit("en")}

    def reference_name(self, lang: str = "en") -> str:
        """The reference in words, e.g. ``"the city average"`` / ``"het stedelijk gemiddelde"``.

        A city average computed from the areas in the data themselves (the data have
        no city row) is named as such, e.g. ``"het naar bevolking gewogen gemiddelde van
        75 gebieden in de data"``: it is not the city's own figure when areas are absent.

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> cbs = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
        ...                  indicators=fm.load_example_indicators("cbs_kwb2017"))
        >>> cbs.reference_name("nl")
        'het naar bevolking gewogen gemiddelde van 75 gebieden in de data'
        >>> cbs.reference_name("en")
        'the population-weighted mean of 75 areas in the data'
        """
        nl, en = REFERENCE_NAMES.get(self.reference_code, (self.reference, self.reference))
        return (nl if lang == "nl" else en).format(**self.reference_fields)

    @property
    def reference_code(self) -> str:
        """What the deltas are measured against, as a code: the kind of reference
        (``city``, ``typical``, ...), or ``reference_mean`` / ``reference_weighted_mean``
        for a city average computed from the areas in the data (its number of areas in
        :attr:`reference_fields`).

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> cbs = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
        ...                  indicators=fm.load_example_indicators("cbs_kwb2017"))
        >>> cbs.reference_code, cbs.reference_fields
        ('reference_weighted_mean', {'n': 75})
        """
        source = self.reference_source
        if self.reference == "city" and isinstance(source, Message) \
                and source.code in REFERENCE_NAMES:
            return source.code
        return self.reference

    @property
    def reference_fields(self) -> dict[str, object]:
        """The fields of :attr:`reference_code` (``{"n": 75}``; empty for a plain kind)."""
        source = self.reference_source
        return dict(source.fields) if self.reference_code != self.reference \
            and isinstance(source, Message) else {}

    def credit(self, lang: str = "en") -> str:
        """The data's credit line (:attr:`source`) in ``lang`` where a translation is known.

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> cbs = fm.profile(m, fm.load_example_data("cbs_kwb2017"),
        ...                  indicators=fm.load_example_indicators("cbs_kwb2017"))
        >>> print(cbs.credit("nl"))
        Bron: CBS, Kerncijfers wijken en buurten 2017 (83765NED), CC BY 4.0; 75 van de 92
        Rotterdamse buurten: 17 met onvolledige waarden ontbreken, niet aangevuld
        """
        text = self.source
        if lang == "nl":
            for en, nl in CREDITS_NL.items():
                text = text.replace(en, nl)
        return text

    def area_levels(self, area: Any) -> dict[str, float]:
        """The area's own measured value per indicator (its current levels), for goals and
        required changes: the levels a change converts at in every face.

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> p = fm.profile(m, fm.load_example_data(), level="wijk")
        >>> p.area_levels("Oud-Crooswijk")["vsv_nieuw"]
        1.7
        """
        self.row(area)
        if area not in self.values.index:
            return {}
        own = self.values.loc[area]
        return {str(k): float(v) for k, v in own.items() if np.isfinite(v)}

    def population_of(self, area: Any) -> float:
        """Young people in ``area`` as given in the data (for portfolios).

        Raises
        ------
        DataError
            When the data give no population for the area.
        """
        self.row(area)
        value = self.population.get(area, np.nan)
        if value is None or not np.isfinite(value):
            raise DataError(f"no population for {area!r} in the data; give it yourself "
                            "(population=... in Python, --population on the command line)",
                            code="no_population_in_profile", fields={"area": area})
        return float(value)

    def to_frame(self) -> pd.DataFrame:
        """The deltas, areas x nodes (a copy)."""
        return self.deltas.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: reference, year, level, model and the deltas (NaN as None)."""
        from factormodel.tables._json import json_safe

        return json_safe({
            "model": self.model_name, "reference": self.reference, "year": self.year,
            "level": self.level, "synthetic": self.synthetic, "status": self.status,
            "source": self.source, "reference_source": self.reference_source,
            "assumptions": list(self.assumptions),
            "reference_values": self.reference_values.to_dict(),
            "left_out_ambiguous_direction": list(self.left_out),
            "deltas": {str(a): row.to_dict() for a, row in self.deltas.iterrows()}})

    def __repr__(self) -> str:
        known = " ".join(str(x) for x in (self.level, self.year) if x not in ("", None))
        return (f"<Profile of {len(self.deltas)} area(s){', ' + known if known else ''}, "
                "against "
                f"{self.reference_name()}{', SYNTHETIC data' if self.synthetic else ''}"
                f"{', REAL data' if self.status == 'real' else ''}"
                f"{'; ' + self.source if self.source else ''}>")

    def _repr_html_(self) -> str:
        from factormodel.tables._html import profile_html

        return profile_html(self)


def deltas_frame(profile: Profile | pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The deltas of a :class:`Profile` (or a DataFrame / one-area Series) as areas x nodes."""
    if isinstance(profile, Profile):
        return profile.deltas
    if isinstance(profile, pd.Series):
        return profile.to_frame().T
    if isinstance(profile, pd.DataFrame):
        return profile
    raise InvalidParameterError("a profile must be a Profile (from factormodel.profile), a "
                                f"DataFrame of areas x nodes or a Series; got "
                                f"{type(profile).__name__}")


def check_profile(model: FactorModel, profile: Profile | pd.DataFrame | pd.Series) -> None:
    """Refuse a table of deltas that is not areas x nodes: transposed (node ids as rows,
    e.g. ``profile.deltas.T``), or with no column that is a node of ``model``, which an
    analysis would otherwise read as "nothing measured" and answer with an empty result.

    Raises
    ------
    UnknownNodeError
        Saying which, with the first few columns.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> m = fm.load_model("toy")
    >>> check_profile(m, pd.DataFrame({"Noord": [0.5]}, index=["A"]))
    Traceback (most recent call last):
    ...
    factormodel.errors.UnknownNodeError: none of the 1 column(s) of the deltas is a node of
    model 'toy' ('Noord'); expected areas as rows and node ids as columns
    """
    if not isinstance(profile, pd.DataFrame) or not len(profile.columns):
        return
    raise_if_transposed(model, profile)
    cols = [str(c) for c in profile.columns]
    if not any(c in model for c in cols):
        shown = ", ".join(map(repr, cols[:3])) + (", ..." if len(cols) > 3 else "")
        raise UnknownNodeError(f"none of the {len(cols)} column(s) of the deltas is a node of "
                               f"model {model.name!r} ({shown}); expected areas as rows and "
                               "node ids as columns")


def area_deltas(profile: Profile | pd.DataFrame | pd.Series, area: Any = None
                ) -> tuple[pd.Series, Any]:
    """The deltas of one area and its name.

    A Series is one area already (its name is the area unless ``area`` is given).

    Raises
    ------
    UnknownAreaError
        For an area that is not in the profile, with close matches.
    """
    if isinstance(profile, pd.Series):
        return profile, area if area is not None else profile.name
    frame = deltas_frame(profile)
    if area is None and len(frame) == 1:
        area = frame.index[0]
    if area not in frame.index:
        level = f" (level {profile.level})" if isinstance(profile, Profile) and profile.level \
            else ""
        hint = close_matches(str(area), [str(a) for a in frame.index])
        raise UnknownAreaError(
            f"no area {area!r} in the profile{level}; {hint}",
            code="area_not_in_profile_at_level" if level else "area_not_in_profile",
            fields={"name": area, "hint": hint, **({"level": profile.level} if level else {})})
    row = frame.loc[area]
    if isinstance(row, pd.DataFrame):
        raise DataError(f"area {area!r} appears more than once in the profile")
    return row, area


def reference_name(profile: Any, lang: str = "en") -> str:
    """How an explanation names the reference of ``profile`` (a Profile or plain deltas)."""
    if isinstance(profile, Profile):
        return profile.reference_name(lang)
    nl, en = REFERENCE_NAMES["given"]
    return nl if lang == "nl" else en


def combine_profiles(profiles: Sequence[Profile]) -> Profile:
    """Stack profiles of different areas or years that share model, reference and level.

    Raises
    ------
    DataError
        When the profiles differ in reference, level or model: their deltas are
        not comparable.
    """
    profiles = list(profiles)
    if not profiles or not all(isinstance(p, Profile) for p in profiles):
        raise InvalidParameterError("combine_profiles needs a list of Profile objects")
    first = profiles[0]
    for key in ("reference", "level", "model_name"):
        values = sorted({str(getattr(p, key)) for p in profiles})
        if len(values) > 1:
            raise DataError(f"cannot combine profiles with different {key}s ({', '.join(values)})"
                            ": their deltas are measured against different things")
    years = {p.year for p in profiles}
    deltas = pd.concat([p.deltas for p in profiles])
    if deltas.index.has_duplicates:
        raise DataError("cannot combine profiles: an area appears in more than one of them "
                        f"({', '.join(map(str, deltas.index[deltas.index.duplicated()][:5]))})")
    ref_values = pd.concat([p.reference_values for p in profiles])
    return Profile(deltas=deltas, reference=first.reference,
                   reference_values=ref_values[~ref_values.index.duplicated()],
                   values=pd.concat([p.values for p in profiles]),
                   references=pd.concat([p.references for p in profiles]),
                   indicators=first.indicators,
                   year=first.year if len(years) == 1 else None, level=first.level,
                   model_name=first.model_name,
                   population=pd.concat([p.population for p in profiles]),
                   synthetic=any(p.synthetic for p in profiles),
                   left_out=tuple(sorted({k for p in profiles for k in p.left_out})),
                   status=", ".join(sorted({p.status for p in profiles} - {""})),
                   source="; ".join(sorted({p.source for p in profiles} - {""})))


# --------------------------------------------------------------------------- helpers


def load_indicators(model: FactorModel, path: str | PathLike[str] | None = None) -> pd.DataFrame:
    """The indicator catalogue of ``model``, validated against it.

    Parameters
    ----------
    model : FactorModel
    path : path, optional
        A catalogue CSV; by default the ``indicators`` table the model was
        loaded with (its folder's ``indicators.csv``), validated once per model.

    Returns
    -------
    DataFrame
        Indexed by indicator id: node, labels, unit, direction, source, level,
        scale, weight, typical, target, definition, basis.

    Raises
    ------
    UnknownTableError
        If the model carries no indicator catalogue and no path is given.

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_indicators(fm.load_model("toy"))
    >>> print(cat.loc["vsv_nieuw", ["node", "unit", "direction", "scale"]].to_string())
    node           vsv
    unit             %
    direction        1
    scale          0.8
    """
    return load_catalogue(model, "indicators", build_catalogue, path)


def _catalogue(model: FactorModel, indicators: pd.DataFrame | None) -> pd.DataFrame:
    return load_indicators(model) if indicators is None else indicators


def load_example_indicators(name: str = "cbs_kwb2017", model: FactorModel | None = None
                            ) -> pd.DataFrame:
    """The indicator catalogue of an example dataset (:func:`factormodel.load_example_data`).

    ``"cbs_kwb2017"``: the REAL CBS 2017 buurt data mapped onto the
    rotterdam-jeugd model: % households at or below 105% of the social minimum
    -> ``armoede``; average income per inhabitant -> ``concentratie_armoede_buurt``
    (direction -1, a constructed mapping: see the ``basis`` column).
    ``"rotterdam"``: the model's own catalogue.

    Examples
    --------
    >>> import factormodel as fm
    >>> cat = fm.load_example_indicators("cbs_kwb2017")
    >>> cat["node"].tolist()
    ['armoede', 'concentratie_armoede_buurt']
    """
    if name not in EXAMPLE_DATA:
        raise UnknownModelError(f"no example data {name!r}; available: "
                                f"{', '.join(EXAMPLE_DATA)}")
    model = model or load_model("rotterdam-jeugd")
    if name == "rotterdam":
        return load_indicators(model)
    return load_indicators(model, data_path(f"{name}_indicators.csv"))


def as_catalogue(model: FactorModel, indicators: Any = None) -> pd.DataFrame:
    """An indicator catalogue for ``model`` from what a user has at hand.

    Parameters
    ----------
    indicators : None, path, or DataFrame
        ``None``: the bundled catalogue of ``model``; a path: a catalogue CSV
        (read by :func:`factormodel.load_indicators`); a DataFrame: either a
        catalogue already validated (indexed by ``id``) or a raw table with the
        catalogue's columns (``id, node, label_nl, label_en, unit, direction,
        source, level, scale``; optional ``weight, typical, target,
        definition, basis``), validated here with the same rules. Use it for
        areas and indicators in no bundled catalogue (another city's table).

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> raw = pd.DataFrame({"id": ["pct_low_income"], "node": ["armoede"],
    ...     "label_nl": ["% huishoudens laag inkomen"], "label_en": ["% low-income households"],
    ...     "unit": ["%"], "direction": [1], "source": ["my city"], "level": ["wijk"],
    ...     "scale": [4.0]})
    >>> cat = fm.as_catalogue(fm.load_model("toy"), raw)
    >>> cat.loc["pct_low_income", "node"], float(cat.loc["pct_low_income", "scale"])
    ('armoede', 4.0)
    """
    if indicators is None or isinstance(indicators, str) or hasattr(indicators, "__fspath__"):
        return load_indicators(model, indicators)
    if not isinstance(indicators, pd.DataFrame):
        raise InvalidParameterError("indicators must be a catalogue DataFrame or the path of "
                                    f"a catalogue CSV, got {type(indicators).__name__}")
    if indicators.index.name == "id" and set(CATALOGUE_COLUMNS[1:]) <= set(indicators.columns) \
            and pd.api.types.is_integer_dtype(indicators["direction"]):
        return indicators
    return build_catalogue(indicators.reset_index(drop=indicators.index.name != "id"), model,
                           TableSource("indicator catalogue"))


def _joined(frame: pd.DataFrame, column: str) -> str:
    """The distinct non-empty values of a text column (e.g. status, source), joined."""
    if column not in frame.columns:
        return ""
    return ", ".join(sorted(set(_distinct(frame[column]).astype(str)) - {""}))


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and distinct values of a column, as :func:`pandas.factorize` gives
    them (first-appearance order, -1 for missing), hashing only run starts or the first
    block when the column comes in runs or repeats a block."""
    return factorize_column(column)


def _distinct(column: pd.Series) -> pd.Series:
    """The distinct values of a column (missing values included), in first-appearance
    order, with the column's dtype."""
    return covering_rows(column).drop_duplicates().reset_index(drop=True)


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _canonical(data: pd.DataFrame) -> bool:
    """Whether ``data`` is already canonical area data: its columns, numbers as numbers,
    whole years, flags as text (what :func:`factormodel.read_area_data` returns)."""
    return (set(AREA_DATA_COLUMNS) <= set(data.columns)
            and _is_number_column(data["value"]) and _is_number_column(data["population"])
            and pd.api.types.is_integer_dtype(data["year"])
            and not data["flag"].isna().any())


def as_area_data(data: Any, *, year: int | None = None) -> pd.DataFrame:
    """Area data in the canonical long form (a path or table is read and normalised).

    A DataFrame is read like the same table in a CSV file, by the one cell parser
    (``"1,8"`` is 1.8, a bad cell is named by row and column), unless it is already
    canonical with numeric values (as :func:`factormodel.read_area_data` returns it).
    ``year``: the year of every row of a table without a year column.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"area": ["A"], "level": ["wijk"], "year": [2023],
    ...                     "indicator": ["vsv_nieuw"], "value": ["1,8"],
    ...                     "population": ["1200"], "flag": [""]})
    >>> as_area_data(raw)[["area", "value", "population"]]
      area  value  population
    0    A    1.8      1200.0
    """
    if isinstance(data, pd.DataFrame) and _canonical(data):
        return data
    if isinstance(data, pd.DataFrame):
        return normalize_area_data(data, year=year)
    return read_area_data(data, year=year)


#: Column of area data naming the shipped indicator catalogue the data need (the example
#: data carry it; see :func:`data_catalogue`).
CATALOGUE_COLUMN = "catalogue"


def data_catalogue(model: FactorModel, data: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """The indicator catalogue that area data name for themselves, with a note saying so;
    None when they name none.

    The one rule for "which catalogue goes with these data" when none is given (used by
    :func:`profile`, :func:`factormodel.report` and the command line): example data
    whose indicators are not in a model's own catalogue (``load_example_data(
    "cbs_kwb2017")``) carry a ``catalogue`` column reading ``example:<name>``, and their
    catalogue is :func:`load_example_indicators` of that name.

    Raises
    ------
    DataError
        When the column names an unknown example, or more than one.

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> cat, note = data_catalogue(m, fm.load_example_data("cbs_kwb2017"))
    >>> cat["node"].tolist()
    ['armoede', 'concentratie_armoede_buurt']
    >>> print(note)
    indicator catalogue: the one shipped with example data 'cbs_kwb2017'
    (fm.load_example_indicators('cbs_kwb2017')), named by the data's 'catalogue' column
    >>> data_catalogue(m, fm.load_example_data("rotterdam")) is None
    True
    """
    if CATALOGUE_COLUMN not in data.columns:
        return None
    named = sorted({text(v) for v in _distinct(data[CATALOGUE_COLUMN])} - {""})
    examples = [v for v in named if v.startswith("example:")]
    if not examples:
        return None
    if len(named) > 1:
        raise DataError(f"the data's {CATALOGUE_COLUMN!r} column names more than one "
                        f"catalogue ({', '.join(map(repr, named))}); profile one at a time "
                        "or pass indicators=")
    name = examples[0].removeprefix("example:")
    if name not in EXAMPLE_DATA:
        raise DataError(f"the data's {CATALOGUE_COLUMN!r} column names {examples[0]!r}, which "
                        f"is no example data; available: "
                        + ", ".join(f"example:{k}" for k in EXAMPLE_DATA))
    note = Message(f"indicator catalogue: the one shipped with example data {name!r} "
                   f"(fm.load_example_indicators({name!r})), named by the data's "
                   f"{CATALOGUE_COLUMN!r} column", "example_catalogue",
                   {"name": name, "column": CATALOGUE_COLUMN})
    return load_example_indicators(name, model), note


def _check_against_catalogue(data: pd.DataFrame, cat: pd.DataFrame,
                             distinct: pd.Index) -> None:
    """``distinct``: the distinct indicators of ``data`` (see :func:`_codes`)."""
    unknown = sorted(set(distinct) - set(cat.index))
    if unknown:
        items = [Message(f"{u!r} ({hint})", "name_and_hint", {"name": u, "hint": hint})
                 for u in unknown[:8] for hint in [close_matches(u, cat.index.tolist())]]
        raise UnknownIndicatorError(
            f"{len(unknown)} indicator(s) not in the catalogue: " + "; ".join(items),
            code="not_in_catalogue", fields={"n": len(unknown), "items": items})
    for col in ("unit", "direction"):
        if col not in data.columns:
            continue
        given = data[["indicator", col]].drop_duplicates()
        given = given[given[col].astype(str).str.strip() != ""]
        expected = cat.loc[given["indicator"], col].astype(str).to_numpy()
        observed = given[col].astype(str).str.replace("+", "", regex=False).str.strip()
        if col == "direction":
            observed = observed.map(_direction_text)
        wrong = given[observed.to_numpy() != expected]
        if len(wrong):
            raise DataError(f"{col} in the data does not match the catalogue: " + "; ".join(
                f"{r.indicator}: data {getattr(r, col)!r}, catalogue "
                f"{str(cat.loc[r.indicator, col])!r}" for r in wrong.head(5).itertuples()))


def _check_fractions(data: pd.DataFrame, cat: pd.DataFrame, codes: np.ndarray,
                     distinct: pd.Index, city_rows: pd.DataFrame | None = None) -> None:
    """Refuse ``%`` indicators given as fractions (Excel's percentage cells store 9,1% as
    0,091), by :func:`factormodel.core.units.looks_like_fractions` over the areas' values
    and the city's rows (``city_rows``: their values are evidence too).
    ``codes``/``distinct``: the indicators of ``data`` (see :func:`_codes`)."""
    info = cat.reindex(distinct)
    share = (info["unit"] == "%").to_numpy()
    if not share.any():
        return
    value = data["value"].to_numpy(dtype=float)
    if city_rows is not None and len(city_rows):
        city_codes = distinct.get_indexer(pd.Index(city_rows["indicator"]))
        keep = city_codes >= 0
        value = np.concatenate([value, city_rows["value"].to_numpy(dtype=float)[keep]])
        codes = np.concatenate([codes, city_codes[keep]])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(distinct) + 1))
    typical = info["typical"].to_numpy(dtype=float)
    names = []
    for i in np.flatnonzero(share).tolist():
        mine = value[order[bounds[i]:bounds[i + 1]]]
        if units.looks_like_fractions(mine, typical[i]):
            largest = float(np.nanmax(np.abs(mine)))
            names.append(Message(
                f"{distinct[i]} (largest value {largest:g}; typical level {typical[i]:g}%)",
                "fraction_indicator", {"indicator": str(distinct[i]), "largest": largest,
                                       "typical": float(typical[i])}))
    if names:
        raise DataError(
            f"{len(names)} percentage indicator(s) look like fractions (0.091 instead of "
            f"9.1): {'; '.join(names[:8])}. A spreadsheet cell formatted as a percentage "
            "stores a fraction; write the percentages as numbers (9.1), multiply the "
            "column by 100, or give the column transformatie 'fractie' in the column mapping",
            code="percentages_as_fractions",
            fields={"n": len(names), "items": names[:8]})


def _direction_text(value: str) -> str:
    """A direction cell as ``"1"``/``"-1"`` when it is a whole number, else as given."""
    x, _, err = parse_number(value)
    return str(int(x)) if err is None and np.isfinite(x) and x.is_integer() else value


def _choose_level(data: pd.DataFrame, level: str | None) -> pd.DataFrame:
    levels = set(_distinct(data["level"]))  # once, not per level
    present = [lv for lv in LEVELS if lv in levels]
    if level is None:
        if not present:  # no level information: one implicit level
            return data
        level = present[0]
    if level not in present:
        raise DataError(f"no data at level {level!r}; levels in the data: "
                        f"{', '.join(present) or '(none)'}", code="no_data_at_level",
                        fields={"level": level, "levels": ", ".join(present) or "(none)"})
    return data if len(levels) == 1 else data[data["level"] == level]


def _weighted_mean(now: pd.DataFrame, codes: np.ndarray | None = None,
                   distinct: pd.Index | None = None) -> pd.Series:
    """Per indicator: population-weighted mean of measured values (plain mean without
    populations). Raises when populations are given for some areas but not others.

    ``codes`` point each row of ``now`` into ``distinct`` (see :func:`_codes`; computed
    here when not given). The
    result is sorted by indicator and holds every indicator of ``now`` (NaN where no
    population-weighted value is measured); without populations, only the measured ones.
    """
    if codes is None or distinct is None:
        codes, distinct = _codes(now["indicator"])
    value = now["value"].to_numpy(dtype=float)
    pop = now["population"].to_numpy(dtype=float)
    have = ~np.isnan(value)
    k = len(distinct)
    if not np.isnan(pop).all():
        lacking = have & np.isnan(pop)
        if lacking.any():
            names = sorted(_distinct(now["area"][lacking]))
            raise DataError("population-weighted city average needs a population for every "
                            f"area; missing for: {', '.join(names[:10])}")
        w = np.where(have, pop, 0.0)
        num = np.bincount(codes, weights=np.where(have, value, 0.0) * w, minlength=k)
        den = np.bincount(codes, weights=w, minlength=k)
        keep = np.bincount(codes, minlength=k) > 0
        measured = np.bincount(codes[have], minlength=k) > 0
        empty = sorted(distinct[(den <= 0) & measured])
        if empty:
            raise DataError("population-weighted city average is undefined: the populations "
                            "of the measured areas add up to zero for "
                            + ", ".join(map(str, empty[:10])))
    else:
        num = np.bincount(codes[have], weights=value[have], minlength=k)
        den = np.bincount(codes[have], minlength=k).astype(float)
        keep = den > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = num / den
    return pd.Series(mean[keep], index=pd.Index(distinct[keep], name="indicator")).sort_index()


def _understood(data: pd.DataFrame, cat: pd.DataFrame, model: FactorModel | None = None
                ) -> pd.DataFrame:
    """Indicator names in the user's words (ids, Dutch or English labels) as ids; with
    ``model`` (the catalogue is the model's own), naming the example catalogue of names
    that belong to one."""
    names = set(_distinct(data["indicator"]))
    if names <= set(cat.index):
        return data
    from factormodel.analysis.words import resolve_indicators

    unknown = sorted(names - set(cat.index))
    try:
        mapping = resolve_indicators(cat, unknown, where="area data")
    except UnknownIndicatorError as exc:
        hint = _example_hint(model, unknown) if model is not None else ""
        if not hint:
            raise
        raise UnknownIndicatorError(f"{exc}. {hint}") from None
    return data.assign(indicator=data["indicator"].map(lambda n: mapping.get(n, n)))


def _left_out(data: pd.DataFrame, cat: pd.DataFrame) -> pd.DataFrame:
    """Data read with her column mapping, without the columns that are neither in it nor
    an indicator (an ambiguous name still raises): a warning names them and the fix."""
    from factormodel.analysis.words import indicator_lexicon

    names = sorted(set(_distinct(data["indicator"])) - set(cat.index))
    if not names:
        return data
    lex = indicator_lexicon(cat)
    unknown = []
    for name in names:
        try:
            lex.resolve(name)
        except UnknownIndicatorError:
            unknown.append(name)
        except AmbiguousNameError:
            continue  # _understood names it with the indicators it fits
    if not unknown:
        return data
    shown = ", ".join(map(repr, unknown))
    warnings.warn(DataWarning(
        f"column(s) {shown} are not in the column mapping and name no indicator: left out; "
        "map each to an indicator (or to 'jongeren' for the number of young people), or "
        "give it an empty indicator to leave it out without this warning",
        code="columns_not_mapped", fields={"columns": shown}), stacklevel=4)
    out = data.loc[~data["indicator"].isin(unknown).to_numpy()]
    out.attrs = dict(data.attrs)
    return out


def _example_hint(model: FactorModel, names: list[str]) -> str:
    """The fix when unknown indicator names are those of a shipped example catalogue."""
    for name in EXAMPLE_DATA:
        if name == "rotterdam":  # the model's own catalogue
            continue
        try:  # only a catalogue that fits this model is a fix
            ids = set(load_example_indicators(name, model).index)
        except FactorModelError:
            continue
        if set(names) & ids:
            return (f"{', '.join(sorted(set(names) & ids))} are indicators of example data "
                    f"{name!r}: pass indicators=fm.load_example_indicators({name!r})")
    return ""


def _split_city(data: pd.DataFrame, city: Sequence[str]
                ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[np.ndarray, pd.Index] | None]:
    """(rows of the whole city, rows of areas, and when no row is the city, the codes of
    the areas, see :func:`_codes`): a city row is never an area."""
    names = {str(c).strip().lower() for c in city}
    codes, areas = _codes(data["area"])  # each distinct area name looked at once
    lowered = pd.Series(areas, dtype=object).astype(str).str.strip().str.lower()
    named = lowered.isin(names).to_numpy().copy()
    # names with a city's name inside ("Rotterdam totaal"): few, checked one by one
    inside = lowered.str.contains("|".join(map(re.escape, sorted(names))), regex=True) \
        .to_numpy() & ~named if names else np.zeros(len(areas), dtype=bool)
    for k in np.flatnonzero(inside):
        named[k] = _is_city_name(lowered.iloc[k], names)
    is_city = np.append(named, False)[codes]  # code -1 (no name): not the city
    levels = set(_distinct(data["level"]))
    if levels == {"gemeente"}:  # a table of gemeenten only: they are the areas, none the city
        is_city[:] = False
    elif "gemeente" in levels:
        is_city |= (data["level"] == "gemeente").to_numpy()
    if not is_city.any():
        return data.iloc[:0], data, (codes, areas)
    return data[is_city], data[~is_city], None


#: Words that may stand beside a city's name in a row of the whole city
#: ("Rotterdam totaal", "Gemeente Rotterdam", "Rotterdam (gemeente)", "heel Rotterdam").
CITY_QUALIFIERS = frozenset({"totaal", "gemeente", "stad", "heel", "geheel", "gemiddeld",
                             "gemiddelde", "city", "total", "average", "all", "whole"})


def _is_city_name(name: str, names: set[str]) -> bool:
    """True if ``name`` is one of the city ``names`` (case-insensitive), alone or with
    words of :data:`CITY_QUALIFIERS` around it.

    >>> _is_city_name("Rotterdam totaal", {"rotterdam"}), _is_city_name("Rotterdam-Noord",
    ...                                                                  {"rotterdam"})
    (True, False)
    """
    text = name.strip().lower()
    if text in names:
        return True
    words = re.findall(r"[\w-]+", text)
    rest = [w for w in words if w not in names]
    return len(rest) < len(words) and all(w in CITY_QUALIFIERS for w in rest)


def _city_reference(now: pd.DataFrame, city_now: pd.DataFrame, codes: np.ndarray,
                    distinct: pd.Index, areas: list[Any]) -> tuple[pd.Series, str]:
    """The city's values: its own row in the data, else the mean over two or more areas.

    ``codes``/``distinct``: the indicators of ``now`` (see :func:`_codes`); ``areas``: its
    distinct areas."""
    if len(city_now):
        names = sorted(set(city_now["area"]))
        if len(names) > 1:
            raise DataError(f"the data has more than one city row ({', '.join(names)}); keep one",
                            code="several_city_rows", fields={"names": ", ".join(names)})
        values = city_now.dropna(subset=["value"]).set_index("indicator")["value"]
        present = distinct[np.bincount(codes, minlength=len(distinct)) > 0]
        missing = sorted(set(present) - set(values.index))
        source = Message(f"the city row {names[0]!r} in the data", "reference_city_row",
                         {"name": names[0]})
        if missing and len(areas) > 1:
            fill = _weighted_mean(now[now["indicator"].isin(missing)])
            values = pd.concat([values, fill])
            filled = ", ".join(missing[:5])
            source = Message(f"{source} (mean of {len(areas)} areas for {filled})",
                             "reference_city_row_filled",
                             {"name": names[0], "n": len(areas), "indicators": filled})
        return values, source
    if len(areas) == 1:
        raise DataError(
            f"the city average would be computed from a single area ({areas[0]!r}), so every "
            "delta would be 0. Add a city row to the data (an area named 'Rotterdam', 'stad' "
            "or 'GM0599' with the city's figures), give the city's figures yourself "
            "(reference_values=... in Python, --reference-values FILE on the command line), or "
            "compare with the catalogue's typical levels (reference='typical', an assumption)",
            code="city_from_one_area", fields={"area": areas[0]})
    code = "reference_weighted_mean" if now["population"].notna().any() else "reference_mean"
    fields: dict[str, object] = {"n": len(areas)}
    return (_weighted_mean(now, codes, distinct),
            Message(REFERENCE_NAMES[code][1].format(**fields), code, fields))


def _given_reference(values: Any, cat: pd.DataFrame) -> tuple[pd.Series, str]:
    """Reference values from a mapping or a CSV file (indicator ids or labels)."""
    from factormodel.analysis.words import resolve_indicators

    if isinstance(values, Mapping):
        raw = {str(k): v for k, v in values.items()}
        where, source = "reference_values", Message("the given reference values",
                                                    "reference_given")
    else:
        table, _ = read_table(values)
        cols = {str(c).strip().lower(): c for c in table.columns}
        ind = next((cols[c] for c in ("indicator", "id") if c in cols), None)
        val = next((cols[c] for c in ("value", "waarde", "referentie", "reference")
                    if c in cols), None)
        if ind is None or val is None:
            raise DataError(f"{values}: expected columns 'indicator' and 'value' (or 'waarde'); "
                            f"found {', '.join(map(str, table.columns))}")
        raw = dict(zip(table[ind].map(text), table[val], strict=True))
        where, source = str(values), Message(f"the reference values in {values}",
                                             "reference_values_in", {"file": str(values)})
    ids = resolve_indicators(cat, list(raw), where=where)
    out, bad = {}, []
    for name, v in raw.items():
        x, flag, err = parse_number(v, percent=True)
        if err or flag:
            bad.append(f"{name}: {err or 'empty'}")
        out[ids[name]] = x
    if bad:
        raise DataError(f"{where}: reference values that are not numbers: " + "; ".join(bad))
    return pd.Series(out, dtype=float), source


# --------------------------------------------------------------------------- public


def area_table(model: FactorModel, data: Any, *, indicators: pd.DataFrame | None = None,
               columns: Any = None, year: int | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[pd.DataFrame, str] | None]:
    """Area data with every indicator as a catalogue id: THE place where headers are
    resolved (her column mapping first, then ids, Dutch and English labels).

    Returns ``(long data, catalogue, (catalogue, note) when the data name their own
    catalogue else None)``. :func:`profile`, :func:`factormodel.report` and the web page
    all read area data through it, so labels, ids and mapped headers give the same
    result everywhere.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> raw = pd.DataFrame({"wijk": ["A"], "jaar": [2023],
    ...                     "% nieuwe voortijdig schoolverlaters (12-22 jaar)": [3.0]})
    >>> area_table(m, raw)[0]["indicator"].tolist()
    ['vsv_nieuw']
    """
    from factormodel.analysis.columns import apply_columns, as_columns

    data = as_area_data(data, year=year)
    named = data_catalogue(model, data) if indicators is None else None
    cat = indicators if indicators is not None else named[0] if named else load_indicators(model)
    if columns is not None:
        data = _left_out(apply_columns(data, as_columns(columns, cat), cat), cat)
    notes = data.attrs.get("column_notes", ())
    data = _understood(data, cat, model if indicators is None and named is None else None)
    if notes and data.attrs.get("column_notes") != notes:
        data = data.copy()
        data.attrs["column_notes"] = notes
    return data, cat, named



def profile(model: FactorModel, data: Any, *, indicators: pd.DataFrame | None = None,
            reference: str = "city", year: int | None = None, level: str | None = None,
            targets: Mapping[str, float] | None = None,
            reference_values: Mapping[str, float] | str | PathLike[str] | None = None,
            city: Sequence[str] = CITY_NAMES, columns: Any = None) -> Profile:
    """Area profile: the delta of every node per area, in model units (SD).

    Parameters
    ----------
    model : FactorModel
    data : DataFrame or path
        Area data (see :func:`factormodel.read_area_data`).
    indicators : DataFrame, optional
        Indicator catalogue; by default the one the data name in a
        ``catalogue`` column (the real CBS example data: their shipped
        catalogue, said in ``assumptions``; see :func:`data_catalogue`), else
        the bundled one of ``model``.
    reference : {"city", "previous_year", "target", "typical", "values"}
        ``city``: the city's own row in the data when there is one (an area
        named ``Rotterdam``, ``stad`` or ``GM0599``, see ``city``), otherwise
        the (population-weighted) average over the areas of the same level and
        year -- an error with one area, whose "average" is itself;
        ``previous_year``: the area's own value a year earlier; ``target``: the
        catalogue's ``target`` column, overridden by ``targets``; ``typical``:
        the catalogue's ``typical`` levels (flagged as an assumption in the
        profile); ``values``: ``reference_values``.
    year : int, optional
        The year to profile; by default the latest year in the data. A table
        without a year column is read as data of this year.
    level : str, optional
        Area level to profile (``wijk``, ``gebied``, ...); by default the
        finest level in the data.
    targets : mapping indicator -> value, optional
    reference_values : mapping indicator -> value, or a CSV file, optional
        The reference (e.g. the city's own figures) per indicator, by id or
        label; implies ``reference="values"`` when ``reference`` is ``city``.
        A file has columns ``indicator`` and ``value`` (or ``waarde``); decimal
        commas are read.
    city : sequence of str
        Area names (or CBS codes) that mean the whole city, case-insensitive.
        Rows of the city (also any ``gemeente``-level row) are never profiled
        as an area.
    columns : column mapping, optional
        Her columns -> catalogue indicators (a file, table or mapping; see
        :mod:`factormodel.columns`); each column read through it is named in
        ``assumptions``.

    Returns
    -------
    Profile
        ``deltas``: rows areas, columns every model node (model order), NaN
        where a node has no measured indicator in that area; with the
        reference, year, level, populations and whether the data are synthetic.

    Raises
    ------
    UnknownIndicatorError, DataError
        For indicators not in the catalogue, an unknown year, unit or direction
        mismatches, incomplete populations, or a city average that would be
        computed from a single area (the message names the three fixes).

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> data = pd.DataFrame({"wijk": ["A", "B"], "jaar": [2023, 2023],
    ...                      "vsv_nieuw": [3.0, 2.2], "population": [1000, 3000]})
    >>> p = fm.profile(fm.load_model("toy"), data)
    >>> p["vsv"].round(3).to_dict()   # city 2.4 %: Φ⁻¹(3.0 %) − Φ⁻¹(2.4 %) = 0.097 SD
    {'A': 0.097, 'B': -0.037}
    >>> bool(p["armoede"].isna().all())   # not measured: NaN, never 0
    True
    """
    if reference_values is not None and reference == "city":
        reference = "values"
    if reference not in REFERENCES:
        raise InvalidParameterError(f"reference must be one of {', '.join(REFERENCES)}, "
                                    f"got {reference!r}")
    if reference == "values" and reference_values is None:
        raise InvalidParameterError("reference='values' needs reference_values (a mapping "
                                    "indicator -> value, or a CSV file)")
    year = year_argument(year)
    data, cat, named = area_table(model, data, indicators=indicators, columns=columns, year=year)
    population_column = str(data.attrs.get("population_column", ""))
    mapped = data.attrs.get("column_notes", ())
    city_rows, data, area_coding = _split_city(data, city)
    unfiltered = data
    data = _choose_level(data, level)
    # below, areas and indicators are integer codes (each text column hashed once), never
    # again the ~1 M text cells of a national table
    codes, distinct = _codes(data["indicator"])
    _check_against_catalogue(data, cat, distinct)
    _check_fractions(data, cat, codes, distinct, city_rows)
    all_years = data["year"].to_numpy()
    years = sorted(_distinct(data["year"]).tolist())
    if not years:
        code = "no_rows_but_the_city" if len(city_rows) else "no_rows"
        raise DataError("the data has no rows" + (" other than the city's" if len(city_rows)
                                                   else ""), code=code)
    year = years[-1] if year is None else year
    if year not in years:
        raise DataError(f"no data for year {year}; years in the data: "
                        f"{', '.join(map(str, years))}", code="no_data_for_year",
                        fields={"year": year, "years": ", ".join(map(str, years))})
    if len(years) > 1:
        chosen = all_years == year
        now, codes = data[chosen], codes[chosen]
    else:
        now = data
    # the areas' codes from the city split still hold when no level or year was filtered out
    area_codes, areas = area_coding if area_coding and now is unfiltered else _codes(now["area"])
    areas = pd.Index(areas, name="area")
    present = np.bincount(codes, minlength=len(distinct)) > 0
    source, assumptions = "", [named[1]] if named else []
    assumptions += list(mapped)  # her columns read through her column mapping
    if reference == "city":
        ref_values, source = _city_reference(now, city_rows[city_rows["year"] == year], codes,
                                              distinct, list(areas))
        if not len(city_rows) and len(areas) < 5:
            assumptions.append(Message(
                f"the reference is the mean of only {len(areas)} areas in the data, not the "
                "whole city: add a city row, or give the city's figures as reference values",
                "reference_few_areas", {"n": len(areas)}))
    elif reference == "previous_year":
        if year - 1 not in years:
            raise DataError(f"reference='previous_year' needs data for {year - 1}; years in "
                            f"the data: {', '.join(map(str, years))}")
        before = data[all_years == year - 1].set_index(["area", "indicator"])["value"]
        ref_values, source = pd.Series(dtype=float), Message(
            f"the areas' own values in {year - 1}", "reference_previous_year",
            {"year": year - 1})
    elif reference == "target":
        goal = cat["target"].copy()
        for k, v in (targets or {}).items():
            if k not in goal.index:
                raise UnknownIndicatorError(f"target for unknown indicator {k!r}; "
                                            f"{close_matches(k, goal.index.tolist())}")
            x, _, err = parse_number(v, percent=True)
            if err or np.isnan(x):
                raise InvalidParameterError(f"target for {k!r}: {err or 'missing value'}")
            goal.loc[k] = x
        ref_values, source = goal.dropna(), Message("the catalogue's targets",
                                                    "reference_targets")
    elif reference == "typical":
        ref_values = cat["typical"].dropna()
        source = Message("the catalogue's typical levels", "reference_typical_levels")
        assumptions.append(Message("the reference is the catalogue's typical level of each "
                                   "indicator: an assumption, not a measurement of the city",
                                   "reference_typical_assumption"))
    else:
        ref_values, source = _given_reference(reference_values, cat)
    value = now["value"].to_numpy(dtype=float)
    if reference == "previous_year":
        ref = before.reindex(pd.MultiIndex.from_frame(now[["area", "indicator"]])).to_numpy()
    else:
        measured = np.bincount(codes[~np.isnan(value)], minlength=len(distinct)) > 0
        used = sorted(distinct[measured])
        lacking = [k for k in used if k not in ref_values.index or np.isnan(ref_values[k])]
        if used and len(lacking) == len(used):
            hint = {"target": " (give targets={indicator: value})",
                    "values": " (give a value for each indicator in the data)"}.get(reference, "")
            raise DataError(f"reference={reference!r}: none of the indicators in the data has a "
                            f"reference value{hint}")
        if lacking:
            what = "target" if reference == "target" else f"reference value ({reference})"
            kind = Message(reference, f"reference_kind_{reference}")
            warnings.warn(DataWarning(
                f"no {what} for {len(lacking)} indicator(s), left unmeasured: "
                + ", ".join(lacking[:10]),
                code="no_target" if reference == "target" else "no_reference_value",
                fields={"n": len(lacking), "names": ", ".join(lacking[:10]),
                        **({} if reference == "target" else {"reference": kind})}),
                stacklevel=2)
        ref = ref_values.reindex(distinct).to_numpy(dtype=float)[codes]
    # catalogue columns per distinct indicator, then per row through the codes
    info = cat.reindex(distinct)
    direction = info["direction"].to_numpy()
    measures = units.Measures.of(info)
    rows = measures.take(codes)
    _check_levels(now, value, ref, rows, codes, distinct, reference)
    # the one conversion into the model's unit: SD between individuals (units.to_model)
    z = units.to_model(rows, value, ref)
    edge = units.impossible(rows, value) & np.isfinite(ref)
    if edge.any():
        shown = sorted({f"{a} ({k}: {v:g})" for a, k, v in zip(
            now["area"].to_numpy()[edge][:50], distinct[codes[edge]][:50], value[edge][:50],
            strict=True)})
        warnings.warn(f"{int(edge.sum())} value(s) of exactly 0 or everyone (100 %, 1000 per "
                      "1000) have no finite liability and are left unmeasured: "
                      + ", ".join(shown[:8]) + ("" if len(shown) <= 8 else ", ...")
                      + ". Give the share with more decimals, or set link=linear for the "
                      "indicator in the catalogue", UserWarning, stacklevel=2)
    # direction 'ambiguous' (0): more can be worse or better (e.g. more Veilig Thuis reports
    # can mean better signalling); left out unless the catalogue sets a direction
    ambiguous = direction == 0
    z = np.where(ambiguous[codes], np.nan, z)
    left_out = tuple(sorted(distinct[ambiguous & present]))
    w = np.where(np.isnan(z), 0.0, info["weight"].to_numpy()[codes])
    # per (area, node): the weighted mean of the z of its measured indicators
    node_ids = list(model.node_ids)
    node_of = pd.Index(node_ids).get_indexer(info["node"])[codes]
    keep = (area_codes >= 0) & (node_of >= 0)
    cell = area_codes[keep] * len(node_ids) + node_of[keep]
    size = len(areas) * len(node_ids)
    wz = np.bincount(cell, weights=(np.where(np.isnan(z), 0.0, z) * w)[keep], minlength=size)
    ws = np.bincount(cell, weights=w[keep], minlength=size)
    delta = np.full(size, np.nan)
    np.divide(wz, ws, out=delta, where=ws > 0)
    out = pd.DataFrame(delta.reshape(len(areas), len(node_ids)), index=areas,
                       columns=pd.Index(node_ids, name="node"))
    population = _first_population(now["population"].to_numpy(dtype=float), area_codes,
                                   areas)
    synthetic = bool("status" in data.columns
                     and _distinct(data["status"]).eq("synthetic").any())
    values = _area_values(now, value, area_codes, areas, codes, distinct)
    references = _area_values(now, ref, area_codes, areas, codes, distinct)
    assumed = list(distinct[(measures.measure == "index") & present])
    if assumed:  # named by their labels (the text layer picks the reader's language)
        names = [label_pair(cat, i) for i in assumed]
        *rest, last = (n["en"] for n in names)
        listed = f"{', '.join(rest)} and {last}" if rest else last
        assumptions.append(Message(f"the SD between persons of {listed} is assumed, not taken "
                                   "from a norm table (see sd_source in the indicator "
                                   "catalogue)", "assumed_sd_of_index", {"names": names}))
    return Profile(deltas=out, reference=reference,
                   reference_values=ref_values.astype(float).rename("reference"),
                   values=values, references=references, indicators=cat,
                   year=year, level=level or (now["level"].to_numpy()[0] if len(now) else ""),
                   model_name=model.name, population=population,
                   synthetic=synthetic, left_out=left_out, status=_joined(now, "status"),
                   source=_joined(now, "source"), reference_source=source,
                   assumptions=tuple(assumptions), population_column=population_column)


def _area_values(now: pd.DataFrame, value: np.ndarray, area_codes: np.ndarray,
                 areas: pd.Index, codes: np.ndarray, distinct: pd.Index) -> pd.DataFrame:
    """Areas x indicators: each area's own value in the indicator's unit (the last
    given when a cell repeats; NaN where not measured)."""
    keep = (area_codes >= 0) & ~np.isnan(value)
    grid = np.full(len(areas) * len(distinct), np.nan)
    grid[(area_codes * len(distinct) + codes)[keep]] = value[keep]  # flat: one index per cell
    return pd.DataFrame(grid.reshape(len(areas), len(distinct)), index=areas,
                        columns=pd.Index(distinct, name="indicator"))


def _check_levels(now: pd.DataFrame, value: np.ndarray, ref: np.ndarray,
                  rows: units.Measures, codes: np.ndarray, distinct: pd.Index,
                  reference: str) -> None:
    """Refuse values a measurement model cannot hold, naming area, indicator and fix:
    a share outside 0-100 %, a rate above 1,000, one area given as a fraction (0,091 for
    9,1 %), and a reference share of exactly 0 or 100 % (it has no liability)."""
    problems = []
    top = np.where(np.isfinite(rows.per), rows.per, np.inf)
    area = now["area"].to_numpy()
    outside = np.isfinite(rows.per) & ((value < 0) | (value > top))
    for j in np.flatnonzero(outside)[:25]:
        share = bool(rows.share[j])
        fields = {"area": str(area[j]), "indicator": str(distinct[codes[j]]),
                  "value": float(value[j]), "top": float(top[j])}
        problems.append(Message(
            f"area {area[j]!r}, indicator {distinct[codes[j]]!r}: {value[j]:g} is not a "
            f"{'share (%)' if share else 'rate per 1000'}; it must lie between 0 and "
            f"{top[j]:g}" + (" (a count, such as the number of young people, is no "
                             "indicator: map its column as 'jongeren' in the column mapping)"
                             if value[j] > top[j] else ""),
            ("level_not_share" if share else "level_not_rate") + (
                "_count" if value[j] > top[j] else ""), fields))
    # one area's fraction among percentages: 0,091 where the reference is 9,1; a value
    # with one decimal (0,1 %, as CBS publishes) would be a multiple of 10 % as a fraction,
    # and is read as the percentage it says
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = rows.share & (value > 0) & (value <= 1) & (ref >= 5)
        near = np.flatnonzero(fraction)  # few rows: the closer look only at these
        fraction[near] = (np.abs(np.log(100 * value[near] / ref[near])) < np.log(1.5)) & \
            (np.abs(10 * value[near] - np.round(10 * value[near])) > 1e-9)
    for j in np.flatnonzero(fraction)[:25]:
        problems.append(Message(
            f"area {area[j]!r}, indicator {distinct[codes[j]]!r}: {value[j]:g} looks like a "
            f"fraction of {100 * value[j]:g}% (the reference is {ref[j]:g}%); write the "
            f"percentage ({100 * value[j]:g}), not the fraction", "level_fraction",
            {"area": str(area[j]), "indicator": str(distinct[codes[j]]),
             "value": float(value[j]), "percent": float(100 * value[j]),
             "reference": float(ref[j])}))
    bad_ref = units.impossible(rows, ref)
    for k in sorted(set(distinct[codes[bad_ref]]))[:25]:
        j = int(np.flatnonzero(bad_ref & (distinct[codes] == k))[0])
        fields = {"indicator": str(k), "reference": reference, "value": float(ref[j]),
                  "top": float(top[j])}
        if ref[j] < 0 or ref[j] > top[j]:  # not a level at all (a count mapped as a share)
            problems.append(Message(
                f"indicator {k!r}: the reference ({reference}) is {ref[j]:g}, outside 0 to "
                f"{top[j]:g}", "level_reference_outside", fields))
            continue
        problems.append(Message(
            f"indicator {k!r}: the reference ({reference}) is {ref[j]:g}, exactly 0 or "
            "everyone; a share of 0 or 100 % has no liability, so no area can be measured "
            "against it (give the reference with more decimals, or another reference)",
            "level_reference_edge", fields))
    n = int(outside.sum() + fraction.sum()) + len(set(distinct[codes[bad_ref]]))
    if problems:
        more: str | Message = Message(f" (and {n - len(problems)} more)", "levels_more",
                                      {"n": n - len(problems)}) if n > len(problems) else ""
        raise DataError(f"{n} value(s) the indicators' measurement model cannot hold"
                        f"{more}:\n  " + "\n  ".join(problems), code="levels_impossible",
                        fields={"n": n, "more": more, "items": problems})


def _first_population(pop: np.ndarray, area_codes: np.ndarray, areas: pd.Index) -> pd.Series:
    """Per area, its first given population (NaN if none), as ``groupby().first()``."""
    given = np.flatnonzero(~np.isnan(pop) & (area_codes >= 0))
    first = np.full(len(areas), len(pop))
    np.minimum.at(first, area_codes[given], given)
    return pd.Series(np.append(pop, np.nan)[first], index=areas, name="population")


def coverage(model: FactorModel, profile_frame: Profile | pd.DataFrame) -> pd.DataFrame:
    """Per area: which factors and outcomes are measured, and which are not.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> data = pd.DataFrame({"wijk": ["A", "B"], "jaar": 2023, "vsv_nieuw": [3.0, None]})
    >>> cov = fm.coverage(fm.load_model("toy"), fm.profile(fm.load_model("toy"), data))
    >>> cov.loc["B", "unmeasured_outcomes"]
    'vsv, schoolsucces'
    """
    profile_frame = deltas_frame(profile_frame)
    measured = profile_frame.notna()
    factors, outcomes = list(model.factors), list(model.outcomes)

    def names(mask: pd.DataFrame, cols: list[str], value: bool) -> pd.Series:
        sub = mask[cols]
        return sub.apply(lambda row: ", ".join(c for c in cols if row[c] == value), axis=1)

    return pd.DataFrame({
        "factors_measured": measured[factors].sum(axis=1).astype(int),
        "factors_total": len(factors),
        "outcomes_measured": measured[outcomes].sum(axis=1).astype(int),
        "outcomes_total": len(outcomes),
        "unmeasured_factors": names(measured, factors, False),
        "unmeasured_outcomes": names(measured, outcomes, False),
    }, index=profile_frame.index)


#: Below this distance (SD between children) an indicator reads as "the same" as the
#: reference in :func:`indicator_table`.
SAME_SD = 0.01


def indicator_table(model: FactorModel, profile: Profile, area: Any) -> pd.DataFrame:
    """Her figures first: each measured indicator of ``area`` beside its reference.

    One row per indicator measured in the area, worst first: the value in the
    area and in the reference (the indicator's own unit), the difference, whether
    that is better or worse, then the distance in SD between children (the model's
    unit, :func:`factormodel.units.to_model`), in SD between areas (the catalogue's
    spread: how unusual the area is) and the area's percentile among the profiled
    areas (with five or more of them measured). The one table behind the profile
    at the command line, the wijkrapport's section 1 and the web page.

    Returns
    -------
    DataFrame
        ``indicator, node, label_nl, label_en, unit, value, reference, difference,
        verdict`` (``better``, ``worse``, ``same``, ``ambiguous``), ``better_sd``
        (signed: positive is better), ``sd_children``, ``sd_areas``, ``percentile``
        (share of the profiled areas with a lower value, %; NaN with fewer than 5).

    Examples
    --------
    >>> import factormodel as fm
    >>> m = fm.load_model("rotterdam-jeugd")
    >>> prof = fm.profile(m, fm.load_example_data(), level="wijk")
    >>> t = fm.indicator_table(m, prof, "Oud-Crooswijk")
    >>> row = t.set_index("indicator").loc["vsv_nieuw"]
    >>> float(row["value"]), float(row["reference"]), row["verdict"]
    (1.7, 2.4, 'better')
    """
    profile.row(area)  # an unknown area: UnknownAreaError with close matches
    cat = profile.indicators if profile.indicators is not None else _catalogue(model, None)
    if area not in profile.values.index:
        return pd.DataFrame(columns=["indicator", "node", "label_nl", "label_en", "unit",
                                     "value", "reference", "difference", "verdict",
                                     "better_sd", "sd_children", "sd_areas", "percentile"])
    own = profile.values.loc[area].dropna()
    own = own[own.index.isin(cat.index)]
    info = cat.loc[own.index]
    refs = profile.references.loc[area, own.index] if area in profile.references.index \
        else pd.Series(np.nan, index=own.index)
    refs = refs.fillna(profile.reference_values.reindex(own.index))
    value, ref = own.to_numpy(dtype=float), refs.to_numpy(dtype=float)
    direction = info["direction"].to_numpy(dtype=float)
    z = units.to_model(units.Measures.of(info), value, ref)
    among = units.among_areas(value, ref, info["scale"].to_numpy(dtype=float), direction)
    better = z * model.desired_sign.reindex(info["node"]).to_numpy(dtype=float)
    verdict = np.where(direction == 0, "ambiguous", np.where(
        ~np.isfinite(better), "", np.where(np.abs(better) < SAME_SD, "same",
                                           np.where(better > 0, "better", "worse"))))
    everyone = profile.values[own.index]
    n = everyone.notna().sum().to_numpy()
    below = (everyone.to_numpy(dtype=float) < value).sum(axis=0)
    percentile = np.where(n >= 5, 100.0 * below / np.maximum(n - 1, 1), np.nan)
    out = pd.DataFrame({
        "indicator": own.index.to_numpy(), "node": info["node"].to_numpy(),
        "label_nl": info["label_nl"].to_numpy(), "label_en": info["label_en"].to_numpy(),
        "unit": info["unit"].to_numpy(), "value": value, "reference": ref,
        "difference": value - ref, "verdict": verdict, "better_sd": better,
        "sd_children": z, "sd_areas": among, "percentile": np.round(percentile, 0)})
    return out.sort_values("better_sd", kind="stable", na_position="last").reset_index(drop=True)


def profile_index(model: FactorModel, profile_frame: Profile | pd.DataFrame) -> pd.DataFrame:
    """Wijkprofiel-style index: 100 = city average, higher = better.

    ``index = 100 + 10 × desired_sign × delta``: ten points per standard
    deviation, turned so that a higher index is always better (less of a risk
    factor or problem outcome, more of a protective factor). This is the
    library's convention in the spirit of Rotterdam's Wijkprofiel (whose exact
    formula is not public); NaN stays NaN.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> p = pd.DataFrame({"vsv": [0.5], "schoolsucces": [0.5]}, index=["A"])
    >>> fm.profile_index(toy, p).loc["A", ["vsv", "schoolsucces"]].tolist()
    [95.0, 105.0]
    """
    profile_frame = deltas_frame(profile_frame)
    sign = model.desired_sign.reindex(profile_frame.columns).to_numpy(dtype=float)
    return 100.0 + INDEX_POINTS_PER_SD * profile_frame * sign


def to_indicator_units(model: FactorModel, deltas: pd.Series | pd.DataFrame, *,
                       indicators: pd.DataFrame | None = None, profile: Profile | None = None,
                       levels: Mapping[str, float] | None = None,
                       at: str = "reference") -> pd.DataFrame:
    """Express node deltas (SD between individuals) in the units of their indicators.

    For each node with a delta and each of its indicators, the change of the
    indicator when its node moves by the delta from a level p₀
    (:func:`factormodel.units.to_units`: for a share on the probit link
    ``Φ(Φ⁻¹(p₀) + direction·δ) − p₀``, in percentage points; never outside 0-100 %).
    Which level depends on what the deltas are (``at``):

    * ``"reference"`` (the default): the deltas are differences *from the reference*,
      as a profile's or :func:`factormodel.propagate`'s predictions of a profile are;
      each area converts at its own reference (:attr:`Profile.references`: the city's
      figure, or its own value last year), and ``new_level`` is the predicted level;
    * ``"area"``: the deltas are changes *from where the area is now* (an
      intervention's effect, a goal); each area converts at its own current value
      (:attr:`Profile.values`).

    Without a profile (or where it lacks the indicator) ``levels`` is used, then the
    catalogue's ``typical`` level (an assumption; ``level_source`` says which).

    Parameters
    ----------
    deltas : Series (node -> SD) or DataFrame (areas x nodes)
        E.g. ``result.outcomes`` of :func:`factormodel.propagate`. A Series is one
        area: its ``name`` or, for a profile of one area, that area.
    indicators : DataFrame, optional
        The catalogue; by default the profile's, else the model's.
    profile : Profile, optional
        Gives each area its own reference and current level.
    levels : mapping indicator -> value, optional
        Levels to convert at where the profile gives none.
    at : {"reference", "area"}
        See above.

    Returns
    -------
    DataFrame
        Long table: (``area``,) ``node``, ``indicator``, ``delta_sd``, ``level``,
        ``level_source``, ``change``, ``new_level``, ``change_unit``, ``label_nl``,
        ``label_en``, ``note``. ``change`` is NaN for an indicator whose direction
        is ambiguous (``direction`` 0: more of it is not clearly better or worse) or
        with no level to convert at; ``note`` then says why.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> t = fm.to_indicator_units(fm.load_model("toy"), pd.Series({"vsv": -0.25}))
    >>> t[["indicator", "level", "change", "change_unit"]].round(3).to_dict("records")
    [{'indicator': 'vsv_nieuw', 'level': 2.6, 'change': -1.185, 'change_unit': 'percentage points'}]
    """
    if indicators is None and profile is not None and profile.indicators is not None:
        indicators = profile.indicators
    cat = _catalogue(model, indicators)
    single = isinstance(deltas, pd.Series)
    if isinstance(deltas, pd.Series):  # single
        name = deltas.name
        if profile is not None and name not in profile.index:
            # a propagated row says which area it came from (its provenance)
            name = provenance_of(deltas).get("area", profile.index[0]
                                             if len(profile.index) == 1 else name)
        frame = deltas.to_frame(name=name).T
    else:
        frame = deltas
    model.positions([str(c) for c in frame.columns])
    long = frame.rename_axis(index="area", columns="node").reset_index().melt(
        id_vars="area", var_name="node", value_name="delta_sd").dropna(subset=["delta_sd"])
    merged = long.merge(cat.reset_index().rename(columns={"id": "indicator"}), on="node")
    level, source = units.current_levels(cat, merged["indicator"].to_numpy(dtype=object),
                                         merged["area"].to_numpy(dtype=object), profile,
                                         levels, at=at)
    rows = units.Measures.of(merged)
    merged["level"] = level
    merged["level_source"] = source
    merged["change"] = units.to_units(rows, merged["delta_sd"].to_numpy(dtype=float), level)
    merged["new_level"] = level + merged["change"]
    merged["change_unit"] = [units.unit_name(u) for u in merged["unit"]]
    # what a reader must know beside the number: no conversion, or one at an assumed level (a
    # share's or rate's change depends on the level it starts from)
    level_matters = np.isin(merged["measure"].to_numpy(dtype=object), ("share", "rate"))
    notes = {"ambiguous": Message("direction ambiguous: no change in the indicator's unit",
                                  "units_direction_ambiguous"),
             "no_level": Message("no level to convert at (no area value, reference or typical "
                                 "level)", "units_no_level"),
             "typical": Message("at the catalogue's typical level, an assumption",
                                "units_at_typical"),
             "reference": Message("at the reference's level: the area has no figure for it",
                                  "units_at_reference")}
    note = np.full(len(merged), "", dtype=object)  # object: the notes keep their codes
    for key, where in reversed([("ambiguous", (merged["direction"] == 0).to_numpy()),
                                ("no_level", np.isnan(level)),
                                ("typical", level_matters & (source == "typical (assumption)")),
                                ("reference", level_matters & (source == "reference"))]):
        note[where] = notes[key]  # the first that applies wins
    merged["note"] = note
    cols = ["area", "node", "indicator", "delta_sd", "level", "level_source", "change",
            "new_level", "change_unit", "label_nl", "label_en", "note"]
    out = merged[cols].reset_index(drop=True)
    return out.drop(columns="area") if single else out


def label_pair(table: pd.DataFrame, key: Any) -> dict[str, str]:
    """The labels of row ``key`` of a table with ``label_en``/``label_nl`` columns (nodes or
    indicators) by language, its id where a label is missing: a ``{x:labels}`` field of a
    coded message, worded in the reader's language by the text layer.

    Examples
    --------
    >>> import factormodel as fm
    >>> label_pair(fm.load_model("toy").nodes, "vsv")
    {'en': 'early school leaving', 'nl': 'voortijdig schoolverlaten'}
    """
    out = {}
    for lang in ("en", "nl"):
        label = table.loc[key, f"label_{lang}"] if f"label_{lang}" in table else None
        out[lang] = str(label) if isinstance(label, str) and label.strip() else str(key)
    return out
