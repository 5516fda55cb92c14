"""The review stage (rules/review.py): a check-in's decisions are rules with sources, HOW and
why-not work on them, a red flag at a check-in stops every drill, scores are compared with the
previous record, and a plain screening never fires a review rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipscreen import screen
from hipscreen.cases import load_case, load_case_text, run_case, run_cases
from hipscreen.cli import main
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.review import Baseline, CheckInMismatch, PlannedDrill, review
from hipscreen.rules.registry import rules
from hipscreen.rules.review import DECISIONS

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
CHECKIN_CASES = sorted((CASES / "checkins").glob("*.yaml"))
EVERY_DRILL = list(catalogue().drills)


def review_rules() -> dict:
    return {rid: r for rid, r in rules().items() if r.stage == "review"}


def baseline(*drills: str, pain: int | None = 4, psfs: dict | None = None) -> Baseline:
    return Baseline(plan=[PlannedDrill(drill=d, side="both") for d in drills],
                    pain_worst_week=pain, psfs=psfs or {})


def checkin(**fields) -> dict:
    return {"safety": {}, "pain_now": 1, "pain_worst_week": 4, **fields}


def tried(pain_during=1, settled=True, felt=(), too_easy=False) -> dict:
    return {"sessions": 6, "pain_during": pain_during, "settled_next_morning": settled,
            "felt": list(felt), "too_easy": too_easy}


def test_every_review_rule_has_a_source_a_text_and_known_conclusions():
    found = review_rules()
    assert len(found) >= 12
    for rule in found.values():
        assert rule.source in catalogue().sources, rule.id
        assert len(rule.text.split()) > 6, rule.id
        assert rule.salience < min(r.salience for r in rules().values() if r.stage == "prescribe")
    decided = {c for r in found.values() for c in r.concludes}
    assert set(DECISIONS) <= decided and "clinician_review" in decided


def test_thresholds_of_the_review_are_data_with_sources():
    t = catalogue().thresholds
    for name, source in (("drill_pain_regress_above", "pain-monitoring"),
                         ("drill_pain_progress_below", "pain-monitoring"),
                         ("nprs_minimal_important_change", "nprs-mcid"),
                         ("psfs_minimal_important_change", "psfs")):
        assert t[name].source == source
    assert {r for r in review_rules() if rules()[r].thresholds} >= {
        "pain_during_above_the_acceptable_zone_is_a_reason_to_regress",
        "easy_settled_and_too_easy_progresses_the_drill",
        "worst_pain_up_by_a_change_that_matters_is_worse",
        "psfs_activity_down_by_a_change_that_matters_is_worse"}


def test_a_screening_never_fires_a_review_rule():
    names = set(review_rules())
    for path in sorted(CASES.glob("*.yaml")):
        result = screen(load_case(path).intake)
        assert not names & set(result.rules_fired), path.name
        assert not {s.kind for s in result.trace} & {"DrillDecision", "UnderReview", "Change"}


@pytest.mark.parametrize("flag", ["saddle_numbness", "worsening_leg_weakness", "fever_or_unwell",
                                  "cannot_bear_weight"])
def test_a_red_flag_at_a_check_in_stops_every_drill(flag):
    done = review(checkin(safety={flag: True},
                          drills={"single_leg_stability": tried(too_easy=True)}),
                  baseline("single_leg_stability", "single_leg_hip_hinge", "hip_airplane"))
    assert done.triage.level in ("emergency", "urgent")
    assert not done.triage.drills_allowed and done.plan == []
    assert {d.decision for d in done.decisions} == {"stop"}
    assert all(d.see_clinician for d in done.decisions)
    assert done.how("stop") and all(n.rule == "a_red_flag_at_the_check_in_stops_every_drill"
                                    for n in done.how("stop"))


def test_the_safety_block_is_triaged_exactly_as_at_intake():
    for answers in ({"osteoporosis_or_steroids": True}, {"immunosuppressed": True},
                    {"cancer_history": True, "constant_night_pain": True}, {"pregnant": True}):
        intake_level = screen({"age": 40, "safety": answers}).triage.level
        assert review(checkin(safety=answers), baseline("glute_bridge")).triage.level == intake_level


@pytest.mark.parametrize(("before", "now", "level"), [(4, 5, "self_care"), (4, 6, "clinician_review"),
                                                      (3, 7, "clinician_review"), (6, 2, "self_care")])
def test_worst_pain_against_the_previous_record(before, now, level):
    done = review(checkin(pain_worst_week=now), baseline("glute_bridge", pain=before))
    assert done.triage.level == level
    assert [c.worse for c in done.changes] == [level == "clinician_review"]


def test_worse_never_lowers_a_more_urgent_triage():
    done = review(checkin(pain_worst_week=9, safety={"fever_or_unwell": True}),
                  baseline("glute_bridge", pain=2))
    assert done.triage.level == "urgent" and done.worse()


def test_no_previous_score_means_nothing_to_compare():
    done = review(checkin(pain_worst_week=9, psfs={"golf": 1}), baseline("glute_bridge", pain=None))
    assert done.changes == []
    # ... but worst pain of 8 or more still needs a clinician, as at intake
    assert done.triage.level == "clinician_review"
    assert [f.id for f in done.triage.red_flags] == ["nerve_or_severe_pain"]


@pytest.mark.parametrize(("report", "decision", "to"), [
    (tried(pain_during=5), "keep", "single_leg_hip_hinge"),
    (tried(pain_during=6), "regress", "kickstand_hinge"),
    (tried(settled=False), "regress", "kickstand_hinge"),
    (tried(felt=["hamstring_cramp"]), "regress", "kickstand_hinge"),
    (tried(pain_during=2, too_easy=True), "progress", "single_leg_hip_hinge"),
    (tried(pain_during=3, too_easy=True), "keep", "single_leg_hip_hinge"),
    (tried(pain_during=0, too_easy=True, felt=["knee_caving_in"]), "regress", "kickstand_hinge"),
])
def test_per_drill_decisions(report, decision, to):
    done = review(checkin(drills={"single_leg_hip_hinge": report}), baseline("single_leg_hip_hinge"))
    (made,) = done.decisions
    assert (made.decision, made.to) == (decision, to)
    assert to in done.drill_ids()
    assert made.reasons and made.rules


def test_no_easier_variant_means_stop_and_see_a_clinician():
    for drill in [d for d, e in catalogue().drills.items() if e.regresses_to is None]:
        done = review(checkin(drills={drill: tried(pain_during=7)}), baseline(drill))
        (made,) = done.decisions
        assert made.decision == "stop" and made.see_clinician and "clinician" in made.text
        assert drill not in done.drill_ids()


def test_how_and_why_not_work_on_decisions():
    done = review(checkin(drills={"single_leg_hip_hinge": tried(pain_during=6, felt=["low_back_pinch"])}),
                  baseline("single_leg_hip_hinge", "glute_bridge"))
    (tree,) = done.decision_how("single_leg_hip_hinge")
    assert tree.rule == "a_reason_to_regress_moves_the_drill_to_its_easier_variant"
    texts = {p.text for p in tree.premises}
    assert any(t.startswith("under review: Single-leg hip hinge") for t in texts)
    leaves = [q.text for p in tree.premises for q in p.premises]
    assert any("pain during 6/10" in t for t in leaves)
    why = done.why_not("progress", drill="single_leg_hip_hinge")
    assert not why.concluded and "the decision was 'regress'" in why.summary
    statuses = {c.status for r in why.rules for c in r.conditions}
    assert {"met", "missing", "blocked"} & statuses
    assert done.why_not("regress", drill="single_leg_hip_hinge").concluded
    assert "not tried" in done.why_not("glute_bridge").summary or \
        done.why_not("glute_bridge").concluded
    assert done.why_not("hip_airplane").summary.startswith("hip_airplane: it was not in the plan")
    assert done.why_not("keep").concluded  # the glute bridge, not tried, is kept
    assert done.how("worse") == []


def test_a_check_in_about_a_drill_not_in_the_plan_is_refused():
    with pytest.raises(CheckInMismatch) as caught:
        review(checkin(drills={"hip_airplane": tried()}), baseline("glute_bridge"))
    assert caught.value.problems[0][0] == "drills.hip_airplane"


def test_a_stopped_plan_has_nothing_under_review():
    stopped = Baseline(plan=[], drills_allowed=False, pain_worst_week=5)
    done = review(checkin(), stopped)
    assert done.decisions == [] and done.plan == [] and done.notes


@pytest.mark.parametrize("path", CHECKIN_CASES, ids=[p.stem for p in CHECKIN_CASES])
def test_checkin_case_file(path):
    result = run_case(load_case(path), path)
    assert result.status == "pass", [d.message for d in result.differences] + result.errors


def test_at_least_twelve_checkin_cases_sit_on_every_review_threshold():
    assert len(CHECKIN_CASES) >= 12
    cases = [load_case(p) for p in CHECKIN_CASES]
    pains = {r.pain_during for c in cases for r in c.checkin.drills.values()}
    assert {5, 6, 7} <= pains and {2, 3, 4} <= pains
    report = run_cases(CHECKIN_CASES)
    fired = {r for c in report.cases for r in c.rules_fired}
    assert set(review_rules()) <= fired, set(review_rules()) - fired


def test_hipscreen_cases_runs_the_checkin_cases(capsys):
    code = main(["cases", *map(str, CHECKIN_CASES[:3]), "--format", "json", "--no-coverage"])
    out = capsys.readouterr().out
    assert code == 0 and '"decisions"' in out


CASE_HEAD = """id: {id}
intake: {{age: 41, symptoms: {{pain_now: 2, pain_worst_week: 4}}, movement: {{hinge_faults: [back_rounds]}}}}
"""


def test_a_checkin_case_that_could_never_pass_is_invalid():
    with pytest.raises(Exception, match="a check-in review concludes no deficits"):
        load_case_text(CASE_HEAD.format(id="x") + "checkin: {safety: {}, pain_now: 1, "
                       "pain_worst_week: 1}\nexpect: {triage: self_care, deficits: "
                       "[hinge_pattern_deficit]}\n", "x.yaml")
    with pytest.raises(Exception, match="only for a check-in case"):
        load_case_text(CASE_HEAD.format(id="y") + "expect: {triage: self_care, decisions: "
                       "{glute_bridge: keep}}\n", "y.yaml")


def test_a_checkin_case_about_a_drill_not_in_its_plan_is_reported_invalid(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text(CASE_HEAD.format(id="z") + "checkin: {safety: {}, pain_now: 1, "
                    "pain_worst_week: 1, drills: {hip_airplane: {sessions: 2, pain_during: 1, "
                    "settled_next_morning: true}}}\nexpect: {triage: self_care}\n")
    result = run_case(load_case(path), path)
    assert result.status == "invalid"
    assert "field 'checkin.drills.hip_airplane': not in the plan under review" in result.errors[0]


def test_a_failing_checkin_case_says_why(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(CASE_HEAD.format(id="w") + "checkin: {safety: {}, pain_now: 1, "
                    "pain_worst_week: 1, drills: {single_leg_hip_hinge: {sessions: 2, "
                    "pain_during: 6, settled_next_morning: true}}}\nexpect: {triage: self_care, "
                    "decisions: {single_leg_hip_hinge: progress}, worse: true}\n")
    result = run_case(load_case(path), path)
    assert result.status == "fail"
    messages = " ".join(d.message for d in result.differences)
    assert "expected single_leg_hip_hinge: progress, got regress" in messages
    assert "expected worse: true, got false" in messages


def test_the_readme_checkin_example_runs(tmp_path, capsys):
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    intake = re.search(r"\$ cat intake.yaml\n(.*?)\n\n\$ uv run", text, re.S).group(1)
    checkin_text = re.search(r"\$ cat checkin.yaml\n(.*?)\n\n\$ uv run", text, re.S).group(1)
    (tmp_path / "intake.yaml").write_text(intake)
    (tmp_path / "checkin.yaml").write_text(checkin_text)
    code = main(["checkin", str(tmp_path / "checkin.yaml"), "--previous",
                 str(tmp_path / "intake.yaml"), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    import json

    decisions = {d["drill"]: d["decision"] for d in json.loads(out)["decisions"]}
    assert decisions["single_leg_hip_hinge"] == "regress"
    assert decisions["single_leg_stability"] == "keep"  # its harder drill is being made easier
