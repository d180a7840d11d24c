"""Inspect a bundled model, try an alternative weight, and save both forms.

Run:  python examples/inspect_model.py [MODEL] [OUTDIR]

Prints the model summary, the strongest direct drivers of voortijdig
schoolverlaten (VSV), and writes the model as a CSV folder and a JSON file.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import factormodel as fm


def main(name: str = "rotterdam-jeugd", outdir: str | None = None) -> fm.FactorModel:
    model = fm.load_model(name)
    print(model)
    print(f"status: {model.metadata.status} - {model.metadata.description[:100]}...")

    # Which factors act directly on VSV, strongest first?
    nodes, edges = model.nodes, model.edges
    into_vsv = edges[edges["target"] == "vsv"].assign(
        label=lambda d: d["source"].map(nodes["label_nl"]),
        strength_abs=lambda d: d["weight"].abs(),
    ).sort_values("strength_abs", ascending=False)
    print("\nDirect effects on vsv (SD change of VSV per SD of the factor):")
    print(into_vsv[["source", "label", "weight", "strength"]].to_string(index=False))

    # An alternative weight: a researcher doubts that absenteeism matters this much.
    alt = model.with_weights({("schoolverzuim", "vsv"): 0.15})
    changed = alt.edges.set_index(["source", "target"]).loc[("schoolverzuim", "vsv"), "weight"]
    print(f"\nAlternative model: schoolverzuim -> vsv = {changed} (original unchanged: "
          f"{model != alt})")

    out = Path(outdir or tempfile.mkdtemp(prefix="factormodel-"))
    fm.write_model(model, out / name)
    fm.write_model(model, out / f"{name}.json")
    assert fm.read_model(out / name) == model == fm.read_model(out / f"{name}.json")
    print(f"\nWritten to {out / name}/ and {out / name}.json (round trip checked)")
    return model


if __name__ == "__main__":
    main(*sys.argv[1:3])
