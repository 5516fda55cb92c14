"""The app's non-widget helpers (app/questions.py, intake_form.py, reasoning.py, pictures.py,
body_map.py, catalogue_tables.py, case_files.py): building an Intake from form values, the
self-test steps, the reasoning picture, the body map, knowledge tables, case files in and out."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from hipscreen.app.body_map import body_map_alt, body_map_svg
from hipscreen.app.case_files import case_file_yaml, case_from_upload, case_id_from
from hipscreen.app.catalogue_tables import filter_table, knowledge_tables
from hipscreen.app.intake_form import build_intake, hinge_answer, stops_here, with_drill_response
from hipscreen.app.pictures import picture_svg
from hipscreen.app.questions import (
    EMERGENCY_QUESTIONS,
    HEALTH_QUESTIONS,
    MOVEMENT_QUESTIONS,
    NOT_TESTED,
    SELF_TESTS,
    movement_option_words,
    movement_options,
)
from hipscreen.app.reasoning import (
    conclusions,
    how_markdown,
    one_bracket,
    reasoning_words,
    why_not_choices,
)
from hipscreen.cases import CaseError, differences, run_case
from hipscreen.explain import how
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import MOVEMENT_TESTS, Intake, Location, Safety
from hipscreen.picture import reasoning_dot, reasoning_graph, reasoning_summary
from hipscreen.screening import screen
from hipscreen.words import (
    ACTIVITY_LABELS,
    AGGRAVATOR_LABELS,
    CLINICIAN_HINGE_FAULT_LABELS,
    CLINICIAN_SAFETY_LABELS,
    HINGE_FAULT_LABELS,
    LOCATION_LABELS,
    SEX_LABELS,
    answer_line_words,
    answer_text,
)

RUNNER = {
    "age": 34, "activities": ["running"], "safety": {},
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "hinge_faults": ["back_rounds"],
                 "single_leg_balance_poor": "right"},
}


# -- building an Intake ----------------------------------------------------------------------
def test_not_tested_movement_answers_are_left_out_but_none_is_kept():
    intake, errors = build_intake({
        "age": 40, "movement.hip_shift": NOT_TESTED, "movement.knee_collapse": "none",
        "movement.hinge_faults": []})
    assert errors == {}
    assert intake.movement.hip_shift is None  # not tested
    assert intake.movement.knee_collapse == "none"  # tested, nothing seen
    assert intake.movement.hinge_faults == ()  # a clean hinge, not "not tested"
    skipped = {s.field for s in screen(intake).skipped_tests}
    assert "movement.hip_shift" in skipped and "movement.knee_collapse" not in skipped


def test_ir_degrees_need_both_sides_and_the_message_names_the_missing_one():
    intake, errors = build_intake({"age": 40, "movement.hip_ir_degrees.left": 22,
                                      "movement.hip_ir_degrees.right": None})
    assert intake is None
    assert list(errors) == ["movement.hip_ir_degrees.right"]
    assert "both hips" in errors["movement.hip_ir_degrees.right"]


def test_ir_degrees_given_on_both_sides_reach_the_intake():
    intake, errors = build_intake({"age": 40, "movement.hip_ir_degrees.left": 22,
                                      "movement.hip_ir_degrees.right": 38})
    assert errors == {}
    assert (intake.movement.hip_ir_degrees.left, intake.movement.hip_ir_degrees.right) == (22, 38)


def test_out_of_range_values_become_plain_messages_keyed_by_field():
    intake, errors = build_intake({"symptoms.pain_now": 11, "age": 5})
    assert intake is None
    assert errors == {"age": "Enter a value of at least 8.",
                      "symptoms.pain_now": "Enter a value of at most 10."}
    _, errors = build_intake({"symptoms.pain_now": 1, "symptoms.pain_worst_week": 1})
    assert errors == {"age": "Please answer this question."}


def test_pain_now_above_the_worst_of_the_week_is_shown_at_the_worst_week_field():
    _, errors = build_intake({"age": 40, "symptoms.pain_now": 10,
                                 "symptoms.pain_worst_week": 0})
    assert list(errors) == ["symptoms.pain_worst_week"]
    assert "cannot be less than the pain now (10)" in errors["symptoms.pain_worst_week"]


def test_hinge_answer_keeps_not_tested_distinct_from_a_clean_hinge():
    assert hinge_answer(False, []) == NOT_TESTED
    assert hinge_answer(True, []) == []
    assert hinge_answer(False, ["back_rounds"]) == ["back_rounds"]  # a fault means tested


def test_with_drill_response_changes_only_the_drill_response():
    intake = Intake.model_validate(RUNNER)
    again = with_drill_response(intake, ["single_leg_hip_hinge"], [])
    assert again.drill_response.low_back_pinch == ("single_leg_hip_hinge",)
    assert again.model_dump(exclude={"drill_response"}) == intake.model_dump(
        exclude={"drill_response"})


def test_stops_here_only_at_emergency_and_urgent():
    assert stops_here(screen({"age": 50, "safety": {"saddle_numbness": True}}))
    assert stops_here(screen({"age": 50, "safety": {"fever_or_unwell": True}}))
    assert not stops_here(screen({"age": 50, "safety": {"cancer_history": True}}))
    assert not stops_here(screen({"age": 50, "safety": {}}))
    assert not stops_here(screen({"age": 50}))  # not asked: no plan, but no emergency either


# -- the self-screening steps ----------------------------------------------------------------
def test_every_safety_question_is_asked_in_self_screening():
    asked = set(EMERGENCY_QUESTIONS) | set(HEALTH_QUESTIONS) | {"hip_surgery"}
    assert asked == set(Safety.model_fields)
    assert not set(EMERGENCY_QUESTIONS) & set(HEALTH_QUESTIONS)


def test_the_clinician_form_has_a_short_label_for_every_yes_no_safety_question():
    assert set(CLINICIAN_SAFETY_LABELS) == set(Safety.model_fields) - {"hip_surgery"}
    assert max(len(label) for label in CLINICIAN_SAFETY_LABELS.values()) <= 36


def test_emergency_and_urgent_questions_come_first():
    """Every answer that alone raises an emergency or same-day row is on the first step."""
    for name in Safety.model_fields:
        if name == "hip_surgery":
            continue
        level = screen({"age": 40, "safety": {name: True}}).triage.level
        if level in ("emergency", "urgent"):
            assert name in EMERGENCY_QUESTIONS, name


def test_self_tests_cover_every_movement_test_a_person_can_do_alone():
    covered = [f for t in SELF_TESTS for f in t.fields]
    assert sorted(covered) == sorted(set(MOVEMENT_TESTS) - {"hip_ir_degrees"})
    for test in SELF_TESTS:
        assert test.how_to() and all(test.how_to())
        for field in test.fields:
            if field != "hinge_faults":
                assert field in MOVEMENT_QUESTIONS


def test_movement_options_start_with_not_tested_and_follow_the_model():
    assert movement_options("hip_shift") == [NOT_TESTED, "none", "left", "right"]
    assert movement_options("knee_collapse") == [NOT_TESTED, "none", "left", "right", "both"]
    assert movement_option_words("pelvic_drop", NOT_TESTED).startswith("Not tested")
    assert movement_option_words("pelvic_drop", "none") != movement_option_words(
        "pelvic_drop", NOT_TESTED)


def test_every_enum_value_has_plain_words():
    assert set(LOCATION_LABELS) == {loc.value for loc in Location}
    for path, value in (("symptoms.locations", "si_left"), ("activities", "golf"),
                        ("movement.hinge_faults", "back_arches"), ("safety.pregnant", True),
                        ("movement.hip_ir_degrees", (22, 38)),
                        ("drill_response.low_back_pinch", "hip_airplane")):
        text = answer_text(path, value)
        assert "_" not in text, text


# -- the reasoning picture -------------------------------------------------------------------
def test_reasoning_graph_runs_from_answers_through_findings_and_deficits_to_drills():
    result = screen(RUNNER)
    nodes, edges = reasoning_graph(result)
    column = {key: node["column"] for key, node in nodes.items()}
    pairs = {(column[a], column[b]) for a, b, _ in edges}
    assert ("answers", "findings") in pairs
    assert ("findings", "deficits") in pairs
    assert ("deficits", "plan") in pairs
    planned = {k.removeprefix("planned_") for k in nodes if k.startswith("planned_")}
    assert planned == set(result.drill_ids())
    # evidence weights label the finding -> deficit links
    assert any(label.startswith("weight ") for _, _, label in edges)


def test_reasoning_dot_is_well_formed_and_escapes_quotes():
    dot = reasoning_dot(screen(RUNNER))
    assert dot.startswith("digraph reasoning {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    for label in re.findall(r'label="((?:[^"\\]|\\.)*)"', dot):
        assert '"' not in label.replace('\\"', "")


def test_reasoning_picture_of_an_emergency_shows_the_red_flag_and_no_drill():
    result = screen({"age": 50, "safety": {"saddle_numbness": True},
                     "movement": {"hip_shift": "left"}})
    nodes, _ = reasoning_graph(result)
    labels = [n["label"] for n in nodes.values()]
    flag = catalogue().red_flags["cauda_equina"].label
    assert any(flag in label for label in labels)
    assert not any(k.startswith("planned_") for k in nodes)
    assert "emergency" in reasoning_summary(result)


def test_drills_left_out_by_a_precaution_are_drawn_as_left_out():
    result = screen({"age": 60, "safety": {"hip_surgery": "over_12_weeks"},
                     "movement": {"hip_shift": "left", "hip_ir_limited": "left"}})
    nodes, _ = reasoning_graph(result)
    left_out = [n for k, n in nodes.items() if k.startswith("blocked_")]
    assert left_out and all(n["label"].startswith("Left out") for n in left_out)


# -- HOW and WHY NOT in words ------------------------------------------------------------------
def test_conclusions_start_with_triage_and_list_each_deficit_once():
    result = screen(RUNNER)
    ids = [cid for cid, _ in conclusions(result)]
    assert ids[0] == result.triage.level
    assert len(ids) == len(set(ids))
    assert set(result.deficit_ids()) <= set(ids) and set(result.drill_ids()) <= set(ids)


def test_how_markdown_nests_premises_down_to_the_answers():
    result = screen(RUNNER)
    text = how_markdown(how(result, "hip_stability_deficit"))
    assert "because of rule `evidence_combines_into_deficits`" in text
    assert "your answer" in text
    assert "\n        - " in text  # a premise is nested under its conclusion


def test_why_not_choices_cover_every_deficit_and_drill():
    ids = {cid for cid, _ in why_not_choices()}
    assert ids == set(catalogue().deficits) | set(catalogue().drills)


# -- the body map ------------------------------------------------------------------------------
def test_body_map_marks_exactly_the_selected_locations():
    svg = body_map_svg(["low_back_right", "groin_left"])
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    regions = {e.get("id"): e for e in root.iterfind(".//s:ellipse", ns)}
    assert set(regions) == set(LOCATION_LABELS)
    selected = {k for k, e in regions.items() if e.get("class") == "selected"}
    assert selected == {"low_back_right", "groin_left"}
    assert "Low back, right" in root.get("aria-label")
    for loc, element in regions.items():
        assert element.find("s:title", ns).text.startswith(LOCATION_LABELS[loc])


def test_body_map_rejects_an_unknown_location():
    with pytest.raises(ValueError, match="unknown pain locations"):
        body_map_svg(["elbow"])


# -- knowledge tables ------------------------------------------------------------------------
def test_knowledge_tables_hold_every_rule_and_catalogue_entry():
    from hipscreen.rules.registry import rules

    tables = knowledge_tables()
    cat = catalogue()
    assert set(tables["Rules"]["id"]) == set(rules())
    assert set(tables["Findings"]["id"]) == set(cat.findings)
    assert set(tables["Deficits"]["id"]) == set(cat.deficits)
    assert set(tables["Drills"]["id"]) == set(cat.drills)
    assert set(tables["Red flags"]["id"]) == set(cat.red_flags)
    assert tables["Rules"]["source"].str.len().min() > 0


def test_filter_table_needs_every_word_in_any_column():
    rules_table = knowledge_tables()["Rules"]
    hits = filter_table(rules_table, "Hip SHIFT")
    assert len(hits) and len(hits) < len(rules_table)
    assert all("hip" in " ".join(map(str, row)).lower() and "shift" in " ".join(
        map(str, row)).lower() for row in hits.itertuples(index=False))
    assert filter_table(rules_table, "  ").equals(rules_table)
    assert filter_table(rules_table, "zzzz-no-such-word").empty


# -- case files --------------------------------------------------------------------------------
def test_case_file_yaml_round_trips_and_its_expectations_hold(tmp_path):
    result = screen(RUNNER)
    text = case_file_yaml(result, case_id="runner-from-app", title="Runner")
    path = tmp_path / "runner-from-app.yaml"
    path.write_text(text, encoding="utf-8")
    from hipscreen.cases import load_case

    case = load_case(path)
    assert case.intake == result.intake
    assert case.expect.triage == result.triage.level
    assert run_case(case, path).status == "pass"
    assert differences(case.expect, screen(case.intake)) == []


def test_case_file_yaml_keeps_not_tested_apart_from_none():
    intake, _ = build_intake({"age": 30, "movement.hip_shift": "none",
                                 "movement.knee_collapse": NOT_TESTED})
    doc = yaml.safe_load(case_file_yaml(screen(intake)))
    assert doc["intake"]["movement"] == {"hip_shift": "none"}


def test_case_file_yaml_rejects_a_bad_id():
    with pytest.raises(ValueError, match="lowercase words"):
        case_file_yaml(screen(RUNNER), case_id="Bad Id")
    assert case_id_from("Runner, right shift!") == "runner-right-shift"


def test_an_uploaded_case_is_validated_in_memory_with_file_and_field_named():
    good = case_file_yaml(screen(RUNNER), case_id="up")
    case = case_from_upload("up.yaml", good.encode())
    assert case.id == "up"
    bad = good.replace("triage:", "triage_level:")
    with pytest.raises(CaseError, match=r"up\.yaml: field 'expect\.triage_level': unknown key"):
        case_from_upload("up.yaml", bad.encode())
    with pytest.raises(CaseError, match="expected the file stem"):
        case_from_upload("other-name.yaml", good.encode())
    with pytest.raises(CaseError, match="not valid YAML"):
        case_from_upload("x.yaml", b"id: [unclosed")
    with pytest.raises(CaseError, match="not UTF-8"):
        case_from_upload("x.yaml", b"\xff\xfe")


def test_red_flag_answers_are_put_in_plain_words():
    result = screen({"age": 50, "safety": {"saddle_numbness": True}})
    line = result.triage.red_flags[0].answers[0]
    assert answer_line_words(line) == (
        "Numbness around the genitals, back passage or inner thighs: Yes")
    assert answer_line_words("symptoms.locations = groin_left") == "Where it hurts: Groin, left"
    assert answer_line_words("no equals sign") == "no equals sign"


# -- issue 10: labels, pictures, plain words ------------------------------------------------------
@pytest.mark.parametrize("labels", [ACTIVITY_LABELS, AGGRAVATOR_LABELS, LOCATION_LABELS,
                                    HINGE_FAULT_LABELS, CLINICIAN_HINGE_FAULT_LABELS],
                         ids=["activities", "worse_with", "locations", "hinge", "hinge_clinician"])
def test_no_choice_label_is_the_start_of_another(labels):
    """Typing a label and Enter in a multiselect picks that one choice (the lists have no
    'select all'); no label may be the start of another."""
    for a in labels.values():
        for b in labels.values():
            assert a == b or not b.lower().startswith(a.lower()), (a, b)


@pytest.mark.parametrize("labels", [ACTIVITY_LABELS, AGGRAVATOR_LABELS],
                         ids=["activities", "worse_with"])
def test_a_persons_choices_start_with_different_words(labels):
    """'Lifting' + Enter once picked both 'Lifting weights' and 'Lifting children'."""
    first_words = [label.split()[0].lower().strip(",(") for label in labels.values()]
    assert len(set(first_words)) == len(first_words), first_words


def test_sex_is_offered_once_as_prefer_not_to_say():
    offered = [SEX_LABELS[k] for k in SEX_LABELS if k is not None]
    assert offered.count("Prefer not to say") == 1 and "Undisclosed" not in offered


def test_every_drill_and_self_test_has_a_picture_with_alt_text():
    cat = catalogue()
    for entry in [*cat.drills.values(), *cat.movement_tests.values()]:
        svg = picture_svg(entry.picture)
        assert svg and svg.lstrip().startswith("<svg"), entry.picture
        root = ET.fromstring(svg)
        title = root.find("{http://www.w3.org/2000/svg}title").text
        assert title == " ".join(entry.picture_alt.split())
        assert root.get("viewBox") and root.get("role") == "img"
        assert "<text" not in svg  # no words baked into a picture
    for test in SELF_TESTS:
        assert test.parts() and all(picture for _, picture, _ in test.parts())


def test_picture_names_stay_inside_the_data_folder():
    assert picture_svg("../catalogue.py") is None
    assert picture_svg("/etc/passwd") is None
    assert picture_svg("pictures/no_such_picture.svg") is None


def test_the_pictures_are_the_drawing_tool_output():
    """knowledge/data/pictures/*.svg are made by tools/draw_pictures.py from the catalogues'
    picture_alt; an edit to either without redrawing is caught here."""
    import subprocess
    import sys

    tool = Path(__file__).resolve().parents[1] / "tools" / "draw_pictures.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_body_map_has_alt_text_in_words():
    alt = body_map_alt(["low_back_right", "si_right"])
    assert alt.startswith("Body map") and "Low back, right" in alt and "SI joint" in alt
    assert "nothing marked" in body_map_alt([])


def test_knowledge_tables_put_the_source_early_and_say_conditions_in_words():
    tables = knowledge_tables()
    for name, table in tables.items():
        assert list(table.columns).index("source") <= 3, name
    rules_table = tables["Rules"].set_index("id")
    assert "None" not in set(rules_table["weight"])
    assert rules_table.loc["hip_shift_suggests_unstable_hip", "weight"] == "0.5"
    when = rules_table.loc["right_only_low_back_pain_is_one_sided_tightness", "when"]
    assert when == ("answer: Where it hurts is Low back, right; "
                    "no answer: Where it hurts is Low back, left")
    assert "Answer(" not in " ".join(rules_table["when"][:40])


def test_catalogue_list_items_keep_their_brackets_whole():
    """'Foot tripod (heel, big toe, little toe)' is one cue, never three bullets."""
    for key, drill in catalogue().drills.items():
        for field in ("steps", "cues", "feel", "dont_feel"):
            for item in getattr(drill, field):
                assert item.count("(") == item.count(")"), (key, field, item)
    assert "Foot tripod (heel, big toe, little toe)" in catalogue().drills[
        "single_leg_hip_hinge"].feel


def test_a_side_goes_inside_the_brackets_a_label_already_has():
    assert one_bracket("A pinchy hip on one side (front of the hip) (right)") == \
        "A pinchy hip on one side (front of the hip, right)"
    assert one_bracket("Deep glute ache (left)") == "Deep glute ache (left)"
    result = screen({"age": 30, "movement": {"front_hip_pinch": "right"}})
    assert ") (right)" not in reasoning_words(reasoning_dot(result), clinician=False)


# -- not asked is not "no" (docs/design.md, Safety) ------------------------------------------------------
def test_a_safety_answer_never_asked_reads_not_asked_never_no():
    from hipscreen.result import Answer
    from hipscreen.words import answer_line_words, flag_answer_words, value_words

    assert value_words("safety.saddle_numbness", None) == "Not asked"
    assert value_words("safety.hip_surgery", None) == "Not asked"
    assert value_words("safety.saddle_numbness", False) == "No"
    assert answer_line_words("safety.not_asked = saddle_numbness") == (
        "Numbness around the genitals, back passage or inner thighs: Not asked")
    every = [Answer(field=f"safety.{name}", value=None) for name in Safety.model_fields]
    assert flag_answer_words(every) == ["No safety question was asked"]
    assert flag_answer_words([Answer(field="safety.saddle_numbness", value=True), every[1]]) == [
        "Numbness around the genitals, back passage or inner thighs: Yes",
        "Not asked: Numbness around the genitals, back passage or inner thighs"]


def test_text_markdown_and_note_say_the_safety_questions_were_not_asked():
    from hipscreen.render import clinician_note, to_markdown, to_text

    result = screen({"age": 40})
    for text in (to_text(result), to_markdown(result)):
        assert "The safety questions were not asked" in text
        assert "(self_care)" not in text
    note = clinician_note(result)
    assert "Red flags: NOT ASKED" in note and "not a negative screen" in note
    assert "Red flags negative" not in note and "Hip surgery: not asked." in note
    partly = clinician_note(screen({"age": 40, "safety": {"fever_or_unwell": None}}))
    assert "Red flags NOT ASKED (not negative): fever or systemically unwell." in partly
    assert "fever" not in partly.split("Red flags negative:")[1].split("\n")[0]
    asked = screen({"age": 40, "safety": {}})
    assert "not asked" not in to_text(asked).lower()
    assert "NOT ASKED" not in clinician_note(asked)


def test_tell_the_service_leaves_out_questions_never_asked():
    from hipscreen.words import tell_the_service

    lines = tell_the_service(screen({"age": 40, "safety": {"saddle_numbness": True,
                                                           "fever_or_unwell": None}}))
    assert "Not asked" not in " ".join(lines)
    assert "Numbness around the genitals" in " ".join(lines)
