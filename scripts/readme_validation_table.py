"""Print the README's synthetic validation table ("How good is this model?") and the slopes.

Run from the repository root: ``python scripts/readme_validation_table.py``. The test
``tests/test_validate.py::test_readme_validation_table_is_what_validate_measures`` checks that
the README holds what this prints.
"""
from __future__ import annotations

import factormodel as fm

UNITS = {"share": "%", "rate": "per 1000"}


def main() -> None:
    m = fm.load_model("rotterdam-jeugd")
    v = fm.validate(m, fm.load_example_data("rotterdam"),
                    outcomes=["vsv", "jeugdcriminaliteit", "neet"])
    t = v.to_frame("out-of-sample")
    cat = fm.load_indicators(m)
    for target in ("level", "change"):
        for indicator in dict.fromkeys(t["indicator"]):
            g = t[(t["indicator"] == indicator) & (t["target"] == target)].set_index("method")
            if g.empty:
                continue
            unit = UNITS.get(cat.loc[indicator, "measure"], cat.loc[indicator, "unit"])
            if target == "change" and unit == "%":
                unit = "pp"

            def pair(method: str, g=g) -> str:
                return f"{g.loc[method, 'r']:.2f} / {g.loc[method, 'rmse']:.2f}".replace("-", "−")

            print(f"| {indicator} ({unit}) | {target} | {pair('model')} | "
                  f"{g.loc['city mean', 'rmse']:.2f} | {pair('best indicator')} | {pair('OLS')} |")
    for target in ("level", "change"):
        slopes = t[(t["method"] == "model") & (t["target"] == target)]
        print(f"model calibration slopes ({target}):",
              ", ".join(f"{i} {s:.2f}" for i, s in
                        zip(slopes["indicator"], slopes["slope"], strict=True)))


if __name__ == "__main__":
    main()
