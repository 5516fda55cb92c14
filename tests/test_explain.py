"""HOW trees reach the intake answers; WHY NOT names the missing or untested conditions."""

import pytest

from hipscreen.explain import UnknownConclusion, how, why_not
from hipscreen.screening import screen


def _leaves(node):
    if not node.premises:
        return [node]
    return [leaf for p in node.premises for leaf in _leaves(p)]


def test_how_a_deficit_goes_down_to_answers(rich_intake):
    result = screen(rich_intake)
    [tree] = how(result, "hip_stability_deficit")
    assert tree.rule == "evidence_combines_into_deficits"
    leaves = _leaves(tree)
    assert all(leaf.rule is None and leaf.text.startswith("answer ") for leaf in leaves)
    assert "answer movement.hip_shift = right" in {leaf.text for leaf in leaves}


def test_how_a_drill_names_rules_and_sources(rich_intake):
    result = screen(rich_intake)
    [tree] = how(result, "single_leg_hip_hinge")
    assert tree.rule == "unblocked_candidate_goes_into_the_plan"
    assert tree.source and tree.rule_text


def test_how_the_triage(rich_intake):
    [tree] = how(screen(rich_intake), "self_care")
    assert tree.rule == "no_red_flag_means_self_care"


def test_why_not_a_deficit_lists_rules_and_missing_conditions(rich_intake):
    answer = why_not(screen(rich_intake), "rotational_control_deficit")
    assert not answer.concluded
    rules = {r.rule: r for r in answer.rules}
    assert "rotation_pain_with_limited_ir_suggests_poor_rotational_control" in rules
    conds = rules["rotation_pain_with_limited_ir_suggests_poor_rotational_control"].conditions
    assert [c.status for c in conds] == ["missing", "not_tested"]


def test_why_not_a_concluded_deficit_says_so(rich_intake):
    answer = why_not(screen(rich_intake), "hip_stability_deficit")
    assert answer.concluded and "concluded" in answer.summary


def test_why_not_a_drill_at_emergency_names_the_red_flag(rich_intake):
    rich_intake["safety"] = {"saddle_numbness": True}
    answer = why_not(screen(rich_intake), "single_leg_stability")
    assert "cauda_equina" in answer.summary and not answer.concluded


def test_unknown_id_is_a_clear_error(rich_intake):
    with pytest.raises(UnknownConclusion, match="unknown id 'hip_wobble'"):
        why_not(screen(rich_intake), "hip_wobble")


def test_trace_records_every_fact_with_its_rule(rich_intake):
    result = screen(rich_intake)
    ids = {s.fact_id for s in result.trace}
    for step in result.trace:
        if step.kind == "Answer":
            assert step.rule is None
        else:
            assert step.rule and step.source
            assert set(step.premises) <= ids
