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
from hipscreen.review import Baseline, CheckInMismatch, PlannedDrill, decision_how, how, review, why_not
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
    assert how(done, "stop") and all(n.rule == "a_red_flag_at_the_check_in_stops_every_drill"
                                    for n in how(done, "stop"))


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
    (tree,) = decision_how(done, "single_leg_hip_hinge")
    assert tree.rule == "a_reason_to_regress_moves_the_drill_to_its_easier_variant"
    texts = {p.text for p in tree.premises}
    assert any(t.startswith("under review: Single-leg hip hinge") for t in texts)
    leaves = [q.text for p in tree.premises for q in p.premises]
    assert any("pain during 6/10" in t for t in leaves)
    why = why_not(done, "progress", drill="single_leg_hip_hinge")
    assert not why.concluded and "the decision was 'regress'" in why.summary
    statuses = {c.status for r in why.rules for c in r.conditions}
    assert {"met", "missing", "blocked"} & statuses
    assert why_not(done, "regress", drill="single_leg_hip_hinge").concluded
    assert "not tried" in why_not(done, "glute_bridge").summary or \
        why_not(done, "glute_bridge").concluded
    assert why_not(done, "hip_airplane").summary.startswith("hip_airplane: it was not in the plan")
    assert why_not(done, "keep").concluded  # the glute bridge, not tried, is kept
    assert how(done, "worse") == []


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
intake: {{safety: {{}}, age: 41, symptoms: {{pain_now: 2, pain_worst_week: 4}},
         movement: {{hinge_faults: [back_rounds]}}}}
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


# -- while a clinician review is awaited, no drill is made harder ----------------------------------
HELD_BY = "a_drill_is_not_made_harder_while_a_clinician_review_is_awaited"
INTAKE_ONLY_ROWS = {
    # clinician_review rows a check-in cannot raise: they read intake answers the check-in does
    # not ask again (age, where it hurts, how long, the movement tests), not safety answers.
    "inflammatory_back_pain": "needs the age or first age, how long and NG65's criteria",
    "hip_joint_pattern": "needs groin pain (symptoms.locations) and a stiff or pinchy hip",
    "not_settling": "needs how many weeks the episode has lasted (symptoms.weeks)",
    "first_episode_older": "needs the age of the first episode (symptoms.first_episode_age)",
    "young_back_pain": "needs the age",
}


def _checkin_answers() -> list[tuple[str, dict]]:
    """Every single check-in answer that could raise a red flag on its own: each safety question
    ticked, each hip surgery answer, a question never asked, and each worst-pain score."""
    from hipscreen.knowledge.intake import Safety

    found = []
    for name, field in Safety.model_fields.items():
        values = (True,) if field.annotation == bool | None else ("under_12_weeks", "over_12_weeks")
        found += [(f"safety.{name}={v}", {"safety": {name: v}}) for v in values]
    first = next(iter(Safety.model_fields))
    found.append((f"safety.{first} not asked", {"safety": {first: None}}))
    found += [(f"pain_worst_week={n}", {"pain_now": 0, "pain_worst_week": n}) for n in range(11)]
    return found


def _raised_by_a_checkin() -> dict[str, list[tuple[str, dict]]]:
    """clinician_review row -> the check-in answers that raise it on their own."""
    rows = {rid: [] for rid, row in catalogue().red_flags.items() if row.level == "clinician_review"}
    for label, answers in _checkin_answers():
        done = review(checkin(**answers), baseline("glute_bridge", pain=None))
        for flag in done.triage.red_flags:
            if flag.id in rows:
                rows[flag.id].append((label, answers))
    return rows


RAISED = _raised_by_a_checkin()
RAISING = [(row, label, answers) for row, found in RAISED.items() for label, answers in found]


def test_every_clinician_review_row_is_raised_by_a_checkin_or_skipped_with_a_reason():
    """The table is enumerated from red_flags.yaml: a new clinician_review row either gets a
    check-in answer that raises it (and so enters the property below) or a reason here."""
    cannot = {row for row, found in RAISED.items() if not found}
    assert cannot == set(INTAKE_ONLY_ROWS), cannot ^ set(INTAKE_ONLY_ROWS)
    assert {"serious_pathology_risk", "infection_risk", "nerve_or_severe_pain"} <= {
        row for row, found in RAISED.items() if found}


@pytest.mark.parametrize(("row", "label", "answers"), RAISING,
                         ids=[f"{row}:{label}" for row, label, _ in RAISING])
def test_no_drill_is_progressed_while_a_clinician_review_row_is_raised(row, label, answers):
    """For every clinician_review row a check-in can raise and every planned drill reported too
    easy, painless and settled: no decision is `progress` (kept, or stopped when the row stops
    the plan), alone in the plan or with every other drill."""
    entry = catalogue().red_flags[row]
    for plan in [(d,) for d in EVERY_DRILL] + [tuple(EVERY_DRILL)]:
        done = review(checkin(**answers, drills={d: tried(pain_during=0, too_easy=True)
                                                 for d in plan}),
                      baseline(*plan, pain=None))
        assert row in {f.id for f in done.triage.red_flags}
        assert [d.drill for d in done.decisions if d.decision == "progress"] == [], plan
        assert len(done.decisions) == len(plan)
        if entry.stops_drills:
            assert {d.decision for d in done.decisions} == {"stop"} and done.plan == []
            continue
        for made in done.decisions:
            assert (made.decision, made.to, made.rules) == ("keep", made.drill, [HELD_BY]), made
            assert f"until a clinician has seen you: {entry.label}" in made.text, made.text
        assert {p.drill for p in done.plan} == set(plan)  # each at the level it was
        # the decision is in the trace, made by the rule, from the triage the row set
        held = [n for n in how(done, "keep") if n.rule == HELD_BY]
        assert len(held) == len(plan)
        assert all(any(p.text.startswith("triage: clinician_review") for p in n.premises)
                   for n in held)


def test_the_same_too_easy_drills_progress_with_no_flag():
    """The look-alike: nothing ticked, nothing worse, the same reports: every drill progresses
    (so the property above is not true for want of a progression)."""
    done = review(checkin(drills={d: tried(pain_during=0, too_easy=True) for d in EVERY_DRILL}),
                  baseline(*EVERY_DRILL, pain=None))
    assert done.triage.level == "self_care"
    assert {d.decision for d in done.decisions} == {"progress"}
    assert HELD_BY not in done.rules_fired


def test_getting_worse_holds_back_a_progression_but_not_a_regression():
    drills = {"glute_bridge": tried(pain_during=0, too_easy=True),
              "single_leg_hip_hinge": tried(pain_during=6)}
    done = review(checkin(pain_worst_week=6, drills=drills),
                  baseline("glute_bridge", "single_leg_hip_hinge", pain=4))
    assert done.triage.level == "clinician_review" and done.worse()
    kept, regressed = done.decisions
    assert (kept.decision, kept.to) == ("keep", "glute_bridge")
    assert kept.rules == [HELD_BY]
    assert kept.reasons[-1] == ("Kept at this level until a clinician has seen you: worse since "
                                "the last record (worst pain of the last week: 4 -> 6 (+2))")
    assert (regressed.decision, regressed.to) == ("regress", "kickstand_hinge")
    item = next(p for p in done.plan if p.drill == "glute_bridge")
    assert f"{kept.reasons[-1]}." in item.why
    why = why_not(done, "progress", drill="glute_bridge")
    assert not why.concluded and "clinician_review" in why.summary
    assert rules()[HELD_BY].overrides == "easy_settled_and_too_easy_progresses_the_drill"


def test_an_emergency_still_stops_every_drill_with_a_clinician_review_row_too():
    done = review(checkin(safety={"osteoporosis_or_steroids": True, "saddle_numbness": True},
                          drills={"single_leg_stability": tried(pain_during=0, too_easy=True)}),
                  baseline("single_leg_stability", "glute_bridge"))
    assert done.triage.level == "emergency" and done.plan == []
    assert {d.decision for d in done.decisions} == {"stop"}
    assert HELD_BY not in done.rules_fired


@pytest.mark.parametrize(("age", "level"), [(64, "urgent"), (65, "emergency"), (84, "emergency")])
def test_a_check_in_triages_age_dependent_red_flags_with_the_screening_age(age, level):
    """An older person who cannot bear weight at a check-in has a possible broken hip, as at the
    screening: the baseline carries the screening's age into the check-in's safety rules."""
    result = screen({"age": age, "safety": {}, "symptoms": {"keeps_coming_back": True,
                                                             "locations": ["low_back_left"]},
                     "movement": {"hip_shift": "left"}})
    baseline = Baseline.of_result(result)
    assert baseline.age == age
    out = review({"safety": {"cannot_bear_weight": True}, "pain_now": 2, "pain_worst_week": 3},
                 baseline)
    assert out.triage.level == level
    assert out.plan == []
    again = review({"safety": {"cannot_bear_weight": True}, "pain_now": 2, "pain_worst_week": 3},
                   Baseline.of_review(review({"safety": {}, "pain_now": 2, "pain_worst_week": 3},
                                             baseline)))
    assert again.triage.level == level  # carried from check-in to check-in
