"""The Streamlit app, page by page, with streamlit.testing.v1.AppTest (no browser, no server)."""

import re
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from hipscreen.explain import why_not
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.screening import screen

from .app_pages import APP, app, shown, texts

CASES = Path(__file__).resolve().parents[1] / "cases"

RUNNER = {
    "age": 34, "activities": ["running"], "safety": {},
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "hinge_faults": ["back_rounds"]},
}


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def image_alts(at: AppTest) -> list[str]:
    return [img.alt for element in at.get("image") for img in element.proto.imgs]


def html_bodies(at: AppTest) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def person_sentences(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown
            if m.value.startswith(("- We think", "- It is possible that"))]


def assert_every_widget_is_labelled(at: AppTest) -> None:
    for kind in ("button", "checkbox", "radio", "selectbox", "multiselect", "number_input",
                 "slider", "text_input", "download_button", "file_uploader"):
        for widget in getattr(at, kind, []):
            assert str(widget.label).strip(), f"{kind} {widget.key} has no label"


# -- self-screening ------------------------------------------------------------------------------
def test_full_self_screen_ends_in_a_plan_with_explanation_and_downloads():
    at = app()
    assert headers(at) == ["Safety first"]
    assert "screening aid, not a diagnosis" in texts(at)
    assert at.get("progress")  # progress is shown
    # the safety questions stay closed until the age is given
    assert at.checkbox(key="self:safety.saddle_numbness").disabled
    assert not has_button(at, "next"), "no way on before the age is given"
    at.number_input(key="self:age").set_value(34).run()
    assert not at.checkbox(key="self:safety.saddle_numbness").disabled
    assert_every_widget_is_labelled(at)
    click(at, "next")
    assert headers(at) == ["More health questions"]
    assert_every_widget_is_labelled(at)
    click(at, "next")
    assert headers(at) == ["About you"]
    at.checkbox(key="self:act:running").check()
    click(at, "next")
    assert headers(at) == ["Your symptoms"]
    assert_every_widget_is_labelled(at)
    at.checkbox(key="self:loc:low_back_right").check().run()
    body_map = at.get("image")[0]
    assert body_map.captions == ["Body map: Low back, right"]  # the picture mirrors the boxes
    at.checkbox(key="self:symptoms.keeps_coming_back").check()
    at.checkbox(key="self:symptoms.stretching_only_temporary_relief").check()
    at.number_input(key="self:symptoms.first_episode_age").set_value(28)
    click(at, "next")
    # self-test 1: single-leg balance, with instructions
    assert "Stand near a wall" in texts(at)
    assert at.radio(key="self:movement.single_leg_balance_poor").value == "not_tested"
    assert any("Stand near a wall" in a or "near a wall" in a for a in image_alts(at)), \
        "the self-test shows its picture with alt text"
    at.radio(key="self:movement.single_leg_balance_poor").set_value("right")
    at.radio(key="self:movement.pelvic_drop").set_value("none")
    click(at, "next")
    at.radio(key="self:movement.hip_shift").set_value("right")
    click(at, "next")
    at.radio(key="self:ui.hinge_tested").set_value(True).run()
    at.checkbox(key="self:hinge:back_rounds").check()
    click(at, "next")
    click(at, "skip")  # seated rotation
    click(at, "skip")  # knee to chest
    assert headers(at) == ["Check your answers"]
    review = texts(at)
    assert "Could not stand for 30 seconds on: My right leg" in review
    assert "Regular activities: Running" in review  # activities are checked too
    rotation = catalogue().movement_tests["hip_ir_limited"].label
    assert rotation in review  # listed as not tested

    assert "Back pain first started at the age of 28" in review

    click(at, "submit")
    result = at.session_state["result"]
    # every safety question was on a step the person reached: each is a yes or a no
    assert result.intake.safety_not_asked == ()
    assert result.intake.safety.psoriasis_history is False
    assert result.intake.safety.hip_surgery == "none"
    assert result.intake.symptoms.first_episode_age == 28
    assert result.intake.movement.pelvic_drop == "none"  # "none" stays an answer
    assert result.intake.movement.hip_ir_limited is None  # skipped stays "not tested"
    assert result.intake.movement.hinge_faults == ("back_rounds",)
    assert result.plan, "a self-screen with these answers must end in a plan"
    page = texts(at)
    assert "What to do: SELF-CARE" in page
    assert {"What we found", "Your plan", "Tests you skipped", "See a clinician if...",
            "How we got here", "Downloads"} <= set(headers(at))
    for number, item in enumerate(result.plan, 1):
        assert any(s.value.startswith(f"{number}. {item.name}") for s in at.subheader)
    assert rotation in page  # skipped test and what it would check
    # the reasoning picture at its own size, in a box that scrolls sideways on a phone
    assert any('class="hipscreen-reasoning"' in b and "data:image/svg+xml" in b
               for b in html_bodies(at)), "the reasoning picture is drawn"
    # the person reads plain sentences: no ids, field paths, numbers or percentages ...
    sentences = person_sentences(at)
    assert len(sentences) == len(result.deficits)
    assert any(s.startswith("- We think your right hip") for s in sentences), sentences
    for sentence in sentences:
        assert not re.search(r"[0-9%_=]|certainty|deficit", sentence), sentence
    # ... and the full reasoning (rule ids, weights) waits in one expander
    assert "The full reasoning, for a clinician: rules, ids and weights" in [
        e.label for e in at.expander]
    assert "because of rule `evidence_combines_into_deficits`" in texts(at)
    # every drill card shows its picture, with its words as alt text
    alts = image_alts(at)
    for item in result.plan:
        drill = catalogue().drills[item.drill]
        assert drill.picture_alt in alts, item.drill
    # the person downloads their plan; the files for records are in the clinician's view
    assert {b.label for b in at.download_button} == {"Your plan (PDF)"}
    # "see a clinician if..." comes before the plan, and every section is one tap away
    assert headers(at).index("See a clinician if...") < headers(at).index("Your plan")
    assert any(m.value.startswith("**On this page:**") and "(#safety-net)" in m.value
               for m in at.markdown)
    assert_every_widget_is_labelled(at)


def test_an_emergency_answer_stops_at_once_with_the_action_and_no_drills():
    at = app()
    at.number_input(key="self:age").set_value(52).run()
    at.checkbox(key="self:safety.saddle_numbness").check().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "What to do: EMERGENCY" in errors  # the level in words, not only colour
    assert "emergency department" in errors.lower()
    assert "No drills are given" in errors
    assert not has_button(at, "next"), "the screening must stop here"
    result = at.session_state["result"]
    assert result.triage.level == "emergency" and result.plan == []
    assert "What to tell them" in [s.value for s in at.subheader]
    assert "Saddle" in texts(at) or "genitals" in texts(at)  # the answer, in words, to tell
    # the result page says the same and shows only what matters: no drill card, no skipped
    # tests, no drill safety-net lines
    at.switch_page("pages/result.py").run()
    assert "What to do: EMERGENCY" in texts(at)
    assert not [s for s in at.subheader if s.value[:1].isdigit()]
    assert "What to tell them" in headers(at)  # an h2 under the page's h1, not an h3
    assert not {"Tests you skipped", "See a clinician if...", "Your plan",
                "How we got here"} & set(headers(at))
    # act first: nothing to save or score, and only the person's own PDF to download
    assert "Save on this computer" not in headers(at)
    assert [b.label for b in at.download_button] == ["What to do now (PDF)"]
    # unticking a box ticked by mistake lets the person carry on
    at.switch_page("pages/self_screening.py").run()
    at.checkbox(key="self:safety.saddle_numbness").uncheck().run()
    assert has_button(at, "next")


NEW_FIRST_STEP_QUESTIONS = ("both_legs_pain_or_tingling", "sexual_function_change",
                            "sudden_severe_pain", "faint_clammy_or_collapsed",
                            "recent_fall_or_injury", "new_limp")
NEW_HEALTH_QUESTIONS = ("recent_infection", "wakes_second_half_of_night", "better_with_movement",
                        "better_with_anti_inflammatories", "family_spondyloarthritis",
                        "arthritis_history", "enthesitis_history", "psoriasis_history")


def checkbox_labels(at: AppTest) -> dict[str, str]:
    return {c.key: c.label for c in at.checkbox}


def test_the_new_safety_questions_are_asked_in_plain_words_on_the_right_steps():
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    first = checkbox_labels(at)
    for name in NEW_FIRST_STEP_QUESTIONS:
        assert f"self:safety.{name}" in first, name
    assert "Feeling faint, cold and sweaty (clammy), or you passed out" in first.values()
    assert {"Bladder, bowel, sex and both legs", "Falls and walking",
            "Heat, fever and sudden pain"} <= {m.value.strip("*") for m in at.markdown}
    for name in NEW_HEALTH_QUESTIONS:
        assert f"self:safety.{name}" not in first, name
    click(at, "next")
    health = checkbox_labels(at)
    for name in NEW_HEALTH_QUESTIONS:
        assert f"self:safety.{name}" in health, name
    help_texts = {c.key: c.help for c in at.checkbox}
    assert "stiff" in help_texts["self:safety.family_spondyloarthritis"]
    click(at, "next")
    click(at, "next")
    assert headers(at) == ["Your symptoms"]
    places = checkbox_labels(at)
    for place in ("thigh_front_left", "thigh_front_right", "knee_left", "knee_right", "belly"):
        assert f"self:loc:{place}" in places, place
        assert "_" not in places[f"self:loc:{place}"]
    age_first = at.number_input(key="self:symptoms.first_episode_age")
    assert age_first.value is None  # optional: left empty is "not asked"
    assert age_first.label.startswith("How old were you when back pain first started?")
    at.checkbox(key="self:loc:knee_right").check().run()
    assert at.get("image")[0].captions == ["Body map: Knee, right"]


def test_sudden_severe_pain_and_feeling_faint_mean_call_an_ambulance_at_once():
    at = app()
    at.number_input(key="self:age").set_value(58).run()
    at.checkbox(key="self:safety.sudden_severe_pain").check()
    at.checkbox(key="self:safety.faint_clammy_or_collapsed").check().run()
    errors = " ".join(e.value for e in at.error)
    assert "What to do: EMERGENCY" in errors and "Call an ambulance" in errors
    assert not has_button(at, "next")


def test_a_red_flag_wins_over_a_contradictory_pain_answer():
    """(a) Worst pain this week below the pain now (an error) and saddle numbness ticked: the
    stop appears at once with the emergency action, and the pain error is still shown."""
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    for _ in range(3):
        click(at, "next")
    assert headers(at) == ["Your symptoms"]
    at.slider(key="self:symptoms.pain_now").set_value(7)
    at.slider(key="self:symptoms.pain_worst_week").set_value(3).run()
    # the contradiction is shown next to the pain question, and it does not stop anything
    assert any("Worst pain in the last week" in e.value for e in at.error)
    for _ in range(3):
        click(at, "back")
    assert headers(at) == ["Safety first"]
    at.checkbox(key="self:safety.saddle_numbness").check().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "What to do: EMERGENCY" in errors
    assert "emergency department" in errors.lower()
    assert not has_button(at, "next"), "the screening must stop here"
    assert not at.toast, "no toast over the stop: the banner itself is read out (role alert)"
    assert "What to tell them" in [s.value for s in at.subheader]
    others = " ".join(w.value for w in at.warning)
    assert "Some other answers need fixing" in others
    assert "Worst pain in the last week" in others  # the other error, still shown
    result = at.session_state["result"]
    assert result.triage.level == "emergency" and result.plan == []
    assert "cauda_equina" in [f.id for f in result.triage.red_flags]


def test_questions_on_steps_never_reached_are_not_asked_never_no():
    """(b) A person who stops at step 1 never saw the later questions: they are None (not
    asked) in the intake the app builds, and so in the result; the ones on step 1 left unticked
    are no."""
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    at.checkbox(key="self:safety.hot_swollen_hip").check().run()
    assert not has_button(at, "next")
    safety = at.session_state["result"].intake.safety
    assert safety.hot_swollen_hip is True
    assert safety.bladder_or_bowel_change is False  # seen and left unticked: no
    assert safety.new_limp is False
    assert safety.osteoporosis_or_steroids is False  # on step 1: it can turn urgent into emergency
    assert safety.hip_surgery == "none"  # on step 1 too (a fever after hip surgery)
    for name in ("cancer_history", "pregnant", "recent_infection", "psoriasis_history",
                 "wakes_second_half_of_night"):
        assert getattr(safety, name) is None, name  # on "More health questions": not asked
    assert set(at.session_state["result"].intake.safety_not_asked) >= {
        "cancer_history", "family_spondyloarthritis"}
    assert at.session_state["self_reached"] == ["safety"]


def test_a_step_reached_turns_its_unticked_questions_into_no():
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    click(at, "next")
    click(at, "back")  # the health step was seen: its questions are asked now
    at.checkbox(key="self:safety.fever_or_unwell").check().run()
    safety = at.session_state["result"].intake.safety
    assert safety.cancer_history is False and safety.hip_surgery == "none"
    assert at.session_state["result"].intake.safety_not_asked == ()


def test_a_first_episode_after_the_age_now_is_shown_next_to_the_question():
    at = app()
    at.number_input(key="self:age").set_value(30).run()
    for _ in range(3):
        click(at, "next")
    at.number_input(key="self:symptoms.first_episode_age").set_value(45).run()
    assert any("age now" in e.value for e in at.error)


def test_a_child_with_groin_pain_stops_at_the_symptoms_step():
    at = app()
    at.number_input(key="self:age").set_value(13).run()
    click(at, "next")
    click(at, "next")
    click(at, "next")
    at.checkbox(key="self:loc:groin_left").check().run()
    assert "What to do: URGENT" in " ".join(e.value for e in at.error)
    assert not has_button(at, "next")


def test_start_again_clears_every_answer():
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    click(at, "next")
    click(at, "restart")
    assert headers(at) == ["Safety first"]
    assert at.number_input(key="self:age").value is None
    answers = at.session_state["self_answers"]
    # only the empty defaults of step 1 again
    assert not any(v not in (None, False, "none") for v in answers.values()), answers


def test_each_step_opens_at_its_heading_with_the_focus_on_it():
    """In the browser a small script scrolls the new step's heading to the top and focuses it
    (tests/test_browser.py checks it there); here: every step carries it, with its own title."""
    at = app()
    at.number_input(key="self:age").set_value(34).run()
    for title in ("More health questions", "About you", "Your symptoms"):
        click(at, "next")
        scripts = [b for b in html_bodies(at) if "heading.focus" in b]
        assert len(scripts) == 1 and f'"{title}"' in scripts[0], title


def test_a_stop_is_shown_at_the_top_read_out_and_where_next_was():
    at = app()
    at.number_input(key="self:age").set_value(52).run()
    at.checkbox(key="self:safety.sudden_severe_pain").check().run()  # at 50 or over: urgent
    assert "What to do: URGENT" in " ".join(e.value for e in at.error)
    assert any("st-key-stop_banner" in b and "scrollIntoView" in b and "alert = true" in b
               for b in html_bodies(at))
    repeat = [e.value for e in at.error if e.value.startswith("**The screening has stopped")]
    assert repeat and not has_button(at, "next")
    at.checkbox(key="self:safety.sudden_severe_pain").uncheck().run()
    assert has_button(at, "next") and not [e for e in at.error if "stopped" in e.value]


def test_about_you_offers_sex_once_and_activities_as_tick_boxes():
    at = app()
    at.number_input(key="self:age").set_value(34).run()
    click(at, "next")
    click(at, "next")
    sex = at.radio(key="self:sex")
    assert sex.value is None and None not in sex.options
    assert sorted(sex.options) == ["Female", "Male", "Other", "Prefer not to say"]
    # one tick box per activity: a tap each on a phone, no drop-down list over the buttons
    labels = checkbox_labels(at)
    assert labels["self:act:lifting"] == "Weight training (lifting)"
    assert not at.multiselect


# -- clinician intake ----------------------------------------------------------------------------
def test_clinician_intake_with_degrees_shows_triage_at_a_glance():
    at = app("pages/clinician_intake.py")
    assert len(at.form) == 1
    assert_every_widget_is_labelled(at)
    at.number_input(key="cl:age").set_value(45)
    at.number_input(key="cl:movement.hip_ir_degrees.left").set_value(22)
    at.number_input(key="cl:movement.hip_ir_degrees.right").set_value(38)
    at.selectbox(key="cl:movement.hip_shift").set_value("left")
    at.multiselect(key="cl:symptoms.worse_with").set_value(["after_leg_day"])
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    result = at.session_state["result"]
    assert result.intake.mode == "clinician"
    assert (result.intake.movement.hip_ir_degrees.left,
            result.intake.movement.hip_ir_degrees.right) == (22, 38)
    assert result.intake.movement.knee_collapse is None  # left at "not tested"
    assert "limited_ir_suggests_poor_ir_control" in result.rules_fired
    glance = texts(at)
    assert "Triage level: SELF-CARE" in glance
    assert "Hip internal-rotation control (left" in glance


def test_clinician_result_has_a_note_to_paste_in_clinician_words():
    at = app("pages/clinician_intake.py")
    at.number_input(key="cl:age").set_value(45)
    at.selectbox(key="cl:sex").set_value("female")
    at.multiselect(key="cl:activities").set_value(["running", "golf"])
    at.multiselect(key="cl:symptoms.locations").set_value(["low_back_left", "si_left"])
    at.multiselect(key="cl:symptoms.worse_with").set_value(["after_leg_day"])
    at.number_input(key="cl:movement.hip_ir_degrees.left").set_value(22)
    at.number_input(key="cl:movement.hip_ir_degrees.right").set_value(38)
    at.selectbox(key="cl:movement.hip_shift").set_value("left")
    at.checkbox(key="cl:ui.hinge_tested").check()
    at.multiselect(key="cl:movement.hinge_faults").set_value(["back_rounds"])
    at.button(key="FormSubmitter:clinician_intake-Screen this intake").click().run()
    at.switch_page("pages/result.py").run()
    assert not at.exception
    assert "Note for the record" in headers(at)
    (note,) = [c.value for c in at.code]
    for words in ("45 y, female", "running, golf", "Low back L", "SI joint L",
                  "after lower-limb training", "Hip IR: 22 deg L / 38 deg R",
                  "Lateral hip shift (squat or hinge): L", "Hip hinge: Lumbar flexion",
                  "Red flags positive: none", "Red flags negative: bladder or bowel change",
                  "Triage: SELF-CARE", "Hip internal-rotation control L: likely (CF",
                  "Plan:", "Not tested:"):
        assert words in note, words
    page = texts(at)
    for person_words in ("from your answer", "- your answer", "Your answers", "Your plan"):
        assert person_words not in page, person_words
    assert "Your plan" not in headers(at)
    assert "certainty factor" in page  # numbers for the clinician, never percentages
    assert not re.search(r"\d%", page)


def test_clinician_intake_shows_a_clear_message_next_to_a_half_given_angle():
    at = app("pages/clinician_intake.py")
    at.number_input(key="cl:age").set_value(45)
    at.number_input(key="cl:movement.hip_ir_degrees.left").set_value(22)
    at.button[-1].click().run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any("Right hip" in m or "both hips" in m for m in messages), messages
    assert "result" not in at.session_state


def test_clinician_red_flag_with_a_field_error_shows_the_triage_and_the_errors():
    """(c) A red flag and a field error on the clinician form: the triage banner AND the field
    errors, each next to its field."""
    at = app("pages/clinician_intake.py")
    at.number_input(key="cl:age").set_value(45)
    at.checkbox(key="cl:safety.sexual_function_change").check()
    at.number_input(key="cl:symptoms.pain_now").set_value(8)
    at.number_input(key="cl:symptoms.pain_worst_week").set_value(4)
    at.number_input(key="cl:movement.hip_ir_degrees.left").set_value(22)
    at.button[-1].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Triage level: EMERGENCY" in m for m in errors), errors
    assert errors[0].startswith("**Triage level: EMERGENCY"), "the red flag comes first"
    assert any(m.startswith("Worst pain in the last week:") for m in errors), errors
    assert any("both hips" in m for m in errors), errors
    assert any("Some answers need fixing" in m and "Right hip IR (degrees)" in m
               for m in errors), errors
    assert "Possible pressure on the nerves" in texts(at)  # why, from the answer
    assert "result" not in at.session_state, "no full result from a form with errors"
    # fixed: the full result, and the errors are gone
    at.number_input(key="cl:symptoms.pain_worst_week").set_value(9)
    at.number_input(key="cl:movement.hip_ir_degrees.right").set_value(38)
    at.button[-1].click().run()
    assert at.session_state["result"].triage.level == "emergency"
    assert not [e for e in at.error if "need fixing" in e.value]


def test_the_clinician_form_asks_every_safety_question_and_the_first_episode_age():
    from hipscreen.knowledge.intake import Safety

    at = app("pages/clinician_intake.py")
    keys = {c.key for c in at.checkbox}
    for name in Safety.model_fields:
        if name != "hip_surgery":
            assert f"cl:safety.{name}" in keys, name
    at.number_input(key="cl:age").set_value(60)
    at.number_input(key="cl:symptoms.first_episode_age").set_value(58)
    at.multiselect(key="cl:symptoms.locations").set_value(["belly", "thigh_front_left"])
    at.button[-1].click().run()
    result = at.session_state["result"]
    assert result.intake.symptoms.first_episode_age == 58
    assert result.intake.safety_not_asked == ()
    assert "first_episode_older" in [f.id for f in result.triage.red_flags]


def test_clinician_red_flag_reaches_emergency_with_no_plan():
    at = app("pages/clinician_intake.py")
    at.number_input(key="cl:age").set_value(70)
    at.checkbox(key="cl:safety.cannot_bear_weight").check()
    at.checkbox(key="cl:safety.significant_trauma").check()
    at.selectbox(key="cl:movement.hip_shift").set_value("left")
    at.button[-1].click().run()
    assert "Triage level: EMERGENCY" in texts(at)
    assert at.session_state["result"].plan == []


# -- result page ---------------------------------------------------------------------------------
def test_result_page_without_a_result_points_to_the_screenings():
    at = app("pages/result.py")
    assert "no result yet" in texts(at).lower()
    assert not at.download_button


def test_why_not_picker_explains_a_deficit_that_was_not_concluded():
    result = screen({"age": 40, "movement": {"hip_shift": "left"}})
    assert "hinge_pattern_deficit" not in result.deficit_ids()
    at = app("pages/result.py", result)
    at.selectbox(key="why_not_pick").set_value("hinge_pattern_deficit").run()
    assert not at.exception
    answer = texts(at)
    assert why_not(result, "hinge_pattern_deficit").summary in answer
    assert "Not tested (the test was skipped)" in answer or "Not met" in answer


def test_how_tree_shows_rule_text_and_source():
    result = screen(RUNNER)
    at = app("pages/result.py", result, result_from="clinician")
    labels = [e.label for e in at.expander]
    assert "Deficit: Hip stability" in labels
    assert "because of rule `evidence_combines_into_deficits`" in texts(at)


def test_drill_response_updates_the_plan():
    result = screen(RUNNER)
    assert "single_leg_hip_hinge" in result.drill_ids()
    at = app("pages/result.py", result)
    at.checkbox(key="response_pinch:single_leg_hip_hinge").check()
    at.button(key="response_update").click().run()
    new = at.session_state["result"]
    assert new.intake.drill_response.low_back_pinch == ("single_leg_hip_hinge",)
    assert "single_leg_hip_hinge" not in new.drill_ids()  # regressed


# -- case lab ------------------------------------------------------------------------------------
@pytest.fixture
def case_folder(tmp_path):
    """One case that passes and one that fails (its expectation is wrong on purpose)."""
    good = yaml.safe_load((CASES / "runner-right-shift.yaml").read_text(encoding="utf-8"))
    (tmp_path / "runner-right-shift.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    bad = dict(good, id="runner-wrong-triage",
               expect={**good["expect"], "triage": "clinician_review"})
    (tmp_path / "runner-wrong-triage.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    return tmp_path


def test_case_lab_runs_one_passing_and_one_failing_case(case_folder):
    at = app("pages/case_lab.py", signed_in=True)
    at.text_input(key="case_folder").set_value(str(case_folder)).run()
    assert not at.exception
    at.selectbox(key="case_pick").set_value("runner-right-shift").run()
    click(at, "run_case")
    assert any(shown(s.value).startswith("**PASS: runner-right-shift**") for s in at.success)
    at.selectbox(key="case_pick").set_value("runner-wrong-triage").run()
    click(at, "run_case")
    assert any(shown(e.value).startswith("**FAIL: runner-wrong-triage**") for e in at.error)
    diff = at.dataframe[0].value
    assert list(diff["field"]) == ["triage"]
    assert (diff["expected"][0], diff["actual"][0]) == ("clinician_review", "self_care")


def test_case_lab_runs_the_whole_suite_with_coverage(case_folder):
    at = app("pages/case_lab.py", signed_in=True)
    at.text_input(key="case_folder").set_value(str(case_folder)).run()
    click(at, "run_suite")
    table = at.dataframe[0].value
    assert dict(zip(table["case"], table["result"], strict=True)) == {
        "runner-right-shift": "pass", "runner-wrong-triage": "fail"}
    coverage = at.dataframe[1].value
    assert {"rule", "stage", "cases"} <= set(coverage.columns)
    assert "Some cases fail." in texts(at)
    assert "Rules no case fires" in texts(at)


def test_case_lab_reports_an_uploaded_invalid_file_by_field(case_folder):
    at = app("pages/case_lab.py")
    at.radio(key="case_source").set_value("Upload a case file").run()
    text = (case_folder / "runner-right-shift.yaml").read_text(encoding="utf-8")
    at.file_uploader(key="case_upload").upload(
        "runner-right-shift.yaml", text.replace("triage:", "triage_lvl:").encode()).run()
    click(at, "run_upload")
    errors = shown(" ".join(e.value for e in at.error))
    assert "INVALID FILE" in errors
    assert "expect.triage_lvl" in errors


# -- knowledge -----------------------------------------------------------------------------------
def test_knowledge_browser_lists_and_searches_everything():
    at = app("pages/knowledge.py")
    assert_every_widget_is_labelled(at)
    names = [t.label for t in at.tabs]
    for name in ("Rules", "Findings", "Deficits", "Drills", "Red flags"):
        assert any(label.startswith(name + " (") for label in names), names
    all_rules = len(at.dataframe[0].value)
    at.text_input(key="knowledge_query").set_value("cauda equina").run()
    rules = at.dataframe[0].value
    assert 0 < len(rules) < all_rules
    assert all("cauda" in " ".join(map(str, row)).lower()
               for row in rules.itertuples(index=False))


# -- the launcher and the privacy settings ---------------------------------------------------
def test_app_subcommand_is_registered_with_a_port_option():
    from hipscreen.cli import build_parser

    args = build_parser().parse_args(["app", "--port", "9123"])
    assert args.func.__name__ == "_app" and args.port == 9123
    assert build_parser().parse_args(["app"]).port == 8501
    with pytest.raises(SystemExit):
        build_parser().parse_args(["app", "--port", "70000"])


def test_launcher_passes_every_privacy_setting_of_the_config_file():
    """`hipscreen app` may start anywhere, so the command line must carry what
    .streamlit/config.toml says (localhost only, no usage statistics, no error details)."""
    import tomllib

    from hipscreen.app import launch

    config = tomllib.loads((APP.parents[1] / ".streamlit" / "config.toml").read_text())
    flat = {f"{section}.{key}": str(value).lower() if isinstance(value, bool) else str(value)
            for section, options in config.items() for key, value in options.items()}
    assert flat == launch.PRIVACY_OPTIONS
    assert flat["server.address"] == "127.0.0.1"
    assert flat["browser.gatherUsageStats"] == "false"
    assert flat["client.showErrorDetails"] == "none"
    command = launch.streamlit_command(9123)
    assert command[1:4] == ["-m", "streamlit", "run"] and Path(command[4]) == APP
    pairs = dict(zip(command[5::2], command[6::2], strict=True))
    assert pairs == ({"--server.port": "9123"} | {f"--{k}": v for k, v in flat.items()}
                     | {"--logger.hideWelcomeMessage": "true"})


def test_an_urgent_stop_on_step_one_never_hides_an_emergency_of_a_later_step():
    """Every safety question that can turn a step-1 urgent answer into an emergency is asked on
    step 1 too: fever + hip surgery (infection), cannot bear weight + thin bones (fracture)."""
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    at.checkbox(key="self:safety.cannot_bear_weight").check().run()
    at.checkbox(key="self:safety.osteoporosis_or_steroids").check().run()
    assert at.session_state["result"].triage.level == "emergency"
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    at.checkbox(key="self:safety.fever_or_unwell").check().run()
    at.radio(key="self:safety.hip_surgery").set_value("over_12_weeks").run()
    assert at.session_state["result"].triage.level == "emergency"


@pytest.mark.parametrize("age", [10, 40, 70])
def test_no_question_of_a_later_step_can_turn_a_step_one_stop_into_an_emergency(age):
    """By enumeration: for every step-1 answer that stops the screen (urgent) and every yes/no
    question of the "More health questions" step, the two together are never an emergency
    that the person would not be told because the screen stopped at step 1."""
    from hipscreen.app.questions import EMERGENCY_QUESTIONS, HEALTH_QUESTIONS

    base = {"age": age, "safety": {}, "symptoms": {"keeps_coming_back": True}}
    missed = []
    for first in EMERGENCY_QUESTIONS:
        alone = screen({**base, "safety": {first: True}}).triage.level
        if alone != "urgent":
            continue
        for later in HEALTH_QUESTIONS:
            both = screen({**base, "safety": {first: True, later: True}}).triage.level
            if both == "emergency":
                missed.append((first, later))
    assert missed == []
