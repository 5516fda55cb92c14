"""Standard codes where they exist, hipscreen's own CodeSystems for the rest.

Only codes whose meaning matches the question or the condition are used, and only codes we
checked against several independent published uses (FHIR implementation guides and
terminology tables) with the same display. A question that joins two things ("fever, or
feeling unwell"; "osteoporosis, or steroid tablets") gets no standard code: a code for one half
would misstate a yes. Everything else is coded in hipscreen's own CodeSystems (one per choice
question, one per output vocabulary), which `hipscreen fhir codesystems` prints under the
canonical base in effect.

Not coded, because we could not verify a single concept that means the same: saddle
numbness, new limp, cannot bear weight, constant night pain, enthesitis, family
spondyloarthritis, morning stiffness, the worst pain of the last week, a possible hip
infection, inflammatory back pain, a child's slipped growth plate.
"""

from __future__ import annotations

from typing import Any

from hipscreen.fhir.common import LOINC, SNOMED, UCUM

# -- questions -----------------------------------------------------------------------------------
ITEM_CODES: dict[str, tuple[str, str, str]] = {
    # linkId -> (system, code, display)
    "age": (LOINC, "30525-0", "Age"),
    "symptoms.pain_now": (LOINC, "72514-3",
                          "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    "pain_now": (LOINC, "72514-3",  # the check-in's pain now
                 "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    "safety.cancer_history": (SNOMED, "266987004", "History of malignant neoplasm"),
    "safety.unexplained_weight_loss": (SNOMED, "448765001", "Unintentional weight loss"),
    "safety.pregnant": (SNOMED, "77386006", "Pregnancy"),
    "safety.arthritis_history": (SNOMED, "3723001", "Arthritis"),
    "safety.psoriasis_history": (SNOMED, "9014002", "Psoriasis"),
}
"""item.code of the questions that have a standard code (LOINC for the pain score and the age,
SNOMED CT for red-flag findings)."""

UNITS: dict[str, tuple[str, str]] = {
    # the last part of a linkId -> (UCUM code, display)
    "age": ("a", "years"),
    "first_episode_age": ("a", "years"),
    "weeks": ("wk", "weeks"),
    "leg_symptoms_weeks": ("wk", "weeks"),
    "left": ("deg", "degrees"),
    "right": ("deg", "degrees"),
    "pain_now": ("{score}", "score"),
    "pain_worst_week": ("{score}", "score"),
    "pain_during": ("{score}", "score"),
    "score": ("{score}", "score"),
}


def unit_coding(name: str) -> dict[str, str] | None:
    if name not in UNITS:
        return None
    code, display = UNITS[name]
    return {"system": UCUM, "code": code, "display": display}


# -- conclusions ---------------------------------------------------------------------------------
RED_FLAG_CONDITIONS: dict[str, tuple[str, str]] = {
    # red-flag id -> (SNOMED CT code, display) of the condition it may mean
    "cauda_equina": ("192970008", "Cauda equina syndrome"),
    "hip_fracture": ("5913000", "Fracture of neck of femur"),
    "aortic_aneurysm": ("233985008", "Abdominal aortic aneurysm"),
}
"""The conditions a red flag may mean, where SNOMED CT has the condition; the red flag's own
code (hipscreen's `red-flag` CodeSystem) is always given beside it."""

RISK_WORDS: dict[str, tuple[str, str]] = {
    # hipscreen's confidence -> risk-probability code, display
    "likely": ("high", "High likelihood"),
    "possible": ("moderate", "Moderate likelihood"),
}
"""A deficit's confidence in the words of HL7's risk-probability CodeSystem. hipscreen's
certainty is a certainty factor, not a probability: the words say how strongly the answers
point at the deficit, and the rationale gives the factor."""


def coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system, "code": code, "display": display}


__all__ = ["ITEM_CODES", "RED_FLAG_CONDITIONS", "RISK_WORDS", "UNITS", "coding", "unit_coding"]
