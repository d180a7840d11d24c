"""Library errors, warnings and validation problems for people, in Dutch or English.

The library raises English :class:`~factormodel.errors.FactorModelError` s (for programs
and logs); the command line, the web page and the service's problem documents show them
in the user's language. A message that is not translated completely stays English:
better English than a wrong translation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

from factormodel.errors import Message, Problem
from factormodel.text import numbers as fmt
from factormodel.text.catalogue import N_, NC_, tr

__all__ = ["CODES", "error", "problem", "render", "warning"]

#: The English template of each error code whose message the text layer words itself
#: (``code -> msgid``); the raiser writes the same English from the same fields, and the
#: Dutch comes from the catalogue. An error whose code is not here is worded by the older
#: pattern rules below, or stays English.
CODES: dict[str, str] = {
    "no_such_file": N_("{path}: no such file"),
    "no_such_file_or_folder": N_("{path}: no such file or folder"),
    "several_city_rows": N_("the data has more than one city row ({names}); keep one"),
    "no_data_for_year": N_("no data for year {year}; years in the data: {years}"),
    "no_data_at_level": N_("no data at level {level!r}; levels in the data: {levels}"),
    "no_rows": N_("the data has no rows"),
    "no_rows_but_the_city": N_("the data has no rows other than the city's"),
    "area_not_in_profile": N_("no area {name!r} in the profile; {hint}"),
    "area_not_in_profile_at_level": N_("no area {name!r} in the profile (level {level}); "
                                       "{hint}"),
    "no_population": N_(
        "no population for {area!r} in the data; give it yourself (the number of young "
        "people: population=... in Python, --population on the command line, the field "
        "'aantal jongeren' on the web page)"),
    "no_population_in_profile": N_(
        "no population for {area!r} in the data; give it yourself (population=... in "
        "Python, --population on the command line)"),
    # hints of errors.close_matches
    "did_you_mean": N_("did you mean {names:or}?"),
    "no_close_match_valid": N_("no close match; valid values: {names:list}"),
    "no_close_match_among": N_("no close match among {n} valid values"),
    "no_close_match_among_nodes": N_("no close match among the {n} node ids and their labels"),
    "no_close_match_among_indicators": N_("no close match among the {n} indicator ids and "
                                          "their labels"),
    "measures_the_opposite": N_("{hint}; {name!r} measures the opposite: if your column is its "
                                "complement (100 - x), say so in a column mapping (factormodel "
                                "kolommen)"),
    # unknown and ambiguous names (analysis.words.Lexicon, resolve_indicators)
    "unknown_indicator": N_("{where:at}unknown indicator {name!r}; {hint}"),
    "unknown_node": N_("{where:at}unknown node {name!r}; {hint}"),
    "ambiguous_indicator_name": N_("{where:at}indicator name {name!r} is ambiguous: it fits "
                                   "{fits}; use the id"),
    "ambiguous_node_name": N_("{where:at}node name {name!r} is ambiguous: it fits {fits}; use "
                              "the id"),
    "name_and_hint": N_("{name!r} ({hint})"),
    "not_in_catalogue": N_("{n} indicator(s) not in the catalogue: {items:items}"),
    "not_in_area_registry": N_("{where}: {n} area(s) not in the area registry: "
                               "{items:items}{more}"),
    # places and problems (tables._cells.TableSource.where, errors.Problem)
    "place_line_column": N_("{file} line {line}, column '{column}'"),
    "place_line": N_("{file} line {line}"),
    "place_file_column": N_("{file} column '{column}'"),
    "place_row_column": N_("{file} row {row}, column '{column}'"),
    "place_row": N_("{file} row {row}"),
    "place_table_column": N_("{file}, column '{column}'"),
    "problem": N_("{where:at}{message}"),
    # columns and the shape of a CSV file (tables._cells.require_columns, files.folders)
    "nothing_found": N_("none"),
    "missing_column": N_("missing required column '{column}' (found: {found})"),
    "missing_column_or": N_("missing required column '{column}' (or one of {aliases}; found: "
                            "{found})"),
    "missing_columns": N_("{items:items}"),
    "missing_columns_no_year": N_("{items:items} (give the year of a table without a year "
                                  "column: year=2023 in Python, --year 2023 on the command "
                                  "line)"),
    "column_twice": N_("column '{column}' appears more than once"),
    "empty_file": N_("the file is empty; expected a header row"),
    "duplicate_header": N_("duplicate column header"),
    "row_width": N_("has {n} fields, the header has {width}"),
    # warnings of a profile (analysis.indicators.profile)
    "no_reference_value": N_("no reference value ({reference}) for {n} indicator(s), left "
                             "unmeasured: {names}"),
    "no_target": N_("no target for {n} indicator(s), left unmeasured: {names}"),
    "reference_kind_city": N_("city"),
    "reference_kind_typical": N_("typical"),
    "reference_kind_values": N_("values"),
    # why a portfolio leaves an intervention out (analysis.portfolio, its left_out table)
    "left_out_age_group": N_("does not serve the goals' age group ({ages})"),
    "left_out_published_null": N_("no effect found in its effectiveness study (published "
                                  "null)"),
    "left_out_no_improvement": N_("does not improve the chosen outcomes"),
    "left_out_below_threshold": N_("its expected effect on the chosen goals ({best:.4f} SD at "
                                   "most) is below the threshold of {share:.0%} of the {of} "
                                   "({limit:.4f} SD)"),
    "threshold_of_goals": NC_("threshold of", "goals"),
    "threshold_of_best_intervention": NC_("threshold of", "best intervention"),
    "left_out_no_room": N_("its target factors have no room left to improve"),
    "left_out_factor_served": N_("its target factor {factor} is already served by {by} (one "
                                 "intervention per factor)"),
    "left_out_budget": N_("does not fit the remaining budget ({left:,.0f} left, one unit costs "
                          "{cost:,.0f})"),
    "left_out_per_euro": N_("less improvement per euro than the chosen portfolio"),
    # a wijkplan's progress table (workflow.progress.read_progress)
    "period_format": N_("period {period!r} is not a year (2022), a half (2022-H1) or a quarter "
                        "(2022-Q3)"),
    "half_format": N_("half {period!r}: H1 or H2"),
    "period_outside_plan": N_("period {period!r} lies outside the plan ({first}-{last})"),
    "count_column": N_("{column!r}"),
    "count_of_reason": N_("the count of {reason!r}"),
    "count_negative": N_("{what} must be a number >= 0, got {value!r}"),
    "count_not_whole": N_("{what} must be a whole number of young people, got {value!r}"),
    "dropout_without_reason": N_("{n} dropped out without a reason; choose from {choices}"),
    "dropout_reason_unknown": N_("drop-out reason {reason!r} is not on the list ({choices}); "
                                 "explain others with 'anders' and a note"),
    "dropout_reasons_need_counts": N_("several reasons need a count each (e.g. {reason}:2)"),
    "dropout_reasons_sum": N_("the drop-out reasons count {counted} young people, but {n} "
                              "dropped out"),
    "no_intervention_id": N_("no intervention id"),
    "intervention_not_in_plan": N_("intervention {name!r} is not in the plan (its "
                                   "interventions: {ids})"),
    "completed_above_reached": N_("completed ({completed:g}) is more than reached "
                                  "({reached:g})"),
    "completed_dropped_above_reached": N_("completed plus dropped out ({completed:g} + "
                                          "{dropped:g}) is more than reached ({reached:g})"),
    "anders_needs_note": N_("drop-out reason 'anders' needs a note (toelichting)"),
    "progress_row_twice": N_("intervention {name!r} and period {period!r} appear twice (also "
                             "{also})"),
    # models, files and reports (files.folders, render.report)
    "unknown_model": N_("{name!r} is neither a bundled model nor an existing file or folder; "
                        "bundled models: {models}; {hint}"),
    "not_a_model_file": N_("{path}: expected a model folder or a .json file; for CSV tables "
                           "give the folder that holds nodes.csv and edges.csv"),
    "not_a_workbook": N_("{path}: not a readable Excel workbook (.xlsx): {why}"),
    "not_utf8": N_("{path}: cannot decode as UTF-8 or Windows-1252 (byte {byte}); save the "
                   "file as CSV UTF-8"),
    "report_suffix": N_("out={out!r}: a report is written as HTML or PDF; give a file name "
                        "ending in {suffixes:plain} (got {suffix})"),
    "report_no_suffix": N_("out={out!r}: a report is written as HTML or PDF; give a file name "
                           "ending in {suffixes:plain} (got no extension)"),
    # area data (files.areas) and the city average (analysis.indicators)
    "no_data_rows": N_("{where}: no data rows (only a header: {columns})"),
    "duplicate_rows": N_("{where}: {n} rows share an area, year and indicator, e.g. "
                         "{examples}"),
    "city_from_one_area": N_(
        "the city average would be computed from a single area ({area!r}), so every delta "
        "would be 0. Add a city row to the data (an area named 'Rotterdam', 'stad' or "
        "'GM0599' with the city's figures), give the city's figures yourself "
        "(reference_values=... in Python, --reference-values FILE on the command line), or "
        "compare with the catalogue's typical levels (reference='typical', an assumption)"),
    "population_counts_residents": N_(
        "the data's column {column!r} counts all residents of {area!r} ({n}), not the young "
        "people a portfolio is for; give their number (population=... in Python, --population "
        "on the command line, the field 'aantal jongeren' on the web page), or say that this "
        "column counts the young people (column_is_young=True, --population-is-young)"),
    # a wijkplan against its model and data (workflow.wijkplan, workflow.evaluation)
    "plan_mismatch": N_("{items:items}. Make a new plan with this model and data, or use the "
                        "ones the plan was made with."),
    "plan_other_model": N_("the plan was made with model {plan_model!r}, not {model!r}"),
    "plan_other_version": N_("the plan was made with version {plan_version} of model "
                             "{model!r}; this is version {version}: the expected effects were "
                             "computed with other weights"),
    "plan_model_changed": N_("model {model!r} {version} has changed since the plan was made "
                             "(its content hash differs): the expected effects were computed "
                             "with other weights"),
    "plan_other_data": N_("the data file {file} differs from the one the plan was made from "
                          "({plan_file}, sha256 {sha}…): the baselines may not be these "
                          "figures"),
    "data_not_later": N_("the new data are of {year}, not later than the plan's data "
                         "({plan_year}): give next year's data (year=)"),
    # numbers typed or read (tables._cells.parse_number, analysis.words.parse_number, cli)
    "not_a_number": N_("{what} {value!r} is not a number ({why})"),
    "no_number_given": N_("no number given"),
    "expected_a_number": N_("expected a number"),
    "cell_not_a_number": N_("expected a number, got {value}"),
    "cell_not_finite": N_("expected a finite number, got {value}"),
    "cell_too_large": N_("expected a finite number, got {value} (too large)"),
    "cell_boolean": N_("expected a number, got the boolean {value}"),
    "cell_nan": N_("expected a number, got NaN ({value})"),
    "cell_underscore": N_("expected a number, got {value} ('_' is not a digit separator in "
                          "tables)"),
    "cell_percent_sign": N_("expected a number, got {value}; a % sign is not allowed here "
                            "(give the number without it)"),
    "cell_column_decimal": N_("expected a number, got {value} (its column uses {decimal!r} as "
                              "decimal mark, so {mark!r} separates thousands, which are not "
                              "allowed here; write {plain})"),
    "cell_thousands": N_("expected a number, got {value} (thousands separators are not allowed "
                         "here; write {plain})"),
    "cell_ambiguous": N_("{value!r} is ambiguous: {thousands} ({mark!r} separating thousands) "
                         "or {decimal} ({mark!r} as decimal mark); write {thousands} for the "
                         "first, {second} for the second"),
    "goal_priority": N_("--goal {raw!r}: priority"),
    "goal_years": N_("--goal {raw!r}: years"),
    "goal_change": N_("--goal {raw!r}: change"),
    "outcome_priority": N_("--outcome {item!r}: priority {value!r} is not a number"),
    "delta_syntax": N_("--delta {item!r}: expected ID=VALUE, e.g. --delta schoolverzuim=-0.5"),
    "delta_not_a_number": N_("--delta {item!r}: {value!r} is not a number"),
    # goals (analysis.goals)
    "goal_syntax": N_("--goal {raw!r}: expected TARGET[:CHANGE][:YEARS][:GROUP][=PRIORITY], e.g. "
                      "schoolverzuim:-2pp:3j"),
    "goal_not_in_model": N_("goal {name!r} is neither a node nor an indicator of model "
                            "{model!r} (by id or Dutch/English label); {hint}"),
    "names_not_understood": N_("{where:at}{n} indicator name(s) not understood: "
                               "{items:items}{more}"),
    # the command line's own messages
    "needs_area": N_("{cmd} needs --area (e.g. --area {example})"),
    "needs_goal": N_("recommend needs at least one --goal (or --outcome), e.g. --goal "
                     "'schoolverzuim:-2pp:3j' or --outcome vsv"),
    "area_goes_with_data": N_("--area goes with --data"),
    "xlsx_needs_out": N_("--format xlsx needs --out FILE.xlsx"),
}


class _Untranslated(Exception):
    """A part of a message has no wording in the language: the whole stays English."""


class _Words(string.Formatter):
    """Fills a template in ``lang``: a :class:`~factormodel.errors.Message` field is worded
    from its own code and fields, and the format specs below word lists and places.

    ``{x:or}``: the names quoted and joined with "or"; ``{x:list}``: the names quoted and
    joined with commas; ``{x:plain}`` / ``{x:plain_or}``: the names unquoted, joined with
    commas (the last with "or"); ``{x:items}``: messages joined with ``"; "``; ``{x:at}``: a place
    and ``": "`` (nothing when the place is empty); ``{x:money}``: an amount in euros;
    ``{x:n4}``: a number with 4 decimals (any digit), both as ``lang`` writes them. A field
    ``where`` that is plain text (a file name, ``"area data"``) is looked up in the
    catalogue.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def word(self, value: object, key: object = None) -> str:
        if isinstance(value, Message):
            if value.code not in CODES:
                if self.lang != "en":
                    raise _Untranslated(value.code)
                return str(value)
            return render(value.code, value.fields, self.lang, strict=True)
        if key == "where" and isinstance(value, str):
            return tr(value, self.lang)
        return str(value)

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]
                  ) -> Any:
        value = super().get_value(key, args, kwargs)
        return _Place(value) if key == "where" else value

    def format_field(self, value: Any, format_spec: str) -> str:
        place = isinstance(value, _Place)
        if place:
            value = value.value
        if format_spec == "or":
            return f" {tr(N_('or'), self.lang)} ".join(repr(str(v)) for v in value)
        if format_spec == "list":
            return ", ".join(repr(str(v)) for v in value)
        if format_spec == "plain":
            return ", ".join(map(str, value))
        if format_spec == "plain_or":
            *rest, last = map(str, value)
            return f"{', '.join(rest)} {tr(N_('or'), self.lang)} {last}" if rest else last
        if format_spec == "items":
            return "; ".join(self.word(v) for v in value)
        if format_spec == "at":
            return f"{self.word(value, 'where')}: " if value else ""
        if format_spec == "money":
            return fmt.money(value, self.lang)
        if re.fullmatch(r"n\d", format_spec):  # n4: four decimals, no grouping
            return fmt.number(value, int(format_spec[1]), self.lang, grouping=False)
        if isinstance(value, Message) or place:
            return format(self.word(value, "where" if place else None), format_spec)
        return format(value, format_spec)


class _Place:
    """A ``where`` field on its way to :meth:`_Words.format_field`."""

    def __init__(self, value: object) -> None:
        self.value = value


def render(code: str, fields: Mapping[str, object], lang: str, *, strict: bool = False
           ) -> str:
    """The message of ``code`` made from ``fields`` in ``lang``.

    A part of ``fields`` without a wording in ``lang`` (a :class:`~factormodel.errors.Message`
    whose code is not in :data:`CODES`) makes the whole message English, as raised:
    better English than half a translation (``strict``: raise instead, for nested parts).

    Examples
    --------
    >>> render("no_data_for_year", {"year": 2020, "years": "2022, 2023"}, "nl")
    'geen data voor het jaar 2020; jaren in de data: 2022, 2023 (kies met --year)'
    >>> render("no_such_file", {"path": "wijk.csv"}, "en")
    'wijk.csv: no such file'
    >>> render("did_you_mean", {"names": ["vsv", "neet"]}, "nl")
    "bedoelde u 'vsv' of 'neet'?"
    """
    try:
        text = _Words(lang).format(tr(CODES[code], lang), **fields)
    except _Untranslated:
        if strict:
            raise
        text = _Words("en").format(CODES[code], **fields)
    return text[:-2] if text.endswith("; ") else text

# --------------------------------------------------------------------------- errors
#
# The library raises English FactorModelErrors (for programs and logs); the command line
# prints them in --lang. A message is translated only when ALL of it matches the rules
# below (a rule's ``t_`` groups are translated recursively, ``g_`` groups are goal
# descriptions, ``w_`` groups are places such as "file.csv line 3, column 'x'"); anything
# else stays English rather than being half translated or mistranslated.

def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, re.S), t) for p, t in pairs]


_NAME = r"'[^']*'|\"[^\"]*\""  # a quoted name as repr() writes it

_ERROR_RULES = _rules(
    # percentages given as fractions (indicators._check_fractions)
    (r"(?P<n>\d+) percentage indicator\(s\) look like fractions \(0\.091 instead of 9\.1\): "
     r"(?P<l_items>.+)\. A spreadsheet cell formatted as a percentage stores a fraction; write "
     r"the percentages as numbers \(9\.1\), or multiply the column by 100",
     "{n} percentage-indicator(en) lijken breuken (0,091 in plaats van 9,1): {items}. Een "
     "spreadsheetcel met percentageopmaak bewaart een breuk; schrijf de percentages als "
     "getallen (9,1), of vermenigvuldig de kolom met 100"),
    (r"(?P<ind>\S+) \(largest value (?P<d_v>[-\d.e]+); typical level (?P<d_t>[-\d.e]+)%\)",
     "{ind} (grootste waarde {v}; gebruikelijk niveau {t}%)"),
    # a goal in words with two readings (readback.read_goal)
    (rf"goal (?P<goal>{_NAME}) is ambiguous: (?P<part>{_NAME}) is either (?P<n>[\d.,]+) "
     r"percentage points (?P<w>less|more) \((?P<pp>'[^']*')\) or (?P=n)% (?P=w) than the "
     r"current level \((?P<rel>'[^']*')\); write the one you mean",
     "doel {goal} is dubbelzinnig: {part} is óf {n} procentpunt (--goal {pp}), óf {n}% van "
     "het huidige niveau (--goal {rel}); schrijf wat u bedoelt"),
    (rf"goal (?P<g_goal>.+?): node (?P<node>{_NAME}) has (?P<n>\d+) indicators \((?P<list>.*)\);"
     r" name the indicator as the goal's target, e\.g\. (?P<example>\S+)",
     "doel {goal}: {node} heeft {n} indicatoren ({list}); noem de indicator als doel, "
     "bijvoorbeeld --goal {example}"),
    # a profile's assumption (indicators.profile)
    (r"the SD between persons of (?P<list>.+) is an assumption \(an index without norm "
     r"tables\)", "de SD tussen personen van {list} is een aanname (een index zonder "
     "normtabellen)"),
    # problems inside an area data file (areas.read_area_data)
    (r"(?P<w_where>.+?): (?P<p_items>\d+ (?:unreadable year|value|population)\(s\).*)",
     "{where}: {items}"),
    (r"(?P<n>\d+) unreadable year\(s\) \(expected e\.g\. 2022, 2022JJ00 or 2022\*\): "
     r"(?P<items>.*)", "{n} onleesbare jaartal(len) (verwacht bijvoorbeeld 2022, 2022JJ00 of "
     "2022*): {items}"),
    (r"(?P<n>\d+) value\(s\) are not numbers or CBS symbols: (?P<items>.*)",
     "{n} waarde(n) zijn geen getal of CBS-symbool: {items}"),
    (r"(?P<n>\d+) population\(s\) are not numbers: (?P<items>.*)",
     "{n} aantal(len) jongeren/inwoners zijn geen getal: {items}"),
    # the command line's own messages
)

_WHERE = _rules(
    (r"(?P<file>.+?) line (?P<line>\d+), column (?P<col>'[^']*')",
     "{file} regel {line}, kolom {col}"),
    (r"(?P<file>.+?) line (?P<line>\d+)", "{file} regel {line}"),
    (r"(?P<file>.+?) column (?P<col>'[^']*'|\d+)", "{file} kolom {col}"),
    (r"area data", "gebiedsdata"),
    (r"(?P<file>[^ ]+)", "{file}"),
)

_PLACE = re.compile(r"\((line|row) (\d+)(?=[,)])")  # inside listed area-data problems
_PLACES = re.compile(r"\((lines|rows) ([\d, ]+ and \d+(?: more)?)\)")  # several rows at once
_CELL = re.compile(rf": expected a (finite )?number, got ({_NAME})(?=; |$)")


def _goal_nl(text: str) -> str:
    """A goal described in English (Goal.describe('en')) in Dutch."""
    text = re.sub(r"\bin (\S+) years?\b", r"in \1 jaar", text)
    return re.sub(r"(?<=\d) pp\b", " procentpunt", text)


def _split_items(text: str, problems: bool = False) -> list[str] | None:
    """``"a; b; ... and 3 more"`` split at the top-level ``; `` (not inside quotes or
    brackets); None when a quote or bracket is left open."""
    items, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"" and (i == 0 or not text[i - 1].isalnum()):
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == ";" and depth == 0 and text[i + 1:i + 2] == " ":
            items.append(text[start:i])
            start = i + 2
    if quote or depth:
        return None
    items.append(text[start:])
    joined: list[str] = []
    for item in items:  # "unknown x 'y'; did you mean ...": one item
        if joined and (item.startswith(("did you mean", "closest valid values",
                                        "no close match"))
                       or " measures the opposite: if your column is " in item
                       or (problems and not item[:1].isdigit())):
            joined[-1] += "; " + item
        else:
            joined.append(item)
    return joined


def _translate(text: str, rules: list[tuple[re.Pattern[str], str]] = _ERROR_RULES
               ) -> str | None:
    """``text`` in Dutch by the first rule that matches all of it, or None."""
    for pattern, template in rules:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        fields: dict[str, str] = {}
        for key, value in m.groupdict().items():
            value = value or ""
            name = key[2:] if key[1:2] == "_" else key
            if key.startswith("t_") and value:
                value = _translate(value)
            elif key.startswith("w_") and value:
                value = _translate(value, _WHERE)
                value = value and value + (": " if name == "where" and
                                           not template.startswith("{where}:") else "")
            elif key.startswith("g_"):
                value = _goal_nl(value)
            elif key.startswith("d_"):  # a number: decimal comma
                value = value.replace(".", ",")
            elif key.startswith(("l_", "p_")):
                parts = _split_items(value, key.startswith("p_"))
                more = (re.fullmatch(r"\.\.\. and (\d+) more|\.\.\.", parts[-1])
                        if parts else None)
                if more and parts:
                    parts = parts[:-1]
                done = [_translate(p) for p in parts] if parts is not None else [None]
                if any(d is None for d in done):
                    value = None
                else:
                    tail = ("; ... en nog " + more.group(1) if more and more.group(1)
                            else "; ..." if more else "")
                    value = "; ".join(done) + tail  # type: ignore[arg-type]
            elif key == "names":
                value = re.sub(r"(?<=')\s+or\s+(?=')", " of ", value)
            elif key == "ref":
                value = {"city": "stad", "typical": "typisch niveau", "target": "doel",
                         "previous_year": "vorig jaar", "values": "opgegeven"}.get(value, value)
            elif key == "field":
                value = {"priority": "prioriteit", "years": "aantal jaren"}[value]
            elif key == "finite" and value:
                value = "eindig "
            elif key == "level" and value:
                value = f" (niveau {value})"
            elif key == "more" and value:
                value = f" (en nog {value})"
            elif key == "city" and value:
                value = " behalve die van de stad"
            elif key == "items":
                value = _PLACE.sub(lambda p: f"({'regel' if p[1] == 'line' else 'rij'} {p[2]}",
                                   value).replace(" in column ", " in kolom ")
                value = _PLACES.sub(lambda p: "({} {})".format(
                    "regels" if p[1] == "lines" else "rijen",
                    re.sub(r" and (\d+) more$", r" en nog \1", p[2]).replace(" and ", " en ")),
                    value)
                value = re.sub(r"; \.\.\. and (\d+) more$", r"; ... en nog \1", value)
                value = _CELL.sub(lambda p: f": verwacht een {'eindig ' if p[1] else ''}getal, "
                                            f"niet {p[2]}", value)
            if value is None:
                return None
            fields[name] = value
        return template.format(**fields)
    return None


def problem(p: Problem, lang: str) -> str:
    """One validation problem (``where: message``) in ``lang``; English when its code (or
    its place's) has no wording here.

    Examples
    --------
    >>> from factormodel.tables._cells import TableSource
    >>> where = TableSource("short", "csv", "short.csv", (26,)).where(0)
    >>> problem(Problem(where, "has 3 fields, the header has 4", code="row_width",
    ...                 fields={"n": 3, "width": 4}), "nl")
    'short.csv regel 26: heeft 3 velden, de kopregel heeft er 4'
    """
    return render("problem", p.as_message().fields, lang)


def warning(message: Warning | str, lang: str) -> str:
    """A library warning's message in ``lang`` (English when its code is not known here).

    Examples
    --------
    >>> from factormodel.errors import DataWarning, Message
    >>> w = DataWarning("no reference value (city) for 1 indicator(s), left unmeasured: x",
    ...                 code="no_reference_value", fields={
    ...                     "n": 1, "names": "x", "reference": Message("city",
    ...                                                                "reference_kind_city")})
    >>> print(warning(w, "nl"))
    geen referentiewaarde (stad) voor 1 indicator(en), die daarom als niet gemeten tellen: x
    >>> warning("something new", "nl")
    'something new'
    """
    code = getattr(message, "code", None)
    if lang != "en" and code in CODES:
        return render(code, message.fields, lang)  # type: ignore[union-attr]
    return str(message)


def error(exc: BaseException, lang: str) -> str:
    """The message of a library error for people, in ``lang``.

    The library's errors are English (for programs and logs); at the command line they are
    shown in the user's language. A message that the rules here do not cover completely
    stays English: better English than a wrong translation.

    Examples
    --------
    >>> from factormodel.errors import DataError, UnknownAreaError, close_matches
    >>> hint = close_matches("Blomhof", ["Bloemhof", "Delfshaven"])
    >>> error(UnknownAreaError(f"no area 'Blomhof' in the profile; {hint}",
    ...                        code="area_not_in_profile",
    ...                        fields={"name": "Blomhof", "hint": hint}), "nl")
    "geen gebied 'Blomhof' in de data; bedoelde u 'Bloemhof'?"
    >>> error(DataError("something new"), "nl")
    'something new'
    """
    text = str(exc) or type(exc).__name__
    if lang != "nl":
        return text
    code = getattr(exc, "code", None)
    if code in CODES:
        return render(code, getattr(exc, "fields", {}) or {}, lang)
    problems = getattr(exc, "problems", None)
    if problems is not None:
        n = len(problems)
        head = f"{getattr(exc, 'source', 'model')} heeft {n} " \
               f"{'probleem' if n == 1 else 'problemen'}:"
        return "\n".join([head, *(f"  - {problem(p, lang)}" for p in problems)])
    lines = text.splitlines()
    done = _translate(lines[0]) if lines else None
    return text if done is None else "\n".join([done, *lines[1:]])
