"""The documented case suite: every cases/*.yaml file is its own pytest item, and the suite as a
whole must reach every rule, red-flag row, deficit, drill, precaution, triage level, both modes,
both sides and both sides of every threshold (DESIGN.md "Case files"; issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipscreen.cases import CaseError, load_case, run_case, run_cases
from hipscreen.knowledge.intake import Activity

CASE_DIR = Path(__file__).resolve().parents[1] / "cases"
CASE_FILES = sorted(CASE_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_file(path: Path) -> None:
    try:
        case = load_case(path)
    except CaseError as exc:
        pytest.fail(str(exc), pytrace=False)
    result = run_case(case, path)
    if result.status != "pass":
        lines = [d.message for d in result.differences] + result.errors
        pytest.fail(f"{path.name} ({case.title}):\n  " + "\n  ".join(lines), pytrace=False)


@pytest.fixture(scope="module")
def suite():
    return run_cases([CASE_DIR])


@pytest.fixture(scope="module")
def cases():
    return [load_case(p) for p in CASE_FILES]


def test_suite_has_at_least_40_cases_and_all_pass(suite) -> None:
    assert suite.summary.total >= 40
    assert suite.summary.exit_code == 0, [c.id for c in suite.cases if c.status != "pass"]


def test_suite_leaves_no_rule_unfired(suite) -> None:
    assert suite.coverage.rules_never_fired == []


@pytest.mark.parametrize("gap", ["red_flags_never_raised", "deficits_never_concluded",
                                 "drills_never_planned", "precautions_never_applied",
                                 "triage_levels_never_reached"])
def test_suite_reaches_every_catalogue_entry(suite, gap: str) -> None:
    assert getattr(suite.coverage, gap) == []


def test_suite_covers_both_modes_and_every_side(suite, cases) -> None:
    assert {c.intake.mode for c in cases} == {"self", "clinician"}
    sides = {d.side for r in suite.cases for d in r.outcome.deficits}
    assert sides == {"left", "right", "both"}


def test_suite_covers_the_articles_people(cases) -> None:
    people = {Activity.running, Activity.lifting, Activity.golf, Activity.crossfit,
              Activity.lifting_kids, Activity.desk_work}
    seen = {a for c in cases for a in c.intake.activities}
    assert people <= seen


def _child_site(case) -> bool:
    return any(loc.startswith(("groin_", "front_hip_")) for loc in case.intake.symptoms.locations)


def test_suite_sits_on_both_sides_of_every_threshold(cases) -> None:
    ages = {c.intake.age for c in cases if _child_site(c)}
    assert {15, 16} <= ages, "age 15 vs 16 with groin or front-of-hip pain"
    worst = {c.intake.symptoms.pain_worst_week for c in cases}
    assert {7, 8} <= worst, "pain_worst_week 7 vs 8"
    degrees = [c.intake.movement.hip_ir_degrees for c in cases if c.intake.movement.hip_ir_degrees]
    lows = {min(d.left, d.right) for d in degrees}
    assert {29, 30} <= lows, "IR 29 vs 30 degrees"
    gaps = {abs(d.left - d.right) for d in degrees if min(d.left, d.right) >= 30}
    assert {9, 10} <= gaps, "IR side difference 9 vs 10 degrees"
    movement = [c.intake.movement for c in cases]
    assert any(all(v is None for _, v in m) for m in movement), "a case with nothing tested"
    assert any(m.hip_shift == "none" and m.hinge_faults == () and m.knee_collapse == "none"
               for m in movement), "a case with the tests done and normal"
