"""How many young people a portfolio is for: asked, never guessed.

A portfolio's reach is divided by the number of young people in the area (the
target group of the interventions), so that number changes every result: 12.313
inhabitants instead of 1.500 young people makes each intervention look 8× smaller.
:func:`young_people` is the one rule every face (command line, wijkrapport, web page,
API) uses:

* a number given by the user (``population=``, ``--population``, the form's field)
  is used, with its age band when given;
* else the data's population column, only when it counts young people
  (``jongeren``, or the canonical ``population`` column of long-form data, which
  :func:`factormodel.read_area_data` documents as the area's young people);
* a column of all residents (:data:`RESIDENT_COLUMNS`: ``inwoners``,
  ``bevolking``, ...) is refused, naming it and the two fixes, unless the user says
  it is the young people (``column_is_young=True``, ``--population-column``).

Every portfolio output repeats :meth:`YoungPeople.describe`: the number, its age
band and where it came from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from factormodel.analysis.indicators import Profile
from factormodel.errors import DataError, InvalidParameterError
from factormodel.files.areas import population_key
from factormodel.tables._json import json_safe

__all__ = ["RESIDENT_COLUMNS", "YoungPeople", "ages_of", "young_people"]

#: Population columns that count every resident, never taken for the young people.
RESIDENT_COLUMNS = ("inwoners", "bevolking", "aantal inwoners")


def _count(x: float, lang: str) -> str:
    text = f"{x:,.0f}"
    return text.replace(",", ".") if lang == "nl" else text


@dataclass(frozen=True)
class YoungPeople:
    """The number of young people a portfolio is for, its age band and its source.

    Attributes
    ----------
    number : float
    ages : str
        The age band (``"12-18"``), ``""`` when not known.
    source : {"given", "column"}
    column : str
        The data column it came from (``source="column"``).
    """

    number: float
    ages: str = ""
    source: str = "given"
    column: str = ""

    def describe(self, lang: str = "nl") -> str:
        """The number, age band and source in words.

        Examples
        --------
        >>> YoungPeople(1500, "12-18").describe("nl")
        '1.500 jongeren van 12-18 jaar (door u opgegeven)'
        >>> YoungPeople(1500, "", "column", "jongeren").describe("en")
        "1,500 young people (age not given; from the data's column 'jongeren')"
        """
        n = _count(self.number, lang)
        if lang == "nl":
            who = f"{n} jongeren" + (f" van {self.ages} jaar" if self.ages else
                                     " (leeftijd niet opgegeven)")
            src = ("door u opgegeven" if self.source == "given"
                   else f"uit de kolom '{self.column}' van de data")
            return f"{who} ({src})" if self.ages else f"{who[:-1]}; {src})"
        who = f"{n} young people" + (f" aged {self.ages}" if self.ages else
                                     " (age not given)")
        src = "given by you" if self.source == "given" else \
            f"from the data's column '{self.column}'"
        return f"{who} ({src})" if self.ages else f"{who[:-1]}; {src})"

    def to_dict(self) -> dict[str, Any]:
        return json_safe({"number": self.number, "ages": self.ages, "source": self.source,
                          "column": self.column, "text_nl": self.describe("nl"),
                          "text_en": self.describe("en")})


def ages_of(goals: Any) -> str:
    """The age band of the goals when they all name the same one (``"12-18"``), else ``""``.

    >>> import factormodel as fm
    >>> ages_of([fm.parse_goal("schoolverzuim:-2pp:3j:12-18")]), ages_of(["vsv"])
    ('12-18', '')
    """
    bands = {_ages(getattr(getattr(g, "goal", g), "group", None) or "")
             if re.fullmatch(r"\s*\d+\s*[-–]\s*\d+.*", str(getattr(getattr(g, "goal", g),
                                                                 "group", None) or ""))
             else "" for g in goals}
    return bands.pop() if len(bands) == 1 else ""


def _ages(ages: Any) -> str:
    if ages is None or str(ages).strip() == "":
        return ""
    m = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*(?:jaar|j|years?)?\s*", str(ages))
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise InvalidParameterError(f"age band {ages!r}: expected e.g. 12-18")
    return f"{m.group(1)}-{m.group(2)}"


def young_people(profile: Profile, area: Any, *, number: float | None = None,
                 ages: Any = None, column_is_young: bool = False) -> YoungPeople:
    """The young people a portfolio for ``area`` is for (see the module docstring).

    Parameters
    ----------
    number : float, optional
        Given by the user; used as it is.
    ages : str, optional
        Their age band (``"12-18"``), e.g. the goals' group.
    column_is_young : bool
        The user says the data's population column counts the young people (also
        when it is named ``inwoners``).

    Raises
    ------
    DataError
        When no number is given and the data give none, or only a column of all
        residents (naming it and the fixes).

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> data = pd.DataFrame({"wijk": ["A", "B"], "jaar": [2023, 2023],
    ...                      "inwoners": [12000, 9000], "vsv_nieuw": [3.0, 2.2]})
    >>> p = fm.profile(fm.load_model("toy"), data)
    >>> young_people(p, "A", number=1500, ages="12-18").number
    1500.0
    >>> young_people(p, "A")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    factormodel.errors.DataError: the data's column 'inwoners' counts all residents of 'A' ...
    """
    band = _ages(ages)
    if number is not None:
        x = float(number)
        if not (math.isfinite(x) and x > 0):
            raise InvalidParameterError(f"the number of young people must be above 0, got "
                                        f"{number!r}")
        return YoungPeople(x, band, "given")
    column = profile.population_column
    value = float(profile.population.get(area, math.nan))
    if not column or not math.isfinite(value):
        raise DataError(f"no population for {area!r} in the data; give it yourself (the number "
                        "of young people: population=... in Python, --population on the "
                        "command line, the field 'aantal jongeren' on the web page)",
                        code="no_population", fields={"area": area})
    if population_key(column) in RESIDENT_COLUMNS and not column_is_young:
        raise DataError(
            f"the data's column {column!r} counts all residents of {area!r} "
            f"({value:.0f}), not the young people a portfolio is for; give their "
            "number (population=... in Python, --population on the command line, the field "
            "'aantal jongeren' on the web page), or say that this column counts the young "
            "people (column_is_young=True, --population-is-young)",
            code="population_counts_residents",
            fields={"column": column, "area": area, "n": f"{value:.0f}"})
    return YoungPeople(value, band, "column", column)
