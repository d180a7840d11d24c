"""Write the SYNTHETIC example data shipped as factormodel/data/rotterdam_synthetic*.csv.

Run:  python scripts/make_example_data.py

The data are NOT measurements. They are generated (seed 2026) from the
rotterdam-jeugd model with factormodel.synthetic.simulate_area_data:

* areas: the real names of Rotterdam's 12 gebieden and 67 wijken
  (factormodel/data/rotterdam_areas.csv); youth populations are synthetic;
* an assumed relative disadvantage per gebied (AREA_EFFECTS below), in line with
  public reporting that early school leaving and poverty are higher in Feijenoord,
  Charlois and Delfshaven than in Hillegersberg-Schiebroek and Prins Alexander;
  the numbers themselves are assumptions;
* shocks on the model's source nodes driven by that disadvantage, plus noise,
  all multiplied by 0.2 (area means then differ by a few tenths of an SD between
  individuals, as real wijken do), pushed through the model; a city-wide
  improvement of 0.05 SD per year;
* then persons (microsimulation): in every wijk as many young people as its
  population, each with the wijk's node means plus individual deviations with the
  model's own correlations (unit variance within the wijk); every indicator is
  aggregated from those persons by its measurement model (a share counts the persons
  above the threshold that gives the catalogue's typical level at the city
  average), rounded to one decimal; wijk shares and rates counting fewer than 5
  persons, and wijk rates per 1,000 where the youth population is below 1,500, are
  suppressed ('.'), as CBS suppresses small numbers;
* indicators the catalogue publishes per gebied have no wijk rows.

The truth (every node's mean against the city average, in SD between individuals) is
written beside the data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import factormodel as fm
from factormodel.estimation.synthetic import simulate_area_data

AREA_EFFECTS = {  # assumed relative disadvantage per gebied, in SD (not measured)
    "Feijenoord": 1.2, "Charlois": 1.1, "Delfshaven": 1.0, "IJsselmonde": 0.5,
    "Hoogvliet": 0.4, "Noord": 0.2, "Kralingen-Crooswijk": 0.1, "Stadscentrum": 0.0,
    "Pernis": -0.3, "Overschie": -0.4, "Prins Alexander": -0.6,
    "Hillegersberg-Schiebroek": -1.0,
}
SETTINGS = {"years": [2021, 2022, 2023], "seed": 2026, "loading": 0.9, "area_noise": 0.3,
            "node_noise": 0.2, "year_noise": 0.1, "trend": 0.05, "spread": 0.2,
            "decimals": 1, "suppress_below": 1500, "suppress_count": 5}
# Synthetic youth populations (0-23): drawn around 4,000, with the wijken that are mostly
# offices, harbour, airport or polder set small so that suppression shows up in the data.
SMALL_WIJKEN = {"Dijkzigt": 600, "Nieuwe Werk": 900, "CS-kwartier": 700, "Schieveen": 300,
                "Zestienhoven": 400, "Landzicht": 800, "Kralingseveer": 500, "Heijplaat": 450,
                "Kop van Zuid-Entrepot": 1200, "Wielewaal": 700, "Zuidplein": 800}
OUT = Path(__file__).resolve().parent.parent / "factormodel" / "data"


def main() -> None:
    model = fm.load_model("rotterdam-jeugd")
    areas = fm.load_areas("rotterdam")
    wijken = areas.loc[areas["level"] == "wijk", "area"]
    rng = np.random.default_rng(SETTINGS["seed"] + 1)
    drawn = np.round(rng.lognormal(np.log(4000), 0.45, len(wijken)), -1)
    populations = {w: SMALL_WIJKEN.get(w, max(1600.0, p))
                   for w, p in zip(wijken, drawn, strict=True)}
    data, truth = simulate_area_data(model, fm.load_indicators(model), areas,
                                     area_effects=AREA_EFFECTS, populations=populations,
                                     **SETTINGS)
    data["population"] = data["population"].astype(int)
    data["value"] = np.where(data["value"].isna(), ".", data["value"].map(lambda v: f"{v:.1f}"))
    data["status"] = "synthetic"
    data.to_csv(OUT / "rotterdam_synthetic.csv", index=False, lineterminator="\n")
    truth["delta"] = truth["delta"].round(6)
    truth["status"] = "synthetic"
    truth.to_csv(OUT / "rotterdam_synthetic_truth.csv", index=False, lineterminator="\n")
    print(f"wrote {len(data)} rows of synthetic data and {len(truth)} truth rows to {OUT}")


if __name__ == "__main__":
    main()
