"""The case runner (`hipscreen cases`): invalid files, field-level diffs, coverage, output
formats, --only, --save/--baseline and exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

import hipscreen.screening as engine
from hipscreen.cases import (
    CaseError,
    CaseReport,
    Outcome,
    SavedRun,
    compare_runs,
    load_case,
    load_run,
    run_case,
    run_cases,
    save_run,
)
from hipscreen.cli import main
from hipscreen.explain import why_not
from hipscreen.rules.registry import rules

from .knowledge_copies import tuned_copy

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = ROOT / "cases"
# The documented cases at the top of cases/ (not the vignettes, some of which record where the
# rules still differ from the references, nor the check-ins of cases/checkins/)
TOP_CASES = [str(p) for p in sorted(CASE_DIR.glob("*.yaml"))]
BAD_DIR = ROOT / "tests" / "data" / "bad_cases"
GOOD = CASE_DIR / "runner-right-shift.yaml"

# Each deliberately broken file, and what its error must say: the file, the field, what was
# expected.
BAD_FILES = {
    "bad-yaml.yaml": ["bad-yaml.yaml", "not valid YAML", "line 10"],
    "unknown-key.yaml": ["unknown-key.yaml", "field 'expect.drill'", "unknown key",
                         "expected one of: triage, deficits, not_deficits, drills, not_drills"],
    "unknown-deficit.yaml": ["unknown-deficit.yaml", "field 'expect.deficits.0'",
                             "unknown deficit id 'hip_stabilty_deficit'",
                             "expected one of:", "hip_stability_deficit"],
    "unknown-drill.yaml": ["unknown-drill.yaml", "field 'expect.not_drills.0'",
                           "unknown drill id 'clamshell'", "expected one of:", "glute_bridge"],
    "invalid-intake.yaml": ["invalid-intake.yaml", "field 'intake.age'",
                            "greater than or equal to 8", "(got 7)",
                            "field 'intake.movement.hip_shift'", "'none', 'left' or 'right'"],
    "id-not-stem.yaml": ["id-not-stem.yaml", "field 'id'", "expected the file stem 'id-not-stem'",
                         "'some-other-id'"],
    "missing-triage.yaml": ["missing-triage.yaml", "field 'expect.triage'", "required",
                            "expected one of: emergency, urgent, clinician_review, self_care"],
    "not-a-mapping.yaml": ["not-a-mapping.yaml", "expected a mapping", "got a list"],
    "contradictory-expect.yaml": ["contradictory-expect.yaml", "field 'expect'",
                                  "hip_airplane cannot be both in drills and in not_drills"],
}


def write_case(directory: Path, case_id: str, **changes) -> Path:
    """A copy of runner-right-shift under a new id, with top-level keys replaced."""
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data.update(id=case_id, **changes)
    path = directory / f"{case_id}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- invalid case files ----------------------------------------------------------------------
def test_every_broken_file_is_covered_by_a_test() -> None:
    assert sorted(p.name for p in BAD_DIR.glob("*.yaml")) == sorted(BAD_FILES)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_invalid_case_file_names_file_field_and_expectation(name: str) -> None:
    with pytest.raises(CaseError) as caught:
        load_case(BAD_DIR / name)
    for fragment in BAD_FILES[name]:
        assert fragment in str(caught.value)


def test_invalid_files_are_reported_and_the_others_still_run() -> None:
    report = run_cases([BAD_DIR, GOOD])
    status = {r.id: r.status for r in report.cases}
    assert status.pop("runner-right-shift") == "pass"
    assert set(status.values()) == {"invalid"} and len(status) == len(BAD_FILES)
    assert report.summary.invalid == len(BAD_FILES)
    assert report.summary.exit_code == 2


def test_cli_exits_2_on_invalid_files_and_prints_each(capsys) -> None:
    code = main(["cases", str(BAD_DIR), str(GOOD), "--no-coverage"])
    out = capsys.readouterr().out
    assert code == 2
    for name in BAD_FILES:
        assert name in out
    assert "runner-right-shift" in out and "pass" in out


def test_missing_path_and_empty_directory_are_invalid(tmp_path: Path) -> None:
    report = run_cases([tmp_path / "nowhere", tmp_path])
    assert [r.status for r in report.cases] == ["invalid", "invalid"]
    assert "no such file or directory" in report.cases[0].errors[0]
    assert "no case files" in report.cases[1].errors[0]
    assert report.summary.exit_code == 2


def test_file_that_is_not_utf8_text_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: latin1\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CaseError, match="latin1.yaml: not UTF-8 text"):
        load_case(path)


def test_yml_files_are_found_and_other_files_ignored(tmp_path: Path) -> None:
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["id"] = "short-suffix"
    (tmp_path / "short-suffix.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a case", encoding="utf-8")
    report = run_cases([tmp_path])
    assert [(r.id, r.status) for r in report.cases] == [("short-suffix", "pass")]


def test_duplicate_ids_across_paths_are_invalid(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / GOOD.name)
    report = run_cases([CASE_DIR / GOOD.name, tmp_path])
    assert [r.status for r in report.cases] == ["pass", "invalid"]
    assert "also the id of" in report.cases[1].errors[0]


# -- passing and failing cases -----------------------------------------------------------------
def test_all_passing_exits_0(capsys) -> None:
    assert main(["cases", str(CASE_DIR), "--only", "runner-right-shift"]) == 0
    out = capsys.readouterr().out
    assert "1 case files: 1 passed" in out


def test_failing_case_gives_field_level_diff_with_why_not(tmp_path: Path) -> None:
    path = write_case(tmp_path, "wrong-expectations", expect={
        "triage": "clinician_review", "deficits": ["glute_underuse"],
        "not_deficits": ["hip_stability_deficit"], "drills": ["glute_bridge"],
        "not_drills": ["single_leg_hip_hinge"]})
    result = run_case(load_case(path), path)
    assert result.status == "fail"
    by_field = {d.field: d for d in result.differences}
    assert set(by_field) == {"triage", "deficits", "not_deficits", "drills", "not_drills"}
    assert by_field["triage"].headline == "expected triage clinician_review, got self_care"
    screened = engine.screen(load_case(path).intake)
    why = why_not(screened, "glute_underuse").summary
    assert by_field["deficits"].message == f"missing deficit glute_underuse — why not: {why}"
    assert by_field["drills"].explanation == why_not(screened, "glute_bridge").summary
    assert by_field["not_deficits"].headline.startswith(
        "unexpected deficit hip_stability_deficit: likely on right")
    assert "hip_shift_suggests_unstable_hip" in by_field["not_deficits"].explanation
    assert by_field["not_drills"].headline.startswith("unexpected drill single_leg_hip_hinge")


def test_cli_exits_1_when_a_case_fails(tmp_path: Path, capsys) -> None:
    write_case(tmp_path, "wrong-triage", expect={"triage": "emergency"})
    assert main(["cases", str(tmp_path)]) == 1
    assert "expected triage emergency, got self_care" in capsys.readouterr().out


def test_a_crash_while_screening_is_an_error_and_the_run_goes_on(monkeypatch) -> None:
    def broken(intake):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "screen", broken)
    report = run_cases([GOOD])
    assert report.cases[0].status == "error"
    assert report.cases[0].errors == ["RuntimeError: engine exploded"]
    assert report.summary.exit_code == 1


def test_only_runs_the_named_case_and_an_unknown_id_is_invalid() -> None:
    report = run_cases([CASE_DIR], only=["golfer-rotation-pain-hips-fine"])
    assert [r.id for r in report.cases] == ["golfer-rotation-pain-hips-fine"]
    report = run_cases([CASE_DIR], only=["no-such-case"])
    assert report.cases[0].status == "invalid"
    assert "--only no-such-case" in report.cases[0].errors[0]
    assert report.summary.exit_code == 2


# -- coverage ------------------------------------------------------------------------------------
def test_coverage_counts_rules_per_case_and_cases_per_rule() -> None:
    report = run_cases([CASE_DIR], only=["runner-right-shift", "lifter-deadlift-back-rounds"])
    fired = {r.id: set(r.rules_fired) for r in report.cases}
    assert "observed_hip_shift_is_a_finding" in fired["runner-right-shift"]
    assert "observed_hip_shift_is_a_finding" not in fired["lifter-deadlift-back-rounds"]
    per_rule = {c.rule: c for c in report.coverage.rules}
    assert per_rule["observed_hip_shift_is_a_finding"].case_ids == ["runner-right-shift"]
    assert per_rule["no_red_flag_means_self_care"].cases == 2
    assert "bladder_bowel_saddle_or_sexual_change_means_cauda_equina_emergency" in \
        report.coverage.rules_never_fired
    assert set(report.coverage.rules_never_fired) == {
        rule for rule, c in per_rule.items() if c.cases == 0}
    assert set(per_rule) == set(rules())
    assert "cauda_equina" in report.coverage.red_flags_never_raised
    assert "emergency" in report.coverage.triage_levels_never_reached


# -- output formats ------------------------------------------------------------------------------
def test_json_output_is_the_documented_model(tmp_path: Path, capsys) -> None:
    write_case(tmp_path, "wrong-triage", expect={"triage": "urgent"})
    main(["cases", str(tmp_path), str(GOOD), "--format", "json"])
    report = CaseReport.model_validate_json(capsys.readouterr().out)
    assert {r.id: r.status for r in report.cases} == {
        "wrong-triage": "fail", "runner-right-shift": "pass"}
    assert report.summary.exit_code == 1
    assert report.cases[0].differences[0].field == "triage"


def test_junit_output_parses_as_xml(tmp_path: Path, capsys) -> None:
    write_case(tmp_path, "wrong-triage", expect={"triage": "urgent"})
    code = main(["cases", str(tmp_path), str(GOOD), str(BAD_DIR / "unknown-key.yaml"),
                 "--format", "junit"])
    root = ET.fromstring(capsys.readouterr().out)
    assert code == 2
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"wrong-triage", "runner-right-shift", "unknown-key"}
    assert cases["wrong-triage"].find("failure").get("message").startswith(
        "expected triage urgent, got self_care")
    assert cases["runner-right-shift"].find("failure") is None
    assert "rules fired:" in cases["runner-right-shift"].find("system-out").text
    assert "field 'expect.drill'" in cases["unknown-key"].find("error").text
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert "rules no case fires" in props


def test_junit_output_can_go_to_a_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "cases.xml"
    assert main(["cases", str(GOOD), "--format", "junit", "--output", str(target)]) == 0
    assert ET.parse(target).getroot().find("testsuite").get("failures") == "0"
    assert "1 passed" in capsys.readouterr().out


def test_markdown_and_table_outputs(capsys) -> None:
    main(["cases", str(GOOD), "--format", "markdown"])
    md = capsys.readouterr().out
    assert "| case | result | rules fired | expected vs actual |" in md
    assert "| runner-right-shift | pass |" in md
    assert "| rule | stage | cases |" in md
    main(["cases", str(GOOD)])
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:2] == ["case", "result"]
    assert "Coverage: cases firing each rule" in table
    assert "rules no case fires:" in table


# -- triage agreement --------------------------------------------------------------------------
def _agreement_suite(directory: Path) -> None:
    """Six tiny cases: runner-right-shift screens self_care, its saddle-numbness copy emergency.
    Two agree, two are under-triaged (the rules give less than expected), one is over-triaged,
    and one file is invalid (never compared)."""
    emergency = yaml.safe_load(GOOD.read_text(encoding="utf-8"))["intake"]
    emergency["safety"] = {"saddle_numbness": True}
    write_case(directory, "agree-self-care", expect={"triage": "self_care"})
    write_case(directory, "agree-emergency", intake=emergency, expect={"triage": "emergency"})
    write_case(directory, "under-expected-urgent", expect={"triage": "urgent"})
    write_case(directory, "under-expected-review", expect={"triage": "clinician_review"})
    write_case(directory, "over-expected-urgent", intake=emergency, expect={"triage": "urgent"})
    (directory / "broken.yaml").write_text("id: broken\nexpect: [\n", encoding="utf-8")


def test_triage_agreement_counts_exact_under_and_over_triage(tmp_path: Path) -> None:
    _agreement_suite(tmp_path)
    report = run_cases([tmp_path])
    t = report.triage
    assert (t.compared, t.agree, t.under_triaged, t.over_triaged) == (5, 2, 2, 1)
    assert [m.id for m in t.under_triaged_cases] == ["under-expected-review",
                                                     "under-expected-urgent"]
    assert [(m.expected, m.actual) for m in t.under_triaged_cases] == [
        ("clinician_review", "self_care"), ("urgent", "self_care")]
    assert [(m.id, m.expected, m.actual) for m in t.over_triaged_cases] == [
        ("over-expected-urgent", "urgent", "emergency")]
    assert t.agree + t.under_triaged + t.over_triaged == t.compared
    # a case that fails only on drills still agrees on triage
    write_case(tmp_path, "agree-but-drill-missing",
               expect={"triage": "self_care", "drills": ["glute_bridge"]})
    again = run_cases([tmp_path])
    assert again.summary.failed == 4
    assert (again.triage.compared, again.triage.agree) == (6, 3)


def test_triage_agreement_of_a_crash_or_an_invalid_file_is_not_counted(monkeypatch) -> None:
    def broken(intake):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "screen", broken)
    report = run_cases([GOOD, BAD_DIR / "unknown-key.yaml"])
    assert report.cases[0].expected_triage == "self_care"
    assert (report.triage.compared, report.triage.agree) == (0, 0)


def test_triage_agreement_in_every_output_format(tmp_path: Path, capsys) -> None:
    _agreement_suite(tmp_path)
    main(["cases", str(tmp_path), "--no-coverage"])
    table = capsys.readouterr().out
    assert "triage: 2 of 5 screened cases agree exactly, 2 under-triaged, 1 over-triaged" in table
    assert "  - under-expected-urgent: expected urgent, got self_care" in table
    assert "  - over-expected-urgent: expected urgent, got emergency" in table

    main(["cases", str(tmp_path), "--format", "markdown"])
    md = capsys.readouterr().out
    assert "## Triage agreement" in md
    assert "- agree exactly: 2" in md and "- under-triaged (less urgent than expected): 2" in md
    assert "- over-triaged (more urgent than expected): 1" in md
    assert "| case | expected | actual | direction |" in md
    assert "| under-expected-review | clinician_review | self_care | under-triaged |" in md
    assert "| over-expected-urgent | urgent | emergency | over-triaged |" in md

    main(["cases", str(tmp_path), "--format", "junit"])
    props = {p.get("name"): p.get("value")
             for p in ET.fromstring(capsys.readouterr().out).iter("property")}
    assert (props["triage compared"], props["triage agree"]) == ("5", "2")
    assert (props["triage under-triaged"], props["triage over-triaged"]) == ("2", "1")
    assert props["triage under-triaged cases"] == (
        "under-expected-review (expected clinician_review, got self_care), "
        "under-expected-urgent (expected urgent, got self_care)")
    assert props["triage over-triaged cases"] == (
        "over-expected-urgent (expected urgent, got emergency)")

    main(["cases", str(tmp_path), "--format", "json"])
    report = CaseReport.model_validate_json(capsys.readouterr().out)
    assert (report.triage.agree, report.triage.under_triaged, report.triage.over_triaged) == (
        2, 2, 1)


def test_all_agreeing_cases_report_no_under_or_over_triage(capsys) -> None:
    main(["cases", str(GOOD), "--no-coverage"])
    out = capsys.readouterr().out
    assert "triage: 1 of 1 screened cases agree exactly, 0 under-triaged, 0 over-triaged" in out
    assert "under-triaged (less urgent than expected): none" in out
    assert "over-triaged (more urgent than expected): none" in out


# -- saved runs and the baseline -------------------------------------------------------------
def test_save_then_baseline_with_no_rule_change_reports_nothing(tmp_path: Path, capsys) -> None:
    saved = tmp_path / "run.json"
    assert main(["cases", *TOP_CASES, "--save", str(saved), "--no-coverage"]) == 0
    run = load_run(saved)
    assert len(run.outcomes) >= 40
    capsys.readouterr()
    assert main(["cases", *TOP_CASES, "--baseline", str(saved), "--no-coverage"]) == 0
    out = capsys.readouterr().out
    assert f"{len(run.outcomes)} cases compared, {len(run.outcomes)} unchanged, 0 changed" in out


def test_baseline_shows_the_impact_of_a_threshold_edit(tmp_path: Path, capsys) -> None:
    """Lower the severe-pain threshold from 8 to 7 in a copy of the catalogue: the 7/10 lifter
    moves from self-care to clinician review, and nothing else changes."""
    saved = tmp_path / "before.json"
    assert main(["cases", *TOP_CASES, "--save", str(saved), "--no-coverage"]) == 0
    data = tuned_copy(tmp_path, "thresholds", "severe_pain_worst_week", value=7)
    capsys.readouterr()
    code = main(["cases", *TOP_CASES, "--baseline", str(saved), "--format", "json",
                 "--data", str(data)])
    report = CaseReport.model_validate_json(capsys.readouterr().out)
    assert code == 1  # the 7/10 case now fails its expectation
    changes = {c.id: c for c in report.baseline.changes}
    assert changes["lifter-worst-pain-7-self-care"].triage == "self_care -> clinician_review"
    assert all(c.triage is None or c.triage.endswith("clinician_review") for c in changes.values())
    assert "lifter-worst-pain-8-review" not in changes


def test_baseline_shows_the_impact_of_a_weight_edit_in_evidence_yaml(tmp_path: Path,
                                                                     capsys) -> None:
    """Weaken the knee-collapse evidence from 0.4 to 0.2 in evidence.yaml: the 17-year-old
    footballer (knee collapse alone) loses the hip stability deficit and its drills (the hip
    airplane was never planned: no internal-rotation loading under 18)."""
    saved = tmp_path / "before.json"
    assert main(["cases", *TOP_CASES, "--save", str(saved), "--no-coverage"]) == 0
    data = tuned_copy(tmp_path, "evidence", "knee_collapse_suggests_unstable_hip", weight=0.2)
    capsys.readouterr()
    main(["cases", *TOP_CASES, "--baseline", str(saved), "--format", "json",
          "--data", str(data)])
    report = CaseReport.model_validate_json(capsys.readouterr().out)
    changes = {c.id: c for c in report.baseline.changes}
    footballer = changes["footballer-groin-pain-age-17"]
    assert footballer.deficits_removed == ["hip_stability_deficit"]
    assert set(footballer.drills_removed) == {"single_leg_stability", "single_leg_hip_hinge"}
    assert footballer.triage is None
    assert any(c.deficits_changed for c in changes.values())
    assert "lifter-deadlift-back-rounds" not in changes  # no knee collapse there
    assert rules()["knee_collapse_suggests_unstable_hip"].weight == 0.4  # the shipped one again


def test_compare_runs_lists_new_removed_and_changed_cases() -> None:
    calm = Outcome(triage="self_care")
    worse = Outcome(triage="urgent", red_flags=["fever_with_back_pain"])
    before = SavedRun(saved_at="t0", outcomes={"a": calm, "b": calm})
    after = SavedRun(saved_at="t1", outcomes={"a": worse, "c": calm})
    changes = {c.id: c for c in compare_runs(before, after).changes}
    assert changes["a"].change == "changed" and changes["a"].triage == "self_care -> urgent"
    assert changes["b"].change == "removed"
    assert changes["c"].change == "new"
    partial = compare_runs(before, after, partial=True)
    assert "b" not in {c.id for c in partial.changes}


def test_bad_baseline_and_unwritable_save_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["cases", str(GOOD), "--baseline", str(tmp_path / "missing.json")]) == 2
    assert "cannot read the baseline" in capsys.readouterr().err
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"cases": []}), encoding="utf-8")
    assert main(["cases", str(GOOD), "--baseline", str(wrong)]) == 2
    assert "not a saved case run" in capsys.readouterr().err
    with pytest.raises(CaseError, match="cannot write"):
        save_run(run_cases([GOOD]).cases, tmp_path)  # a directory, not a file


def test_a_saved_run_is_written_atomically_and_never_through_a_link_or_over_a_case(
        tmp_path: Path, monkeypatch) -> None:
    import os

    from hipscreen import outfile

    saved = tmp_path / "before.json"
    save_run(run_cases([GOOD]).cases, saved)
    before = saved.read_bytes()
    assert load_run(saved).outcomes
    assert [p.name for p in tmp_path.iterdir()] == ["before.json"]  # no temporary file left

    def interrupted(src, dst):  # the rename never happens: the old run must stay whole
        raise KeyboardInterrupt

    monkeypatch.setattr(outfile.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_run(run_cases([GOOD]).cases, saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["before.json"]

    link = tmp_path / "link.json"
    os.symlink(saved, link)
    with pytest.raises(CaseError, match="symbolic link"):
        save_run(run_cases([GOOD]).cases, link)
    with pytest.raises(CaseError, match="input"):
        save_run(run_cases([GOOD]).cases, GOOD, inputs=[GOOD])
