"""`hipscreen lint`: the shipped knowledge base passes, and each check catches an anomaly planted
in a temporary copy of knowledge/data (catalogue anomalies) or in a hand-built rule list
(rule-level anomalies)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml
from experta import MATCH, P

from hipscreen.cli import main
from hipscreen.knowledge.catalogue import DATA_DIR
from hipscreen.lint import (
    CHECKS,
    LintReport,
    check_circularity,
    check_conflicts,
    check_redundancy,
    check_subsumption,
    lint,
    read_knowledge,
)
from hipscreen.rules.registry import Condition, RuleInfo, rules

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = ROOT / "cases"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A private copy of the shipped catalogues to plant anomalies in."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


class NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True


def edit(data: Path, name: str, change) -> None:
    path = data / f"{name}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    # copies of one entry would be written as YAML aliases, which the loader refuses
    path.write_text(yaml.dump(content, Dumper=NoAliases, sort_keys=False), encoding="utf-8")


def problems(report: LintReport, check: str) -> list[str]:
    return [f"{p.where}: {p.message}" for p in report.problems if p.check == check]


def registry() -> list[RuleInfo]:
    return list(rules().values())


def rule(rule_id: str, *conditions: Condition, concludes=("hip_stability_deficit",),
         stage="deficits", weight: float | None = 0.3, overrides: str | None = None,
         text="A planted rule used by a lint test.", source="article-hip-stability") -> RuleInfo:
    return RuleInfo(id=rule_id, stage=stage, text=text, source=source, concludes=concludes,
                    weight=weight, overrides=overrides, salience=0, conditions=conditions)


def finding(finding_id: str, side=None, negated=False) -> Condition:
    fields = (("id", finding_id),) + ((("side", side),) if side is not None else ())
    return Condition(kind="Finding", fields=fields, negated=negated)


def answer(field: str, value) -> Condition:
    return Condition(kind="Answer", fields=(("field", field), ("value", value)))


# -- the shipped knowledge base ------------------------------------------------------------------
def test_shipped_knowledge_base_passes_every_check() -> None:
    report = lint(DATA_DIR, CASE_DIR)
    assert report.checks == list(CHECKS)
    assert [p.text() for p in report.problems] == []


def test_cli_lint_passes_and_exits_1_on_a_planted_problem(data: Path, capsys) -> None:
    assert main(["lint", "--cases", str(CASE_DIR)]) == 0
    assert "0 problems" in capsys.readouterr().out
    edit(data, "deficits", lambda d: d["glute_underuse"].update(drills=["clamshell"]))
    assert main(["lint", "--data", str(data), "--cases", str(CASE_DIR)]) == 1
    out = capsys.readouterr().out
    assert "[references] deficits.yaml: entry 'glute_underuse', field 'drills': unknown drill " \
           "'clamshell'" in out
    assert main(["lint", "--data", str(data), "--cases", str(CASE_DIR), "--format", "json"]) == 1
    report = LintReport.model_validate_json(capsys.readouterr().out)
    assert {p.check for p in report.problems} >= {"references", "deficit_drills"}


# -- catalogue anomalies planted in a copy ------------------------------------------------------
def test_schema_catches_an_entry_that_does_not_match_its_model(data: Path) -> None:
    edit(data, "drills", lambda d: d["glute_bridge"].update(order="first"))
    found = problems(lint(data, CASE_DIR), "schema")
    assert any("drills.yaml: entry 'glute_bridge'" in p and "field 'order'" in p for p in found)


def test_schema_catches_a_file_that_is_not_yaml(data: Path) -> None:
    (data / "precautions.yaml").write_text("pregnancy: [unclosed", encoding="utf-8")
    found = problems(lint(data, CASE_DIR), "schema")
    assert any(p.startswith("precautions.yaml: line 1, column 21: not valid YAML") for p in found), found


def test_references_catch_unknown_source_and_drill_links(data: Path) -> None:
    edit(data, "findings", lambda d: d["hip_shift"].update(source="article-nowhere"))
    edit(data, "drills", lambda d: d["kickstand_hinge"].update(regresses_to="wall_hinge"))
    found = problems(lint(data, CASE_DIR), "references")
    assert "findings.yaml: entry 'hip_shift', field 'source': unknown source " \
           "'article-nowhere'" in found
    assert "drills.yaml: entry 'kickstand_hinge', field 'regresses_to': unknown drill " \
           "'wall_hinge'" in found


def test_deficit_without_a_drill_is_caught(data: Path) -> None:
    edit(data, "deficits", lambda d: d["protective_tension"].update(drills=[]))
    report = lint(data, CASE_DIR)
    assert problems(report, "deficit_drills") == [
        "deficits.yaml: entry 'protective_tension': has no drill: a concluded deficit would "
        "give no plan"]


def test_unused_finding_and_drill_are_caught(data: Path) -> None:
    def add_finding(d):
        d["heel_pain"] = dict(d["hip_shift"], label="Pain under the heel")

    def add_drill(d):
        d["clamshell"] = dict(d["glute_bridge"], name="Clamshell")

    edit(data, "findings", add_finding)
    edit(data, "drills", add_drill)
    report = lint(data, CASE_DIR)
    unused = problems(report, "unused")
    assert any(p.startswith("findings.yaml: entry 'heel_pain': no rule uses it") for p in unused)
    assert any(p.startswith("drills.yaml: entry 'clamshell': no rule can plan it") for p in unused)
    assert any("'heel_pain'" in p for p in problems(report, "unreachable"))
    assert any("'clamshell' is in drills.yaml but not in the intake's DrillId" in p
               for p in problems(report, "references"))


def test_regression_reachable_from_a_listed_drill_counts_as_used(data: Path) -> None:
    """dowel_hip_hinge is listed by no deficit; it is reached through kickstand_hinge. Cutting
    that link leaves it unused."""
    assert not problems(lint(data, CASE_DIR), "unused")
    edit(data, "drills", lambda d: d["kickstand_hinge"].update(regresses_to=None))
    unused = problems(lint(data, CASE_DIR), "unused")
    assert [p.split(":")[1].strip() for p in unused] == ["entry 'dowel_hip_hinge'"]


def test_red_flag_row_without_rule_or_case_is_caught(data: Path) -> None:
    edit(data, "red_flags", lambda d: d.update(
        night_sweats=dict(d["fever_with_back_pain"], label="Night sweats")))
    report = lint(data, CASE_DIR)
    assert any("'night_sweats': no safety rule raises it" in p
               for p in problems(report, "unreachable"))
    assert any(p.startswith("red_flags.yaml: entry 'night_sweats': no case file")
               for p in problems(report, "red_flag_cases"))


def test_red_flag_row_without_a_case_file_is_caught(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(CASE_DIR / "back-pain-with-fever.yaml", cases)
    found = problems(lint(DATA_DIR, cases), "red_flag_cases")
    flagged = {p.split("'")[1] for p in found}
    assert "fever_with_back_pain" not in flagged
    assert {"cauda_equina", "child_hip_or_groin_pain", "recent_hip_surgery"} <= flagged
    assert problems(lint(DATA_DIR, tmp_path / "none"), "red_flag_cases") == [
        f"{tmp_path / 'none'}: no such case directory; every red-flag row needs a case file"]


def test_entry_without_plain_words_or_source_is_caught(data: Path) -> None:
    edit(data, "precautions", lambda d: d["pain_monitoring"].update(text="TODO"))
    edit(data, "deficits", lambda d: d["glute_underuse"].update(text="glute_underuse"))
    edit(data, "findings", lambda d: d["knee_collapse"].update(source=""))
    found = problems(lint(data, CASE_DIR), "text_and_source")
    assert any("precautions.yaml: entry 'pain_monitoring', field 'text'" in p for p in found)
    assert any("deficits.yaml: entry 'glute_underuse', field 'text'" in p and "identifier" in p
               for p in found)
    assert "findings.yaml: entry 'knee_collapse': has no source" in found


def test_drill_chain_that_loops_is_caught(data: Path) -> None:
    edit(data, "drills", lambda d: d["dowel_hip_hinge"].update(regresses_to="kickstand_hinge"))
    found = problems(lint(data, CASE_DIR), "circularity")
    assert len(found) == 1
    assert found[0].startswith("drills.yaml, field 'regresses_to': the chain loops")
    assert "kickstand_hinge" in found[0] and "dowel_hip_hinge" in found[0]


# -- rule-level anomalies in a hand-built rule list -------------------------------------------
def test_rule_without_text_or_known_source_is_caught() -> None:
    planted = registry() + [rule("silent_rule", finding("knee_collapse", MATCH.side), text="",
                                 source="blog-post")]
    report = lint(DATA_DIR, CASE_DIR, planted)
    assert "rule 'silent_rule', source: unknown source 'blog-post'" in problems(report, "references")
    assert any(p.startswith("rule 'silent_rule', text (docstring)")
               for p in problems(report, "text_and_source"))


def test_rule_referring_to_unknown_ids_and_answer_values_is_caught() -> None:
    planted = registry() + [
        rule("typo_finding", finding("hip_shfit", MATCH.side)),
        rule("typo_answer", answer("symptoms.worse_with", "bending_liftng"),
             concludes=("pain_when_hinging",), stage="interpret", weight=None),
        rule("typo_field", answer("symptoms.worse_when", "rotation"),
             concludes=("pain_with_rotation",), stage="interpret", weight=None),
        rule("wrong_override", finding("knee_collapse", MATCH.side), overrides="no_such_rule"),
    ]
    found = problems(lint(DATA_DIR, CASE_DIR, planted), "references")
    assert any(p.startswith("rule 'typo_finding', condition Finding(id='hip_shfit'")
               and "unknown finding 'hip_shfit'" in p for p in found)
    assert any("rule 'typo_answer'" in p and "symptoms.worse_with cannot be 'bending_liftng'" in p
               for p in found)
    assert any("rule 'typo_field'" in p and "unknown intake field 'symptoms.worse_when'" in p
               for p in found)
    assert "rule 'wrong_override', overrides: unknown rule 'no_such_rule'" in found


def test_redundant_rule_is_caught() -> None:
    original = rules()["knee_collapse_suggests_unstable_hip"]
    copy = dataclasses.replace(original, id="knee_collapse_again")
    assert check_redundancy(registry()) == []
    found = check_redundancy(registry() + [copy])
    assert [(p.where, p.message) for p in found] == [
        ("rule 'knee_collapse_again'",
         "has the same conditions and conclusion as rule 'knee_collapse_suggests_unstable_hip' "
         "(evidence would be counted twice)")]


def test_redundancy_ignores_variable_names_and_condition_order() -> None:
    a = rule("a", finding("pain_with_rotation"), finding("limited_hip_ir", MATCH.side))
    b = rule("b", finding("limited_hip_ir", MATCH.hip), finding("pain_with_rotation"))
    c = rule("c", finding("limited_hip_ir", MATCH.hip), finding("pain_with_rotation"),
             concludes=("rotational_control_deficit",))
    assert [p.where for p in check_redundancy([a, b, c])] == ["rule 'b'"]


def test_redundancy_sees_predicate_objects_written_alike() -> None:
    """one_of / starts_with / a catalogue drill test are callable objects: two written alike are
    the same test, two with other arguments are not."""
    from hipscreen.rules.meta import one_of, starts_with

    a = rule("a", answer("symptoms.worse_with", one_of("rotation", "getting_out_of_car")),
             concludes=("pain_with_rotation",), stage="interpret", weight=None)
    b = rule("b", answer("symptoms.worse_with", one_of("getting_out_of_car", "rotation")),
             concludes=("pain_with_rotation",), stage="interpret", weight=None)
    c = rule("c", answer("symptoms.worse_with", one_of("rotation")),
             concludes=("pain_with_rotation",), stage="interpret", weight=None)
    d = rule("d", answer("symptoms.locations", starts_with("si_")),
             concludes=("si_irritation",), stage="interpret", weight=None)
    e = rule("e", answer("symptoms.locations", starts_with("si_")),
             concludes=("si_irritation",), stage="interpret", weight=None)
    assert [p.where for p in check_redundancy([a, b, c, d, e])] == ["rule 'b'", "rule 'e'"]


def test_subsumed_rule_is_caught() -> None:
    broad = rules()["knee_collapse_suggests_unstable_hip"]
    narrow = rule("knee_collapse_on_stairs", *broad.conditions,
                  answer("symptoms.worse_with", "stairs"))
    assert check_subsumption(registry()) == []
    found = check_subsumption(registry() + [narrow])
    assert [p.where for p in found] == ["rule 'knee_collapse_on_stairs'"]
    assert "subsumed by rule 'knee_collapse_suggests_unstable_hip'" in found[0].message


def test_rules_that_exclude_each_other_by_a_not_are_not_subsumption() -> None:
    broad = rule("stretching", finding("stretching_relief_does_not_last"),
                 finding("keeps_coming_back", negated=True), concludes=("protective_tension",))
    narrow = rule("stretching_recurring", finding("stretching_relief_does_not_last"),
                  finding("keeps_coming_back"), concludes=("protective_tension",))
    pattern_only = rule("stretching_any", finding("stretching_relief_does_not_last"),
                        concludes=("protective_tension",))
    assert check_subsumption([broad, narrow]) == []
    found = check_subsumption([pattern_only, narrow])
    assert [p.where for p in found] == ["rule 'stretching_recurring'"]


def test_conflict_without_a_deciding_precaution_rule_is_caught() -> None:
    """A new rule can plan the hip airplane after hip surgery; the surgery precaution rule only
    overrides the deficit rule, so nothing decides between the two."""
    drills, precautions = read_knowledge(DATA_DIR).ids("drills"), \
        read_knowledge(DATA_DIR).ids("precautions")
    assert check_conflicts(registry(), drills, precautions) == []
    golfers = rule("golfers_get_the_airplane", answer("activities", "golf"),
                   concludes=("hip_airplane",), stage="prescribe", weight=None)
    found = check_conflicts(registry() + [golfers], drills, precautions)
    blockers = {p.message.split("'")[1] for p in found}
    assert "hip_surgery_rules_out_rotation_loading_drills" in blockers
    assert all(p.where == "rule 'golfers_get_the_airplane'" for p in found)
    assert "can plan hip_airplane" in found[0].message


def test_precaution_rule_that_overrides_nothing_conflicts_and_a_not_excludes() -> None:
    drills = read_knowledge(DATA_DIR).ids("drills")
    deficit_rule = next(r for r in registry() if "hip_airplane" in r.concludes)
    guard = rule("pregnancy_no_airplane",
                 answer("safety.pregnant", True),
                 Condition(kind="Candidate", fields=(("drill", P(lambda d: d == "hip_airplane")),)),
                 concludes=("pregnancy_supported_balance",), stage="prescribe", weight=None)
    found = check_conflicts([deficit_rule, guard], drills, {"pregnancy_supported_balance"})
    assert [p.where for p in found] == [f"rule '{deficit_rule.id}'"]
    decided = dataclasses.replace(guard, overrides=deficit_rule.id)
    assert check_conflicts([deficit_rule, decided], drills, {"pregnancy_supported_balance"}) == []
    not_pregnant = dataclasses.replace(
        deficit_rule, conditions=deficit_rule.conditions + (
            Condition(kind="Answer", fields=(("field", "safety.pregnant"), ("value", True)),
                      negated=True),))
    assert check_conflicts([not_pregnant, guard], drills, {"pregnancy_supported_balance"}) == []


def test_circular_rules_are_caught() -> None:
    kb = read_knowledge(DATA_DIR)
    assert check_circularity(kb, registry()) == []
    loop = [rule("a", finding("hip_shift"), concludes=("knee_collapse",), stage="interpret",
                 weight=None),
            rule("b", finding("knee_collapse"), concludes=("hip_shift",), stage="interpret",
                 weight=None)]
    found = check_circularity(kb, registry() + loop)
    assert len(found) == 1 and found[0].where == "rules"
    assert "hip_shift" in found[0].message and "knee_collapse" in found[0].message


def test_redundancy_does_not_depend_on_the_hash_seed() -> None:
    """Two equal sets built in another order can iterate in another order under some hash seeds
    (43 showed it): the redundancy check must not read that order."""
    import os
    import subprocess
    import sys

    script = ("from hipscreen.lint import stable_repr\n"
              "a = frozenset(('rotation', 'getting_out_of_car'))\n"
              "b = frozenset(('getting_out_of_car', 'rotation'))\n"
              "print(stable_repr(('x', a)) == stable_repr(('x', b)), stable_repr(a))\n")
    for seed in ("0", "43", "4242"):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
        assert out.split() == ["True", "{'getting_out_of_car',", "'rotation'}"], seed
