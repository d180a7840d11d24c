"""One wijk analysis, assembled once: what the wijkrapport, the command line and the API render.

:func:`analyse` runs the steps of a wijkanalyse in one order with one set of
defaults (:class:`Options`): the profile (her figures first:
:func:`factormodel.indicator_table`), the goals resolved at the area's own levels,
the outcomes predicted from the measured factors (in the indicators' units), the
ranking of target factors, the effect of closing their gaps, the change each goal
with a size needs from its strongest drivers, the budgeted portfolio and the Monte
Carlo intervals with rank stability. Every face that shows a wijk analysis calls it,
so the same question gives the same numbers everywhere.

Area-level results are not individual effects: the analysis predicts how a wijk's
shares and means differ, not what happens to any one child.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from os import PathLike
from typing import Any, cast

import pandas as pd

from factormodel.analysis.goals import (
    Goal,
    RequiredChange,
    goal_phases,
    required_changes,
    resolve_goal,
)
from factormodel.analysis.indicators import (
    Profile,
    indicator_table,
    load_indicators,
    profile,
    to_indicator_units,
)
from factormodel.analysis.population import YoungPeople, ages_of
from factormodel.analysis.portfolio import Portfolio, load_interventions, optimize_portfolio
from factormodel.analysis.recommend import Recommendation, gap_effects, recommend
from factormodel.analysis.uncertainty import MonteCarloResult, monte_carlo
from factormodel.core.model import WEIGHTS_KIND_NL, FactorModel
from factormodel.core.propagate import PropagationResult, propagate
from factormodel.errors import DataError, InvalidParameterError, UnknownTableError
from factormodel.files.folders import load_model
from factormodel.tables._json import json_safe
from factormodel.tables._results import Result
from factormodel.text import numbers as fmt

__all__ = ["DEFAULT_OPTIONS", "Options", "WijkAnalysis", "analyse", "as_priorities"]


@dataclass(frozen=True)
class Options:
    """The one set of defaults of a wijk analysis (every face uses these).

    Parameters
    ----------
    one_per_factor : bool
        A portfolio funds at most one intervention per target factor (it spreads the
        budget over the factors instead of stacking programmes on one).
    top : int
        Target factors ranked and explained.
    n_draws, seed : int
        Monte Carlo weight draws and their seed.
    alpha : float
        Per-hop attenuation of paths (1: none).
    reference : str
        What the area is compared with (see :func:`factormodel.profile`).
    year : int, optional
    level : str, optional

    Examples
    --------
    >>> import factormodel as fm
    >>> fm.Options().one_per_factor, fm.Options().n_draws
    (True, 1000)
    >>> fm.Options(n_draws=200).n_draws
    200
    """

    one_per_factor: bool = True
    top: int = 5
    n_draws: int = 1000
    seed: int = 0
    alpha: float = 1.0
    reference: str = "city"
    year: int | None = None
    level: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.top, int) or self.top < 1:
            raise InvalidParameterError(f"top must be a whole number >= 1, got {self.top!r}")
        if not isinstance(self.n_draws, int) or self.n_draws < 1:
            raise InvalidParameterError(f"n_draws must be a whole number >= 1, got "
                                        f"{self.n_draws!r}")

    def with_(self, **changes: Any) -> Options:
        """A copy with ``changes`` (unknown names are refused)."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(changes) - known)
        if bad:
            raise InvalidParameterError(f"unknown option(s) {', '.join(bad)}; known: "
                                        f"{', '.join(sorted(known))}")
        return replace(self, **changes)


#: The defaults every face starts from.
DEFAULT_OPTIONS = Options()


def as_priorities(model: FactorModel, goals: Any) -> tuple[dict[str, float], list[Any]]:
    """``({node: priority}, [goal, ...])`` of any accepted form of goals: a node id, a
    list of ids, Goals or goal strings, or ``{id: priority}`` (goals on one node add
    their priorities)."""
    from factormodel.analysis.goals import parse_goal

    if isinstance(goals, Mapping):
        items: list[Any] = [Goal(str(k), priority=float(v)) for k, v in goals.items()]
    elif isinstance(goals, str | Goal):
        items = [goals]
    else:
        items = list(goals)
    parsed = [parse_goal(g) if isinstance(g, str) else g for g in items]
    if not parsed:
        raise InvalidParameterError("choose at least one goal (maatschappelijk resultaat)")
    prio: dict[str, float] = {}
    for g in parsed:
        node = resolve_goal(model, g).node
        prio[node] = prio.get(node, 0.0) + float(g.priority)
    return prio, parsed


@dataclass(frozen=True)
class WijkAnalysis(Result):
    """Everything one wijk analysis found (:func:`analyse`).

    Attributes
    ----------
    model : FactorModel
    area : str
    profile : Profile
    options : Options
    goals : list
        The goals as given (Goal objects).
    priorities : dict
        Node -> priority, as every ranking and portfolio uses them.
    resolved : DataFrame
        Per goal: node, indicator, the area's current level, the change in units and in
        SD between children (converted at that level), horizon and group.
    indicators : DataFrame
        Her figures: :func:`factormodel.indicator_table` of the area.
    prediction : PropagationResult
        Outcomes predicted from the area's measured factors.
    prediction_units : DataFrame
        The prediction in the indicators' units (at the area's reference).
    ranking : Recommendation
        :func:`factormodel.recommend` for the area.
    gaps : DataFrame
        :func:`factormodel.gap_effects` of the recommended factors (empty without any).
    needed : list of RequiredChange
        For goals with a size: the change their strongest drivers need.
    portfolio : Portfolio or None
        With a budget.
    uncertainty : MonteCarloResult
    population : float or None
        The number of young people the portfolio used, and ``population_source``
        where it came from.
    """

    model: FactorModel
    area: str
    profile: Profile
    options: Options
    goals: list[Any]
    priorities: dict[str, float]
    resolved: pd.DataFrame
    indicators: pd.DataFrame
    prediction: PropagationResult
    prediction_units: pd.DataFrame
    ranking: Recommendation
    gaps: pd.DataFrame
    needed: list[RequiredChange]
    portfolio: Portfolio | None
    uncertainty: MonteCarloResult
    budget: float | None = None
    population: float | None = None
    population_source: str = ""
    interventions: pd.DataFrame | None = field(default=None, repr=False)

    def to_frame(self, part: str = "ranking") -> pd.DataFrame:
        """One part as a table: ``ranking``, ``indicators``, ``goals``, ``prediction``,
        ``gaps``, ``portfolio``, ``uncertainty``."""
        parts = {"ranking": lambda: self.ranking.table, "indicators": lambda: self.indicators,
                 "goals": lambda: self.resolved, "prediction": lambda: self.prediction_units,
                 "gaps": lambda: self.gaps,
                 "portfolio": lambda: (self.portfolio.to_frame() if self.portfolio is not None
                                       else pd.DataFrame()),
                 "uncertainty": lambda: self.uncertainty.to_frame()}
        if part not in parts:
            raise InvalidParameterError(f"unknown part {part!r}; expected one of "
                                        f"{', '.join(parts)}")
        return parts[part]().copy()

    def to_dict(self) -> dict[str, Any]:
        """The one JSON document of a wijk analysis (what the API returns)."""
        prov = self.profile.provenance(self.area)
        return json_safe({
            "model": {"name": self.model.name, "version": self.model.metadata.version,
                      "status": self.model.metadata.status,
                      "weights_kind": self.model.weights_kind},
            "area": self.area, "year": self.profile.year, "level": self.profile.level,
            "reference": prov["reference"], "reference_en": prov["reference_en"],
            "reference_nl": prov["reference_nl"], "synthetic": bool(self.profile.synthetic),
            "assumptions": list(self.profile.assumptions),
            "options": {f.name: getattr(self.options, f.name) for f in fields(self.options)},
            "unit": "SD between children (individual level) inside the model; indicator "
                    "changes in the indicator's own unit",
            "caveat": "area-level predictions, not effects for individual children",
            "priorities": self.priorities,
            "goals": self.resolved, "indicators": self.indicators,
            "prediction": self.prediction_units, "ranking": self.ranking.table,
            "ranking_notes": self.ranking.notes, "gaps": self.gaps,
            "needed": [rc.to_dict() for rc in self.needed],
            "portfolio": None if self.portfolio is None else self.portfolio.to_dict(),
            "budget": self.budget, "population": self.population,
            "population_source": self.population_source,
            "uncertainty": {"interval": self.uncertainty.interval,
                            "n_draws": self.uncertainty.n_draws,
                            "n_valid": self.uncertainty.n_valid,
                            "rank_stability": self.uncertainty.rank_stability,
                            "predictions": self.uncertainty.to_frame()}})

    def young_people(self) -> YoungPeople | None:
        """The young people the portfolio is for: its number, the goals' age band and where
        the number came from (given, or the data's column); None without a portfolio.

        Examples
        --------
        >>> import factormodel as fm
        >>> a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), "Oud-Crooswijk", ["vsv"],
        ...                budget=100_000)
        >>> a.young_people().source, a.young_people().column
        ('column', 'population')
        """
        if self.population is None:
            return None
        return YoungPeople(float(self.population), ages_of(self.goals),
                           "given" if self.population_source == "given" else "column",
                           "" if self.population_source == "given"
                           else self.profile.population_column)

    def summary(self, lang: str = "nl") -> str:
        """A few sentences in Dutch or English: the area, the worst indicator, the first
        target factor and what the portfolio buys."""
        nl = lang == "nl"
        ref = self.profile.reference_name(lang)
        out = [(f"Wijkanalyse van {self.area} ({self.profile.year}) tegenover {ref}, met "
                f"{self.model.name}." if nl else
                f"Wijk analysis of {self.area} ({self.profile.year}) against {ref}, with "
                f"{self.model.name}.")]
        if self.profile.synthetic:
            out.append("SYNTHETISCHE DATA: geen metingen." if nl else
                       "SYNTHETIC DATA: not measurements.")
        worse = self.indicators[self.indicators["verdict"] == "worse"]
        if len(worse):
            w = worse.iloc[0]
            value, reference = (fmt.in_unit(w[c], w["unit"], lang) for c in ("value", "reference"))
            out.append(f"Het verst achter: {w['label_nl']} ({value} tegen {reference})." if nl
                       else f"Furthest behind: {w['label_en']} ({value} against {reference}).")
        ranked = self.ranking.ranked
        if len(ranked):
            f = ranked.iloc[0]
            out.append(f"Eerste aangrijpingspunt: {f['label_nl']}." if nl else
                       f"First target factor: {f['label_en']}.")
        young = self.young_people()
        if self.portfolio is not None and young is not None:
            n = len(self.portfolio.chosen)
            cost, budget = fmt.money(self.portfolio.total_cost, lang), fmt.money(self.budget, lang)
            out.append(f"Het pakket kiest {n} {'interventie' if n == 1 else 'interventies'} "
                       f"voor {cost} van {budget}, voor {young.describe(lang)}."
                       if nl else f"The portfolio chooses {n} "
                       f"{'intervention' if n == 1 else 'interventions'} for {cost} of "
                       f"{budget}, for {young.describe(lang)}.")
        kind = self.model.weights_kind
        out.append(f"Gewichten: {WEIGHTS_KIND_NL.get(kind, kind)}." if nl else
                   f"Weights: {kind}.")
        out.append("Uitkomsten op wijkniveau, geen effecten voor individuele kinderen." if nl
                   else "Area-level results, not effects for individual children.")
        return " ".join(out)

    def __repr__(self) -> str:
        return (f"<WijkAnalysis of {self.area} ({self.profile.year}) with {self.model.name}: "
                f"{len(self.indicators)} indicators, {len(self.priorities)} goal node(s)"
                f"{'' if self.portfolio is None else ', a portfolio'}"
                f"{', SYNTHETIC data' if self.profile.synthetic else ''}>")


def analyse(model: FactorModel | str, data: Any, area: Any, goals: Any, *,
            budget: float | None = None, population: float | None = None,
            options: Options = DEFAULT_OPTIONS, indicators: pd.DataFrame | None = None,
            interventions: pd.DataFrame | str | PathLike[str] | None = None,
            profile_options: Mapping[str, Any] | None = None,
            prof: Profile | None = None) -> WijkAnalysis:
    """A whole wijk analysis in one call, with one set of defaults.

    Parameters
    ----------
    model : FactorModel or str
    data : DataFrame or path
        Area data (:func:`factormodel.read_area_data`).
    area : label
    goals : node id, list, ``{id: priority}``, Goal or goal strings
        The maatschappelijke resultaten.
    budget : float, optional
        With it, an exact portfolio within the budget.
    population : float, optional
        Young people the portfolio reaches; by default the data's population of the
        area (``population_source`` says which).
    options : Options
    indicators, interventions : optional
        Catalogues (default: the model's own).
    profile_options : mapping, optional
        More :func:`factormodel.profile` arguments (``targets``, ``reference_values``,
        ``city``).
    prof : Profile, optional
        A profile already computed from ``data`` with these options (the faces that
        profiled first pass it, so the data are read once).

    Examples
    --------
    >>> import factormodel as fm
    >>> a = fm.analyse("rotterdam-jeugd", fm.load_example_data(), "Oud-Crooswijk",
    ...                ["schoolverzuim:-2pp:3j:12-18", "vsv"], budget=250_000,
    ...                options=fm.Options(n_draws=100))
    >>> a.portfolio.total_cost <= 250_000 and a.population_source
    'the data'
    >>> sorted(a.priorities)
    ['schoolverzuim', 'vsv']
    """
    if isinstance(model, str):
        model = load_model(model)
    o = options
    priorities, goal_list = as_priorities(model, goals)
    if prof is None:
        prof = profile(model, data, indicators=indicators, reference=o.reference,
                       year=o.year, level=o.level, **dict(profile_options or {}))
    prof.row(area)
    cat = indicators if indicators is not None else prof.indicators if \
        prof.indicators is not None else (load_indicators(model) if "indicators" in
                                          model.table_names else None)
    levels = prof.area_levels(area)
    resolved = []
    for g in goal_list:
        r = resolve_goal(model, g, indicators=cat, levels=levels)
        resolved.append({"target": g.target, "node": r.node, "indicator": r.indicator,
                         "level": levels.get(r.indicator, float("nan")) if r.indicator
                         else float("nan"),
                         "change_units": r.change_units, "unit": r.unit,
                         "change_sd": r.change_sd, "years": g.years, "group": g.group,
                         "priority": float(g.priority), "assumptions": "; ".join(r.assumptions)})
    row = prof.row(area)
    prediction = cast(PropagationResult,  # the linear method (not fcm) gives this result
                      propagate(model, row[list(model.factors)], missing="free", alpha=o.alpha))
    units = to_indicator_units(model, prediction.outcomes.rename(area), profile=prof,
                               indicators=cat) if cat is not None else pd.DataFrame()
    ranking = recommend(model, prof, priorities, area=area, top=o.top, alpha=o.alpha,
                        indicators=cat)
    gaps = (gap_effects(model, prof, list(priorities), ranking, area=area, alpha=o.alpha,
                        indicators=cat) if len(ranking.ranked) else pd.DataFrame())
    needed = required_changes(model, [g for g in goal_list if isinstance(g, Goal)],
                              levels=levels, alpha=o.alpha, indicators=cat)
    mc = monte_carlo(model, prof.deltas.loc[[area]], priorities, n_draws=o.n_draws,
                     seed=o.seed, top=min(3, o.top), alpha=o.alpha, progress=False)
    try:
        ivs = (load_interventions(model, interventions)
               if not isinstance(interventions, pd.DataFrame) else interventions)
    except UnknownTableError:
        ivs = None
    port, source = None, ""
    if budget is not None:
        if ivs is None:
            raise DataError(f"model {model.name!r} has no intervention catalogue; give "
                            "interventions= to compute a portfolio")
        if population is None:
            population, source = prof.population_of(area), "the data"
        else:
            source = "given"
        # the goals with their sizes: a programme worth almost nothing for them is left out
        port = optimize_portfolio(model, prof, ivs, budget=budget, outcomes=goal_list,
                                  population=population, area=area,
                                  one_per_factor=o.one_per_factor,
                                  phases=goal_phases(goal_list), alpha=o.alpha,
                                  indicators=cat)
    return WijkAnalysis(model=model, area=str(area), profile=prof, options=o, goals=goal_list,
                        priorities=priorities, resolved=pd.DataFrame(resolved),
                        indicators=indicator_table(model, prof, area), prediction=prediction,
                        prediction_units=units, ranking=ranking, gaps=gaps, needed=needed,
                        portfolio=port, uncertainty=mc, budget=budget, population=population,
                        population_source=source, interventions=ivs)
