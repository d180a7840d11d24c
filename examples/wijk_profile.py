"""From indicators to predicted outcomes for one wijk (SYNTHETIC example data).

Run:  python examples/wijk_profile.py [WIJK]

Profiles the wijk against the city average, lists what is measured and what is
not, then propagates the measured factors to predicted outcome differences in
the indicators' own units. The example data are synthetic, not Rotterdam's.
"""

from __future__ import annotations

import sys

import factormodel as fm


def main(wijk: str = "Oud-Crooswijk") -> fm.PropagationResult:
    model = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")  # SYNTHETIC
    prof = fm.profile(model, data, level="wijk")
    row = prof.row(wijk)
    cov = fm.coverage(model, prof).loc[wijk]
    kind = "SYNTHETIC" if prof.synthetic else "measured"
    print(f"{wijk} ({prof.year}, {kind} data): {cov['factors_measured']} of "
          f"{cov['factors_total']} factors measured")

    sign = model.desired_sign
    worst = (row * sign).dropna().sort_values().head(5)
    print(f"\nFurthest on the wrong side of {prof.reference_name()} (SD):")
    print(row[worst.index].round(2).to_string())

    result = fm.propagate(model, row[list(model.factors)], missing="free")
    units = fm.to_indicator_units(model, result.outcomes)
    print(f"\nPredicted outcome differences from {prof.reference_name()}:")
    print(units[["node", "delta_sd", "change", "change_unit", "indicator"]]
          .round(2).to_string(index=False))
    return result


if __name__ == "__main__":
    main(*sys.argv[1:2])
