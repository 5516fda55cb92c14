"""Seeded synthetic intakes (and check-ins) for the tests and the benchmarks.

The mix follows docs/design.md: about 80 % plain self-care screens (movement findings on the left, the
right or both sides, some tests left out as not tested, activities, pain locations, aggravators,
sometimes a drill response), about 15 % that need a clinician's review and about 5 % with red flags
of the emergency or urgent rows of the Safety table. Both modes; clinician intakes sometimes carry
measured hip internal rotation in degrees.

    python benchmarks/synth.py 1000 intakes.csv      # or .jsonl / .parquet (`main` here)

`synthetic_checkins` makes seeded check-ins against the plans of synthetic intakes (the CLIPS
anchor's review check, tests/test_anchor.py and benchmarks/anchor.py).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from hipscreen.batch import COLUMN_NAMES, ID_COLUMN, row_from_intake, write_table
from hipscreen.knowledge.checkin import CheckIn, Sign
from hipscreen.knowledge.intake import (
    Activity,
    Aggravator,
    DrillId,
    HingeFault,
    Intake,
)

SHARES = {"red_flag": 0.05, "clinician_review": 0.15}  # the rest is self-care
SIDES = ("left", "right")

# Rows of docs/design.md's Safety table: (intended triage, answers to set on top of a plain intake).
EMERGENCY: tuple[dict[str, Any], ...] = (
    {"safety": {"bladder_or_bowel_change": True}},
    {"safety": {"saddle_numbness": True}},
    {"safety": {"both_legs_numb_or_weak": True}},
    {"safety": {"cannot_bear_weight": True, "significant_trauma": True}},
    {"safety": {"hot_swollen_hip": True, "fever_or_unwell": True}},
    {"safety": {"hot_swollen_hip": True}},
    {"safety": {"both_legs_pain_or_tingling": True}},
    {"safety": {"sexual_function_change": True}},
    {"age": 84, "safety": {"cannot_bear_weight": True}},
    {"age": 71, "safety": {"sudden_severe_pain": True, "faint_clammy_or_collapsed": True}},
)
URGENT: tuple[dict[str, Any], ...] = (
    {"safety": {"worsening_leg_weakness": True}},
    {"safety": {"fever_or_unwell": True}},
    {"safety": {"significant_trauma": True}},
    {"age": 40, "safety": {"cannot_bear_weight": True}},
    {"age": 70, "safety": {"recent_fall_or_injury": True}},
    {"safety": {"cancer_history": True, "unexplained_weight_loss": True}},
    {"safety": {"cancer_history": True, "constant_night_pain": True}},
    {"age": 13, "symptoms": {"locations": ["groin_right"]}},
    {"age": 14, "symptoms": {"locations": ["front_hip_left", "low_back_left"]}},
)
CLINICIAN_REVIEW: tuple[dict[str, Any], ...] = (
    {"safety": {"cancer_history": True}},
    {"safety": {"unexplained_weight_loss": True}},
    {"safety": {"constant_night_pain": True}},
    {"safety": {"osteoporosis_or_steroids": True}},
    {"age": 30, "safety": {"wakes_second_half_of_night": True, "better_with_movement": True,
                           "psoriasis_history": True}, "symptoms": {"keeps_coming_back": True}},
    {"safety": {"recent_infection": True}},
    {"age": 60, "symptoms": {"first_episode_age": 58}},
    {"symptoms": {"pins_and_needles_below_knee": True, "locations": ["below_knee_right"]}},
    {"symptoms": {"pain_worst_week": 8}},
    {"symptoms": {"pain_now": 6, "pain_worst_week": 9}},
    {"safety": {"hip_surgery": "under_12_weeks"}},
)


def _maybe(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _side_answer(rng: random.Random, side: str, *, both: bool = True) -> str:
    """A movement answer that usually agrees with the person's worse side."""
    roll = rng.random()
    if roll < 0.45:
        return "none"
    if roll < 0.85:
        return side
    if both and roll < 0.93:
        return "both"
    return SIDES[1 - SIDES.index(side)]


def _movement(rng: random.Random, side: str, mode: str) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "hip_shift": _side_answer(rng, side, both=False),
        "knee_collapse": _side_answer(rng, side),
        "single_leg_balance_poor": _side_answer(rng, side),
        "pelvic_drop": _side_answer(rng, side),
        "hinge_faults": rng.sample([h.value for h in HingeFault], rng.choice((0, 0, 1, 1, 2, 3))),
        "hip_ir_limited": _side_answer(rng, side),
        "front_hip_pinch": _side_answer(rng, side),
        "feels_stuck_in_hip": _side_answer(rng, side),
    }
    skip = 0.1 if mode == "clinician" else 0.3  # tests left out were not tested
    movement = {k: v for k, v in answers.items() if not _maybe(rng, skip)}
    if mode == "clinician" and _maybe(rng, 0.6):
        good, poor = rng.randint(30, 48), rng.randint(12, 40)
        other = SIDES[1 - SIDES.index(side)]
        movement["hip_ir_degrees"] = {side: poor, other: good}
        if _maybe(rng, 0.5):  # the degrees decide it; the checkbox is often not ticked
            movement.pop("hip_ir_limited", None)
    return movement


def _plain_intake(rng: random.Random) -> dict[str, Any]:
    """A self-care intake: safety asked and no red flag, an adult, worst pain below 8, no pins
    and needles, no groin pain, and an episode under 12 weeks unless the pain comes and goes."""
    mode = "clinician" if _maybe(rng, 0.3) else "self"
    side = rng.choice(SIDES)
    age = rng.randint(18, 78)
    locations = [
        f"low_back_{side}",
        f"si_{side}",
        f"deep_glute_{side}",
        f"hamstring_{side}",
        "low_back_central",
        f"front_hip_{side}",
    ]
    pain_now = rng.randint(0, 6)
    recurring = _maybe(rng, 0.6)
    intake: dict[str, Any] = {
        "mode": mode,
        "age": age,
        "activities": rng.sample([a.value for a in Activity], rng.choice((0, 1, 1, 2, 2, 3))),
        "symptoms": {
            "pain_now": pain_now,
            "pain_worst_week": rng.randint(pain_now, 7),
            "weeks": rng.randint(0, 104) if recurring else rng.randint(0, 11),
            "keeps_coming_back": recurring,
            # a back place always: hip pain alone with hip signs is the hip-joint row
            "locations": [f"low_back_{side}", *rng.sample(locations[1:], rng.randint(0, 2))],
            "worse_with": rng.sample([a.value for a in Aggravator], rng.choice((0, 1, 2, 3))),
            "stretching_only_temporary_relief": _maybe(rng, 0.4),
            "recurring_hamstring_strain": _side_answer(rng, side) if _maybe(rng, 0.3) else "none",
        },
        "movement": _movement(rng, side, mode),
    }
    if _maybe(rng, 0.8):
        intake["sex"] = rng.choice(("female", "male", "female", "male", "other", "undisclosed"))
    safety: dict[str, Any] = {}
    if _maybe(rng, 0.05):  # precautions change drills, not triage
        safety["hip_surgery"] = "over_12_weeks"
    if intake.get("sex") == "female" and 18 <= age <= 42 and _maybe(rng, 0.08):
        safety["pregnant"] = True
    if mode == "clinician" or _maybe(rng, 0.5):  # clinicians record every safety answer
        safety = {
            name: False
            for name in ("bladder_or_bowel_change", "saddle_numbness", "fever_or_unwell", "cancer_history")
        } | safety
    intake["safety"] = safety  # asked: a question left out was answered no
    if _maybe(rng, 0.15):
        drills = [d.value for d in DrillId]
        response: dict[str, Any] = {}
        if _maybe(rng, 0.7):
            response["low_back_pinch"] = rng.sample(drills, rng.randint(1, 2))
        if _maybe(rng, 0.5):
            response["hamstring_cramp"] = ["single_leg_hip_hinge"]
        intake["drill_response"] = response
    # leave out whole answers now and then, as people do
    for key in ("activities", "symptoms"):
        if _maybe(rng, 0.05):
            intake.pop(key)
    return intake


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict):
            merged[key] = _merge(merged.get(key, {}), value)
        else:
            merged[key] = value
    return merged


def generate_labelled(n: int, seed: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """`n` synthetic intakes with the triage level docs/design.md's Safety table gives each."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    rng = random.Random(seed)
    red = round(n * SHARES["red_flag"])
    review = round(n * SHARES["clinician_review"])
    kinds = ["red_flag"] * red + ["clinician_review"] * review + ["self_care"] * (n - red - review)
    rng.shuffle(kinds)
    out: list[tuple[str, dict[str, Any]]] = []
    red_seen = 0
    for kind in kinds:
        intake = _plain_intake(rng)
        if kind == "red_flag":  # alternate, so two red flags already give both levels
            level = "emergency" if red_seen % 2 == 0 else "urgent"
            red_seen += 1
            intake = _merge(intake, rng.choice(EMERGENCY if level == "emergency" else URGENT))
        elif kind == "clinician_review":
            level = kind
            extra = rng.choice(CLINICIAN_REVIEW)
            intake = _merge(intake, extra)
            symptoms = intake.get("symptoms", {})
            if symptoms.get("pain_now", 0) > symptoms.get("pain_worst_week", 0):
                symptoms["pain_now"] = symptoms["pain_worst_week"]
        else:
            level = "self_care"
        if intake["age"] < 16:
            intake.get("safety", {}).pop("pregnant", None)
        if "locations" in intake.get("symptoms", {}):  # no duplicates after a merge
            intake["symptoms"]["locations"] = list(dict.fromkeys(intake["symptoms"]["locations"]))
        out.append((level, intake))
    return out


def generate(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` intake dicts, each valid for `Intake.model_validate`; the same for the same seed."""
    return [intake for _, intake in generate_labelled(n, seed)]


def generate_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """`generate` flattened to the batch columns (all text), with an ``id`` column first.

    Answers the intake did not give are empty cells, as in a hand-filled sheet.
    """
    rows = [
        {ID_COLUMN: f"synth-{seed}-{i:06d}", **row_from_intake(Intake.model_validate(intake))}
        for i, intake in enumerate(generate(n, seed))
    ]
    return pd.DataFrame(rows, columns=[ID_COLUMN, *COLUMN_NAMES], dtype=str)


def synthetic_checkins(n: int, seed: int) -> list[tuple[CheckIn, Any]]:
    """`n` seeded check-ins, each against the plan of a synthetic intake's screening: most
    planned drills tried, with pain during them, settling or not, signs felt, too easy or
    not; scores up or down; now and then a red flag."""
    from hipscreen.review import Baseline
    from hipscreen.screening import screen

    rng = random.Random(seed)
    out = []
    for data in generate(n, seed=seed):
        result = screen(Intake.model_validate(data))
        activities = rng.sample(["running 5 km", "deadlift", "golf", "carrying my child"], rng.randint(0, 2))
        baseline = Baseline.of_result(result, psfs={a: rng.randint(2, 8) for a in activities})
        drills = {}
        for item in result.plan if result.triage.drills_allowed else []:
            if rng.random() < 0.8:
                felt = rng.sample(list(Sign), 1) if rng.random() < 0.2 else []
                drills[item.drill] = {"sessions": rng.randint(1, 20), "pain_during": rng.randint(0, 8),
                                      "settled_next_morning": rng.random() < 0.8, "felt": felt,
                                      "too_easy": rng.random() < 0.4}
        safety = {}
        if rng.random() < 0.05:
            safety[rng.choice(["saddle_numbness", "fever_or_unwell", "cancer_history"])] = True
        worst = rng.randint(0, 9)
        checkin = CheckIn.model_validate({
            "safety": safety, "pain_now": rng.randint(0, worst), "pain_worst_week": worst,
            "psfs": {a: max(0, min(10, v + rng.randint(-3, 3))) for a, v in baseline.psfs.items()},
            "drills": drills})
        out.append((checkin, baseline))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3) or not args[0].isdigit():
        print("usage: python benchmarks/synth.py N OUT.(csv|jsonl|parquet) [SEED]", file=sys.stderr)
        return 2
    n, out = int(args[0]), Path(args[1])
    seed = int(args[2]) if len(args) == 3 else 0
    write_table(generate_frame(n, seed), out)
    print(f"wrote {n} synthetic intakes (seed {seed}) to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
