"""The controlled vocabulary of a factor model: node kinds, settings, phases, strengths.

These are the only values the model format accepts in the ``kind``, ``setting``,
``phases``, ``desired``, ``strength`` and metadata ``status`` fields.

Examples
--------
>>> from factormodel import vocab
>>> vocab.KINDS
('risk', 'protective', 'outcome')
>>> vocab.PHASES
('zwangerschap', '0-4', '4-12', '12-18', '18-23')
"""

from __future__ import annotations

#: Node kinds: ``risk`` (higher = worse), ``protective`` (higher = better),
#: ``outcome`` (a maatschappelijk resultaat; its good direction is its ``desired`` value).
KINDS: tuple[str, ...] = ("risk", "protective", "outcome")

#: Settings of factors (the five settings of the Factorenmodel Jeugd).
FACTOR_SETTINGS: tuple[str, ...] = ("kind", "thuis", "school", "wijk", "digitaal")

#: Impact domains of outcomes: kansrijk, veilig en gezond opgroeien.
OUTCOME_SETTINGS: tuple[str, ...] = ("kansrijk", "veilig", "gezond")

#: English translations of the settings, for labels.
SETTING_LABELS_EN: dict[str, str] = {
    "kind": "child",
    "thuis": "home",
    "school": "childcare/school/work",
    "wijk": "neighbourhood",
    "digitaal": "digital",
    "kansrijk": "opportunity",
    "veilig": "safety",
    "gezond": "health",
}

#: Life phases, in order. The word ``all`` in a file means every phase.
PHASES: tuple[str, ...] = ("zwangerschap", "0-4", "4-12", "12-18", "18-23")

#: Desired direction of an outcome (and, implied by the kind, of a factor).
DESIRED: tuple[str, ...] = ("lower", "higher")

#: Strength classes of an edge, strongest first.
STRENGTHS: tuple[str, ...] = ("sterk", "matig", "zwak")

#: Default absolute standardised weight per strength class (domain notes, section 6.4).
DEFAULT_WEIGHTS: dict[str, float] = {"sterk": 0.30, "matig": 0.20, "zwak": 0.10}

#: Status of a model as a whole.
STATUSES: tuple[str, ...] = ("official", "reconstruction", "illustrative")

#: The literal source text of an edge whose weight is not from a publication.
EXPERT_JUDGEMENT = "expert judgement"
