"""What if absenteeism in a wijk drops by half a standard deviation?

Run:  python examples/propagate_scenario.py [MODEL]

Propagates the change through the model, prints the predicted change of every
outcome, which inputs contributed how much, and the strongest paths to VSV.
The model is a reconstruction, so read the numbers as the model's logic, not
as a forecast.
"""

from __future__ import annotations

import sys

import pandas as pd

import factormodel as fm


def main(name: str = "rotterdam-jeugd") -> fm.PropagationResult:
    model = fm.load_model(name)
    scenario = {"schoolverzuim": -0.5, "ouderbetrokkenheid": 0.3}
    result = fm.propagate(model, scenario)
    labels = model.nodes["label_nl"]

    print(f"{model.name} [{model.metadata.status}]: scenario {scenario} (SD)\n")
    changed = result.outcomes[result.outcomes != 0].sort_values()
    print("Predicted change of outcomes (SD):")
    print(pd.DataFrame({"delta": changed.round(4), "label": labels[changed.index]})
          .to_string())

    print("\nContributions to vsv (they add up to its delta):")
    print(result.contributions_to("vsv").round(4).to_string())

    print("\nStrongest paths to vsv:")
    print(result.paths("vsv", top=4)[["path", "contribution"]].round(4).to_string(index=False))

    # The same scenario for three wijken at once: one vectorised call.
    wijken = pd.DataFrame({"schoolverzuim": [-0.5, -0.2, 0.0],
                           "ouderbetrokkenheid": [0.3, 0.0, 0.5]},
                          index=pd.Index(["Tarwewijk", "Oud-Crooswijk", "Bloemhof"],
                                         name="wijk"))
    batch = fm.propagate(model, wijken)
    print("\nVSV change per wijk (SD):")
    print(batch.deltas["vsv"].round(4).to_string())
    return result


if __name__ == "__main__":
    main(*sys.argv[1:2])
