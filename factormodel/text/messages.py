"""Library errors, warnings and validation problems for people, in Dutch or English.

The library raises English :class:`~factormodel.errors.FactorModelError` s (for programs
and logs); the command line, the web page and the service's problem documents show them
in the user's language. A message that is not translated completely stays English:
better English than a wrong translation.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from factormodel.errors import Message, Problem
from factormodel.text import numbers as fmt
from factormodel.text.catalogue import N_, NC_, tr

__all__ = ["CODES", "error", "problem", "render", "warning"]

#: The English template of each error code whose message the text layer words itself
#: (``code -> msgid``); the raiser writes the same English from the same fields, and the
#: Dutch comes from the catalogue. An error whose code is not here stays English.
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
    "left_out_below_threshold": N_("its expected effect on the chosen goals "
                                   "({best:.{digits}f} SD at most) is below the threshold of "
                                   "{share:.0%} of the {of} ({limit:.{digits}f} SD)"),
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
    # percentages given as fractions (analysis.indicators)
    "fraction_indicator": N_("{indicator} (largest value {largest:g}; typical level "
                             "{typical:g}%)"),
    "percentages_as_fractions": N_(
        "{n} percentage indicator(s) look like fractions (0.091 instead of 9.1): "
        "{items:items}. A spreadsheet cell formatted as a percentage stores a fraction; write "
        "the percentages as numbers (9.1), multiply the column by 100, or give the column "
        "transformatie 'fractie' in the column mapping"),
    "assumed_sd_of_index": N_("the SD between persons of {names:labels} is assumed, not taken "
                              "from a norm table (see sd_source in the indicator catalogue)"),
    # where a profile's reference came from and what it assumes (analysis.indicators,
    # analysis.goals, analysis.columns; worded by text.words.source)
    "reference_few_areas": N_("the reference is the mean of only {n} areas in the data, not the "
                              "whole city: add a city row, or give the city's figures as "
                              "reference values"),
    "example_catalogue": N_("indicator catalogue: the one shipped with example data {name!r} "
                            "(fm.load_example_indicators({name!r})), named by the data's "
                            "{column!r} column"),
    "reference_city_row": N_("the city row {name!r} in the data"),
    "reference_city_row_filled": N_("the city row {name!r} in the data (mean of {n} areas for "
                                    "{indicators})"),
    "reference_given": N_("the given reference values"),
    "reference_values_in": N_("the reference values in {file}"),
    "reference_targets": N_("the catalogue's targets"),
    "reference_typical_levels": N_("the catalogue's typical levels"),
    "reference_previous_year": N_("the areas' own values in {year}"),
    "reference_typical_assumption": N_("the reference is the catalogue's typical level of each "
                                       "indicator: an assumption, not a measurement of the "
                                       "city"),
    "converted_at_typical_level": N_("{indicator} converted at the catalogue's typical level "
                                     "{level:g} {unit} (an assumption; give the area's own "
                                     "level)"),
    "goal_against_direction": N_("the goal moves {node} against its usual desired direction"),
    "column_read_as": N_("column {column!r} read as {indicator} ({how}{definition}{year})"),
    "column_definition": N_("; its definition: {definition}"),
    "column_year": N_("; year {year}"),
    "plan_not_json": N_("a wijkplan is a JSON file: write it to a name ending in .json (e.g. "
                        "{stem}.json), not {path!r}; for a page to read, write the wijkrapport "
                        "(factormodel wijkanalyse --out rapport.html)"),
    "plan_unknown_interventions": N_("intervention(s) {names} are not in the portfolio; give "
                                     "a chosen one by its name or id: {chosen}"),
    "no_plan_store": N_("this server keeps no wijkplannen: start it with a data folder "
                        "(factormodel serve --data FOLDER)"),
    "levels_impossible": N_("{n} value(s) the indicators' measurement model cannot hold"
                            "{more}:{items:lines}"),
    "levels_more": N_(" (and {n} more)"),
    "level_not_share": N_("area {area!r}, indicator {indicator!r}: {value:dec} is not a share "
                          "(%); it must lie between 0 and {top:dec}"),
    "level_not_share_count": N_("area {area!r}, indicator {indicator!r}: {value:dec} is not a "
                                "share (%); it must lie between 0 and {top:dec} (a count, such "
                                "as the number of young people, is no indicator: map its "
                                "column as 'jongeren' in the column mapping)"),
    "level_not_rate": N_("area {area!r}, indicator {indicator!r}: {value:dec} is not a rate per "
                         "1000; it must lie between 0 and {top:dec}"),
    "level_not_rate_count": N_("area {area!r}, indicator {indicator!r}: {value:dec} is not a "
                               "rate per 1000; it must lie between 0 and {top:dec} (a count, "
                               "such as the number of young people, is no indicator: map its "
                               "column as 'jongeren' in the column mapping)"),
    "level_fraction": N_("area {area!r}, indicator {indicator!r}: {value:dec} looks like a "
                         "fraction of {percent:dec}% (the reference is {reference:dec}%); write "
                         "the percentage ({percent:dec}), not the fraction"),
    "level_reference_edge": N_("indicator {indicator!r}: the reference ({reference}) is "
                               "{value:dec}, exactly 0 or everyone; a share of 0 or 100 % has "
                               "no liability, so no area can be measured against it (give the "
                               "reference with more decimals, or another reference)"),
    "level_reference_outside": N_("indicator {indicator!r}: the reference ({reference}) is "
                                  "{value:dec}, outside 0 to {top:dec}"),
    "columns_not_mapped": N_("column(s) {columns} are not in the column mapping and name no "
                             "indicator: left out; map each to an indicator (or to 'jongeren' "
                             "for the number of young people), or give it an empty indicator "
                             "to leave it out without this warning"),
    "mapping_problems": N_("column mapping {file}: {n} problem(s): {items:items}{more}"),
    "mapping_empty": N_("column mapping {file}: no columns mapped"),
    "mapping_no_column": N_("{where}: no column name ('kolom') for indicator {name!r}"),
    "mapping_twice": N_("{where}: column {column!r} is mapped twice (also on {also})"),
    "mapping_indicator": N_("{where}, column 'indicator': {why} (or 'jongeren' for the number "
                            "of young people; leave it empty to leave the column out)"),
    "mapping_no_transform": N_("{where}, column 'transformatie': {value!r} is no "
                               "transformation; expected one of {expected}"),
    "mapping_transform_unit": N_("{where}: transformation {how!r} does not apply to "
                                 "{indicator!r}, whose unit is {unit!r} (it applies to {fits})"),
    "mapping_year": N_("{where}, column 'jaar': expected a year such as 2016, got {value!r}"),
    "mapping_left_out": N_("column mapping: column(s) {columns} left out (their 'indicator' is "
                           "empty); to use a column as the number of young people, write "
                           "'jongeren' as its indicator"),
    "mapping_young_twice": N_("column mapping: more than one column gives the number of young "
                              "people ({columns}); keep one"),
    "transform_as_is": N_("as is"),
    "transform_complement": N_("complement (100 − x)"),
    "transform_fraction": N_("fraction → % (× 100)"),
    "transform_per_1000_to_pct": N_("per 1,000 → % (÷ 10)"),
    "transform_pct_to_per_1000": N_("% → per 1,000 (× 10)"),
    # problems inside an area data file (files.areas.normalize_area_data) and their places
    "at_line": N_("line {line}"),
    "at_row": N_("row {row}"),
    "at_lines": N_("lines {first} and {last}"),
    "at_rows": N_("rows {first} and {last}"),
    "at_lines_range": N_("lines {first}-{last}"),
    "at_rows_range": N_("rows {first}-{last}"),
    "values_not_a_number": N_("{n} values in column {column!r} ({places}), e.g. {value!r} "
                              "({area!r}): {why}"),
    "at_lines_more": N_("lines {first} and {more} more"),
    "at_rows_more": N_("rows {first} and {more} more"),
    "listing_more": N_("; ... and {n} more"),
    "area_data_problems": N_("{where}: {items:items}"),
    "unreadable_years": N_("{n} unreadable year(s) (expected e.g. 2022, 2022JJ00 or 2022*): "
                           "{items:items}{more}"),
    "unreadable_year": N_("{value!r} ({places}) in column {column!r}"),
    "values_not_numbers": N_("{n} value(s) are not numbers or CBS symbols: {items:items}{more}"),
    "value_not_a_number": N_("{value!r} ({place}, {area!r}, {indicator!r}) in column "
                             "{column!r}: {why}"),
    "populations_not_numbers": N_("{n} population(s) are not numbers: {items:items}{more}"),
    "population_not_a_number": N_("{value!r} ({place}, {area!r}) in column {column!r}: {why}"),
    "populations_negative": N_("{n} population(s) are negative: {items:items}{more}"),
    "population_negative": N_("{value!r} ({place}, {area!r}) in column {column!r}: a "
                              "population cannot be negative"),
    # a goal in words (analysis.goals.Goal.message) and goals that need saying otherwise
    "goal_target": N_("{target}"),
    "goal_described": N_("{target} {size}"),
    "goal_size": N_("{parts:spaced}"),
    "goal_size_group": N_("{parts:spaced}, {group}"),
    "goal_change_sd": N_("{change:+g} SD"),
    "goal_change_pp": N_("{change:+g} pp"),
    "goal_change_relative": N_("{change:+g}%"),
    "goal_change_own": N_("{change:+g}"),
    "goal_horizon": N_("in {years:g} years"),
    "goal_ages": N_("ages {low}-{high}"),
    "goal_group": N_("group {group}"),
    "goal_node_indicators": N_("goal {goal}: node {node!r} has {n} indicators ({indicators}); "
                               "name the indicator as the goal's target, e.g. {example}"),
    "goal_part_unreadable": N_("--goal {raw!r}: cannot read {part!r}; expected a change with a "
                               "sign and unit (-2pp, +5%, -0,3sd, -2), a horizon (3j) and a "
                               "target group (12-18)"),
    "goal_node_or_indicator": N_("goal {name!r} names node {node!r} and indicator {indicator!r} "
                                 "(of node {of!r}); use the id of the one you mean"),
    "goal_needs_catalogue": N_("goal {goal}: a change in {unit} needs an indicator catalogue; "
                               "model {model!r} has none (give the change in sd)"),
    "goal_node_no_indicator": N_("goal {goal}: node {node!r} has no indicator in the catalogue; "
                                 "give the change in sd or name an indicator"),
    "goal_node_no_percentage": N_("goal {goal}: node {node!r} has no percentage indicator in the "
                                  "catalogue; give the change in sd or name an indicator"),
    "goal_pp_needs_percent": N_("goal {goal}: percentage points need a % indicator; "
                                "{indicator!r} is in {unit!r}"),
    "goal_needs_level": N_("goal {goal}: the change needs the current level of {indicator!r}; "
                           "give level=... (the catalogue has no typical level)"),
    "goal_impossible": N_("goal {goal}: from {level:g} {unit} a change of {change:+g} would "
                          "leave the range of {indicator!r} (a share lies between 0 and 100 %): "
                          "the goal is impossible as stated"),
    "goals_opposite": N_("two goals on {node!r} ask for opposite directions"),
    "ambiguous_goal_less": N_("goal {goal!r} is ambiguous: {part!r} is either {number} "
                              "percentage points less ({pp!r}) or {number}% less than the "
                              "current level ({rel!r}); write the one you mean"),
    "ambiguous_goal_more": N_("goal {goal!r} is ambiguous: {part!r} is either {number} "
                              "percentage points more ({pp!r}) or {number}% more than the "
                              "current level ({rel!r}); write the one you mean"),
    # a model's nodes and edges (tables._tables.build_nodes/build_edges, core.model)
    "model_no_nodes": N_("the model has no nodes (empty model)"),
    "model_no_edges": N_("the model has no edges"),
    "missing_node_id": N_("missing node id"),
    "node_id_format": N_("node id {id!r} must be ascii letters, digits, '_', '-' or '.', "
                         "starting with a letter or digit, without spaces"),
    "duplicate_node_id": N_("duplicate node id {id!r} (first defined at {first})"),
    "unknown_kind": N_("unknown kind {kind!r}; expected one of {choices}"),
    "unknown_setting_outcome": N_("unknown setting {setting!r} for an outcome; expected one of "
                                  "{choices}"),
    "unknown_setting_factor": N_("unknown setting {setting!r} for a factor; expected one of "
                                 "{choices}"),
    "missing_label_nl": N_("missing Dutch label"),
    "missing_label_en": N_("missing English label"),
    "unknown_desired": N_("unknown desired direction {desired!r}; expected lower or higher"),
    "outcome_needs_desired": N_("an outcome needs a desired direction: lower (e.g. VSV) or "
                                "higher (e.g. schoolsucces)"),
    "desired_contradicts_risk": N_("desired {desired!r} contradicts kind 'risk' (a risk factor "
                                   "is better lower); leave it empty"),
    "desired_contradicts_protective": N_("desired {desired!r} contradicts kind 'protective' (a "
                                         "protective factor is better higher); leave it empty"),
    "missing_source_id": N_("missing source node id"),
    "missing_target_id": N_("missing target node id"),
    "self_loop": N_("self-loop {source!r} -> {target!r}; a node cannot affect itself directly"),
    "duplicate_edge": N_("duplicate edge {source!r} -> {target!r} (first at {first})"),
    "missing_weight": N_("missing weight (empty or NaN); write 0 only if the effect is really "
                         "zero"),
    "sd_negative": N_("sd must be zero or positive, got {sd}"),
    "low_without_high": N_("give both low and high, or neither"),
    "sd_and_interval": N_("give sd or low/high for the uncertainty, not both"),
    "low_above_high": N_("low {low} is above high {high}"),
    "weight_outside_interval": N_("weight {weight} lies outside its interval [{low}, {high}]; "
                                  "adjust low/high together with the weight"),
    "unknown_strength": N_("unknown strength {strength!r}; expected one of {choices}"),
    "missing_source_ref": N_("missing source reference; give a citation or the literal text "
                             "'{expert}'"),
    "unknown_column": N_("unknown column; allowed: {allowed}"),
    "no_weight_rows": N_("no rows: an empty weights table changes nothing (did a filter select "
                         "no edges?)"),
    "duplicate_weight_row": N_("duplicate edge {source!r} -> {target!r} (also in row {row})"),
    "no_weight": N_("missing weight"),
    "bool_empty": N_("expected true or false (also yes/no, ja/nee, 1/0), got an empty cell"),
    "not_a_bool": N_("expected true or false (also yes/no, ja/nee, 1/0), got {value!r}"),
    "no_phase": N_("no phase given; expected one or more of {phases} or 'all'"),
    "all_and_phases": N_("'all' cannot be combined with other phases"),
    "unknown_phase": N_("unknown phase {names}; expected one or more of {phases} or 'all'"),
    "place_node": N_("node {node!r}"),
    "place_field": N_("{file}, field '{field}'"),
    "outcome_without_edges": N_("outcome has no incoming edge; nothing in the model drives it"),
    "kind_outcome_lower": N_("outcome, desired lower"),
    "kind_outcome_higher": N_("outcome, desired higher"),
    "kind_risk": N_("risk factor"),
    "kind_protective": N_("protective factor"),
    "weight_sign_not_positive": N_("weight {weight:+g} of {source!r} ({source_kind}) -> "
                                   "{target!r} ({target_kind}) has the opposite sign of what "
                                   "the kinds imply; expected positive"),
    "weight_sign_not_negative": N_("weight {weight:+g} of {source!r} ({source_kind}) -> "
                                   "{target!r} ({target_kind}) has the opposite sign of what "
                                   "the kinds imply; expected negative"),
    "missing_metadata": N_("missing metadata"),
    "metadata_not_a_mapping": N_("metadata must be a mapping, got {type}"),
    "missing_field": N_("missing required field '{field}'"),
    "field_not_text": N_("expected text, got {type}"),
    "unknown_status": N_("unknown status {status!r}; expected one of {choices}"),
    "id_differs_in_case": N_("node id {id!r} differs from {other!r} (at {at}) only in letter "
                             "case; ids must differ in more than case"),
    "sd_not_finite": N_("{column} {value:g} is not finite"),
    "beyond_weight_bound": N_("{column} {value:g} is beyond the bound of {bound:g} in "
                              "magnitude; weights are standardised effects (SD per SD), "
                              "usually well below 1"),
    "outcome_feeds_back_risk": N_("outcome {outcome!r} drives the risk factor {factor!r}, which "
                                  "in turn drives {outcome!r}: the outcome feeds back on its "
                                  "own causes; check the direction"),
    "outcome_feeds_back_protective": N_("outcome {outcome!r} drives the protective factor "
                                        "{factor!r}, which in turn drives {outcome!r}: the "
                                        "outcome feeds back on its own causes; check the "
                                        "direction"),
    "unknown_node_in_model": N_("{n} unknown node in model {model!r}: {items:items}{more}"),
    "unknown_nodes_in_model": N_("{n} unknown nodes in model {model!r}: {items:items}{more}"),
    "and_more": N_(" (and {n} more)"),
    "edge_not_in_model": N_("{n} edge not in model {model!r}: {edges}; {hint}"),
    "edges_not_in_model": N_("{n} edges not in model {model!r}: {edges}; {hint}"),
    # the command line's own messages
    "needs_area": N_("{cmd} needs --area (e.g. --area {example})"),
    "needs_goal": N_("recommend needs at least one --goal (or --outcome), e.g. --goal "
                     "'schoolverzuim:-2pp:3j' or --outcome vsv"),
    "area_goes_with_data": N_("--area goes with --data"),
    "xlsx_needs_out": N_("--format xlsx needs --out FILE.xlsx"),
    # the intervention catalogue's problems (analysis.portfolio.load_interventions)
    "iv_none": N_("no interventions"),
    "iv_missing_id": N_("missing intervention id"),
    "iv_unknown_target": N_("unknown factor {target!r}; {hint}"),
    "iv_target_outcome": N_("{target!r} is an outcome; interventions target factors"),
    "iv_target_context": N_("{target!r} is not modifiable (context); it cannot be a target"),
    "iv_target_twice": N_("intervention {intervention!r} lists target {target!r} twice"),
    "iv_unknown_recognition": N_("unknown recognition level {value!r}; expected one of {allowed}"),
    "iv_unknown_setting": N_("unknown setting {value!r}; expected one of {allowed}"),
    "iv_above_zero": N_("{column} must be a number above 0"),
    "iv_at_least_zero": N_("{column} must be a number of at least 0"),
    "iv_whole_units": N_("max_units must be a whole number"),
    "iv_unknown_effect_status": N_(
        "unknown effect_status {value!r}; expected 'published', 'published "
        "null' or empty (no effect known: the stated default)"),
    "iv_null_not_zero": N_("a published null has effect 0 (or empty), got {effect:dec}"),
    "iv_published_no_effect": N_("effect_status is 'published' but no effect is given"),
    "iv_interval_one_end": N_(
        "give both ends of the interval (effect_low and effect_high) or neither"),
    "iv_interval_outside": N_(
        "the interval [{low:dec}, {high:dec}] must contain the effect "
        "{effect:dec}"),
    "iv_interval_no_effect": N_("an interval without an effect: give the published effect"),
    "iv_missing_evidence_of": N_(
        "missing {column}: a published effect says where it comes from "
        "({allowed})"),
    "iv_missing_evidence": N_("missing {column}: a published effect says where it comes from"),
    "iv_unknown_confidence": N_(
        "unknown {column} {value!r}; expected one of {allowed} (a recalled "
        "figure is not entered)"),
    "iv_unknown_value": N_("unknown {column} {value!r}; expected one of {allowed}"),
    "iv_missing": N_("missing {column}"),
    "iv_differs": N_("{column} of {intervention!r} differs from {place}"),
    # why closing gaps together differs from their sum (analysis.recommend.gap_effects)
    "gap_sum": N_("together equals the sum here: none of the factors acts through another"),
    "gap_acts_through": N_("{factor:labels} acts (partly) through {via:labels}"),
    "gap_and_more": N_(" (and {n} more)"),
    "gap_not_sum": N_(
        "together is not the sum: {pairs:items}{more}. Closing the gaps "
        "together holds the second factor at the reference, so the route "
        "through it counts once, not twice"),
    # an area name that is two areas of the registry (files.areas)
    "area_ambiguous": N_("{where}: area {area!r} is ambiguous ({options}); add a 'level' column "
                         "or use CBS codes"),
    # beside a change in an indicator's unit (analysis.indicators.to_indicator_units)
    "units_direction_ambiguous": N_("direction ambiguous: no change in the indicator's unit"),
    "units_no_level": N_("no level to convert at (no area value, reference or typical level)"),
    "units_at_typical": N_("at the catalogue's typical level, an assumption"),
    "units_at_reference": N_("at the reference's level: the area has no figure for it"),
}


class _Untranslated(Exception):
    """A part of a message has no wording in the language: the whole stays English."""


class _Words(string.Formatter):
    """Fills a template in ``lang``: a :class:`~factormodel.errors.Message` field is worded
    from its own code and fields, and the format specs below word lists and places.

    ``{x:or}``: the names quoted and joined with "or"; ``{x:list}``: the names quoted and
    joined with commas; ``{x:plain}`` / ``{x:plain_or}``: the names unquoted, joined with
    commas (the last with "or"); ``{x:labels}``: a list of ``{"en": ..., "nl": ...}``
    labels, each in ``lang``, joined with commas (the last with "and"); ``{x:items}``:
    messages joined with ``"; "``; ``{x:lines}``: messages each on an indented line;
    ``{x:at}``: a place
    and ``": "`` (nothing when the place is empty); ``{x:spaced}``: messages joined with
    spaces; ``{x:money}``: an amount in euros; ``{x:n4}``: a number with 4 decimals (any
    digit); ``{x:dec}`` / ``{x:+dec}``: a number as ``:g`` / ``:+g`` writes it, all as
    ``lang`` writes them. A field
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
        if format_spec == "labels":
            *rest, last = (str(v.get(self.lang) or v["en"]) for v in value)
            return f"{', '.join(rest)} {tr(N_('and'), self.lang)} {last}" if rest else last
        if format_spec == "items":
            return "; ".join(self.word(v) for v in value)
        if format_spec == "lines":
            return "".join("\n  " + self.word(v) for v in value)
        if format_spec == "at":
            return f"{self.word(value, 'where')}: " if value else ""
        if format_spec == "money":
            return fmt.money(value, self.lang)
        if format_spec == "spaced":
            return " ".join(self.word(v) for v in value)
        if format_spec in ("dec", "+dec"):  # as :g, with the language's decimal mark
            text = format(value, format_spec[:-3] + "g")
            return text.replace(".", ",") if self.lang == "nl" else text
        if len(format_spec) == 2 and format_spec[0] == "n" and format_spec[1].isdigit():
            # n4: four decimals, no grouping
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
    shown in the user's language, worded from the error's ``code`` and ``fields`` (or, for a
    :class:`~factormodel.errors.ModelValidationError`, from each problem's). An error whose
    code has no wording here stays English: better English than a wrong translation.

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
    return text
