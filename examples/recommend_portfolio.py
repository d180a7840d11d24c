"""Which factors should a wijk target for VSV and school success, and what fits the budget?

Run:  python examples/recommend_portfolio.py [WIJK] [BUDGET]

Uses the SYNTHETIC example data; the ranking and the portfolio show the model's
reasoning, not advice about the real wijk.
"""

from __future__ import annotations

import sys

import factormodel as fm


def main(wijk: str = "Oud-Crooswijk", budget: str = "250000") -> fm.Portfolio:
    model = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")  # SYNTHETIC
    prof = fm.profile(model, data, level="wijk")
    outcomes = {"vsv": 2.0, "neet": 1.0}

    rec = fm.recommend(model, prof, outcomes, area=wijk, top=3)
    print(f"{wijk} (SYNTHETIC data): factors to target for {outcomes}\n")
    for r in rec.ranked.itertuples():
        print(f"{int(r.rank)}. {r.factor}: score {r.score:.3f} "
              f"(room {r.room:.2f} x gain {r.gain:.2f} x evidence {r.evidence:.2f})")
        print(f"   {r.explanation_en}\n")

    population = data[(data["area"] == wijk) & (data["year"] == 2023)
                      & (data["level"] == "wijk")]["population"].iloc[0]
    portfolio = fm.optimize_portfolio(model, prof, fm.load_interventions(model),
                                      budget=float(budget), outcomes=outcomes,
                                      population=population, area=wijk, one_per_factor=True)
    print(f"Portfolio within {float(budget):,.0f} (cost {portfolio.total_cost:,.0f}):")
    print(portfolio.chosen[["name", "units", "cost"]].to_string(index=False))
    print("\nPredicted change of the outcomes:")
    print(portfolio.outcome_units[["indicator", "change", "change_unit"]].round(3)
          .to_string(index=False))
    return portfolio


if __name__ == "__main__":
    main(*sys.argv[1:3])
