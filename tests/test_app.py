"""The Streamlit app, page by page, with streamlit.testing.v1.AppTest (no browser, no server)."""

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from hipscreen.screening import screen

APP = Path(__file__).resolve().parents[1] / "app" / "main.py"
CASES = Path(__file__).resolve().parents[1] / "cases"
TIMEOUT = 30

RUNNER = {
    "age": 34, "activities": ["running"],
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "hinge_faults": ["back_rounds"]},
}


def app(page: str | None = None, result=None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if result is not None:
        at.session_state["result"] = result
        at.session_state["result_from"] = "self"
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, to search for words."""
    parts = [e.value for kind in ("markdown", "header", "subheader", "title", "caption",
                                  "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


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
    click(at, "next")
    assert headers(at) == ["About you"]
    at.multiselect(key="self:activities").set_value(["running"])
    click(at, "next")
    assert headers(at) == ["Your symptoms"]
    assert_every_widget_is_labelled(at)
    at.checkbox(key="self:loc:low_back_right").check().run()
    body_map = at.get("image")[0]
    assert body_map.captions == ["Body map: Low back, right"]  # the picture mirrors the boxes
    at.checkbox(key="self:symptoms.keeps_coming_back").check()
    at.checkbox(key="self:symptoms.stretching_only_temporary_relief").check()
    click(at, "next")
    # self-test 1: single-leg balance, with instructions
    assert "Stand near a wall" in texts(at)
    assert at.radio(key="self:movement.single_leg_balance_poor").value == "not_tested"
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
    assert "Cannot hold 30 s standing on that leg: Right" in review
    assert "Seated hip rotation" in review  # listed as not tested

    click(at, "submit")
    result = at.session_state["result"]
    assert result.intake.movement.pelvic_drop == "none"  # "none" stays an answer
    assert result.intake.movement.hip_ir_limited is None  # skipped stays "not tested"
    assert result.intake.movement.hinge_faults == ("back_rounds",)
    assert result.plan, "a self-screen with these answers must end in a plan"
    page = texts(at)
    assert "Triage level: SELF-CARE" in page
    assert {"What we found", "Your plan", "Tests you skipped", "See a clinician if...",
            "How we got here", "Downloads"} <= set(headers(at))
    for number, item in enumerate(result.plan, 1):
        assert any(s.value.startswith(f"{number}. {item.name}") for s in at.subheader)
    assert "Seated hip rotation" in page  # skipped test and what it would check
    assert at.get("graphviz_chart"), "the reasoning picture is drawn"
    assert any(e.label.startswith("Deficit:") for e in at.expander)
    assert {b.label for b in at.download_button} == {
        "Report (Markdown)", "Result (JSON)", "Intake as a case file (YAML)",
        "Clinician report (PDF)", "Plan for the person (PDF)"}
    assert_every_widget_is_labelled(at)


def test_an_emergency_answer_stops_at_once_with_the_action_and_no_drills():
    at = app()
    at.number_input(key="self:age").set_value(52).run()
    at.checkbox(key="self:safety.saddle_numbness").check().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Triage level: EMERGENCY" in errors  # the level in words, not only colour
    assert "emergency department" in errors.lower()
    assert "No exercises are given" in errors
    assert not has_button(at, "next"), "the screening must stop here"
    result = at.session_state["result"]
    assert result.triage.level == "emergency" and result.plan == []
    # the result page says the same and shows no drill card
    at.switch_page("pages/result.py").run()
    assert "Triage level: EMERGENCY" in texts(at)
    assert not [s for s in at.subheader if s.value[:1].isdigit()]
    # unticking a box ticked by mistake lets the person carry on
    at.switch_page("pages/self_screening.py").run()
    at.checkbox(key="self:safety.saddle_numbness").uncheck().run()
    assert has_button(at, "next")


def test_a_child_with_groin_pain_stops_at_the_symptoms_step():
    at = app()
    at.number_input(key="self:age").set_value(13).run()
    click(at, "next")
    click(at, "next")
    click(at, "next")
    at.checkbox(key="self:loc:groin_left").check().run()
    assert "Triage level: URGENT" in " ".join(e.value for e in at.error)
    assert not has_button(at, "next")


def test_start_again_clears_every_answer():
    at = app()
    at.number_input(key="self:age").set_value(40).run()
    click(at, "next")
    click(at, "restart")
    assert headers(at) == ["Safety first"]
    assert at.number_input(key="self:age").value is None
    answers = at.session_state["self_answers"]
    assert not any(answers.values()), answers  # only the empty defaults of step 1 again


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


def test_clinician_intake_shows_a_clear_message_next_to_a_half_given_angle():
    at = app("pages/clinician_intake.py")
    at.number_input(key="cl:age").set_value(45)
    at.number_input(key="cl:movement.hip_ir_degrees.left").set_value(22)
    at.button[-1].click().run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any("Right hip" in m or "both hips" in m for m in messages), messages
    assert "result" not in at.session_state


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
    assert result.why_not("hinge_pattern_deficit").summary in answer
    assert "Not tested (the test was skipped)" in answer or "Not met" in answer


def test_how_tree_shows_rule_text_and_source():
    result = screen(RUNNER)
    at = app("pages/result.py", result)
    labels = [e.label for e in at.expander]
    assert "Deficit: Hip stability" in labels
    assert "because of rule `evidence_combines_into_deficits`" in texts(at)


def test_drill_response_updates_the_plan():
    result = screen(RUNNER)
    assert "single_leg_hip_hinge" in result.drill_ids()
    at = app("pages/result.py", result)
    at.multiselect[0].set_value(["single_leg_hip_hinge"])  # low back pinch during
    at.button[-1].click().run()
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
    at = app("pages/case_lab.py")
    at.text_input(key="case_folder").set_value(str(case_folder)).run()
    assert not at.exception
    at.selectbox(key="case_pick").set_value("runner-right-shift").run()
    click(at, "run_case")
    assert any(s.value.startswith("**PASS: runner-right-shift**") for s in at.success)
    at.selectbox(key="case_pick").set_value("runner-wrong-triage").run()
    click(at, "run_case")
    assert any(e.value.startswith("**FAIL: runner-wrong-triage**") for e in at.error)
    diff = at.dataframe[0].value
    assert list(diff["field"]) == ["triage"]
    assert (diff["expected"][0], diff["actual"][0]) == ("clinician_review", "self_care")


def test_case_lab_runs_the_whole_suite_with_coverage(case_folder):
    at = app("pages/case_lab.py")
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
    errors = " ".join(e.value for e in at.error)
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
    assert pairs == {"--server.port": "9123"} | {f"--{k}": v for k, v in flat.items()}
