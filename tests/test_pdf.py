"""PDF reports (clinician, plan) made with Typst, and the reasoning picture as SVG."""

import io
import re
from pathlib import Path

import pypdf
import pytest

from hipscreen import picture
from hipscreen.cases import load_case
from hipscreen.cli import main, read_intake
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.pdf import ReportError, report_data, report_pdf
from hipscreen.result import Result
from hipscreen.screening import screen

ROOT = Path(__file__).resolve().parent.parent
FULL_INTAKE = ROOT / "tests" / "data" / "full_intake.yaml"
TEMPLATES = ROOT / "src" / "hipscreen" / "templates"
A4 = (595.28, 841.89)

HOSTILE = ('#panic("x") *bold* _em_ $x^2$ ] [ \\ <tag> @ref // not a comment /* nor this */ '
           "`raw` #{1 + 1} #set page(width: 1cm) = heading")
"""Typst markup, code and escapes that must print as the characters they are."""


def case_result(stem: str) -> Result:
    return screen(load_case(ROOT / "cases" / f"{stem}.yaml").intake)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (a line broken after a hyphen is joined again)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)
        text = re.sub(r"(?<=\w)-\s*\n\s*", "-", page.extract_text())
        out.append(" ".join(text.split()))
    return out


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return " ".join(pages_text(pdf))


# -- what each report holds --------------------------------------------------------------------
@pytest.mark.parametrize("stem", ["runner-right-shift", "lifter-worst-pain-8-review"])
def test_both_reports_hold_the_triage_in_words_and_every_planned_drill(stem):
    result = case_result(stem)
    assert result.plan, f"{stem} is meant to have a plan"
    for report in ("clinician", "plan"):
        text = pdf_text(report_pdf(result, report))
        assert result.triage.label in text and result.triage.action in text
        if result.triage.plan_note:
            assert result.triage.plan_note in text
        for item in result.plan:
            assert item.name in text, f"{report} report of {stem} lacks {item.name}"
        assert result.disclaimer in text


def test_the_disclaimer_is_on_every_page_of_a_long_report():
    result = screen(read_intake(str(FULL_INTAKE)))
    for report in ("clinician", "plan"):
        pages = pages_text(report_pdf(result, report))
        assert len(pages) > 1
        assert all(result.disclaimer in page for page in pages), report


def test_the_clinician_report_holds_answers_measurements_deficits_and_reasoning():
    result = screen(read_intake(str(FULL_INTAKE)))
    text = pdf_text(report_pdf(result, "clinician"))
    for words in ("41 years", "Female", "Golf, Lifting children", "Low back, left",
                  "Deep in the buttock, left", "6 out of 10", "14 weeks",
                  "left 22 degrees, right 38 degrees", "Saddle numbness",
                  "Limited hip internal rotation (left), weight 0.6",  # a deficit's reasoning
                  "The reasoning picture"):
        assert words in text
    for deficit in result.deficits:
        assert deficit.label in text and deficit.explanation in text
    for item in result.plan:
        assert item.dose.text in text
    for precaution in result.precautions:
        assert precaution.label in text


def test_the_clinician_report_lists_the_tests_not_done_and_the_red_flags():
    result = case_result("cauda-equina-saddle-numbness")
    assert result.skipped_tests and result.triage.red_flags
    text = pdf_text(report_pdf(result, "clinician"))
    for skipped in result.skipped_tests:
        assert skipped.label in text
    for flag in result.triage.red_flags:
        assert flag.label in text
    assert "No drills are given at this level." in text


def test_the_plan_report_holds_each_drill_card_and_the_safety_net():
    result = case_result("runner-right-shift")
    text = pdf_text(report_pdf(result, "plan"))
    for item in result.plan:
        for words in (item.dose.text, item.steps[0], item.cues[0], item.feel[0],
                      item.dont_feel[0], item.regression, item.progression):
            assert words in text, words
    for line in result.safety_net:
        assert line in text
    assert "You should NOT feel" in text and "Easier" in text and "Harder" in text


@pytest.mark.parametrize("stem", ["cauda-equina-saddle-numbness", "back-pain-with-fever"])
def test_a_stopping_result_s_plan_report_holds_only_the_action(stem):
    result = case_result(stem)
    assert result.triage.level in ("emergency", "urgent")
    text = pdf_text(report_pdf(result, "plan"))
    assert result.triage.label in text and result.triage.action in text
    assert "No drills are given at this level." in text
    for drill in catalogue().drills.values():
        assert drill.name.lower() not in text.lower()
    assert "Your drills" not in text and "See a clinician if" not in text


def test_a_stopping_plan_report_says_what_to_tell_the_service_with_the_answers_noticed():
    result = case_result("cauda-equina-saddle-numbness")
    text = pdf_text(report_pdf(result, "plan"))
    assert "What to tell them" in text
    assert f"I am {result.intake.age} years old" in text
    assert "What I noticed:" in text and "numb" in text.lower()
    assert "A screening aid (hipscreen) said:" in text


def test_a_self_care_plan_report_has_no_what_to_tell_them_section():
    text = pdf_text(report_pdf(case_result("runner-right-shift"), "plan"))
    assert "What to tell them" not in text


def test_a_result_screened_without_the_trace_still_makes_both_reports():
    result = screen(read_intake(str(FULL_INTAKE)), trace=False)
    text = pdf_text(report_pdf(result, "clinician"))
    assert result.triage.label in text and "The reasoning picture" not in text
    assert result.plan[0].name in pdf_text(report_pdf(result, "plan"))


# -- user text is never markup -------------------------------------------------------------------
def test_user_text_that_looks_like_typst_markup_prints_literally():
    result = case_result("runner-right-shift")
    hostile = result.model_copy(update={
        "triage": result.triage.model_copy(update={"action": HOSTILE}),
        "plan": [result.plan[0].model_copy(update={"name": f"Drill {HOSTILE}"}),
                 *result.plan[1:]]})
    for report in ("clinician", "plan"):
        text = pdf_text(report_pdf(hostile, report, person=HOSTILE))
        assert text.count(HOSTILE) >= 3, report  # the person label, the action, the drill name


def test_the_templates_read_data_only_as_json_and_never_evaluate_it():
    for template in TEMPLATES.glob("*.typ"):
        source = template.read_text(encoding="utf-8")
        assert "eval(" not in source and "label(" not in source, template.name
    data = report_data(case_result("runner-right-shift"), "plan", person=HOSTILE)
    assert data["person"] == HOSTILE  # handed over as the string itself, nothing escaped


def test_a_drill_picture_is_printed_on_its_card_when_the_knowledge_base_has_one(monkeypatch):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
           '<text x="4" y="24" font-size="14">PICTUREHOOK</text></svg>')
    monkeypatch.setattr("hipscreen.pdf.drill_picture", lambda drill: svg)
    text = pdf_text(report_pdf(case_result("runner-right-shift"), "plan"))
    assert "PICTUREHOOK" in text


# -- the command line ----------------------------------------------------------------------------
def test_cli_writes_the_plan_report(tmp_path, capsys):
    out = tmp_path / "plan.pdf"
    code = main(["screen", str(FULL_INTAKE), "--format", "pdf", "-o", str(out), "--report", "plan"])
    assert code == 0, capsys.readouterr().err
    assert "plan report" in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    for item in screen(read_intake(str(FULL_INTAKE))).plan:
        assert item.name in text


def test_cli_svg_is_the_reasoning_picture(tmp_path, capsys):
    result = screen(read_intake(str(FULL_INTAKE)))
    assert main(["screen", str(FULL_INTAKE), "--format", "svg"]) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "reasoning.svg"
    assert main(["screen", str(FULL_INTAKE), "--format", "svg", "-o", str(out)]) == 0
    written = out.read_text(encoding="utf-8")
    for svg in (printed, written):
        assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg
        assert "Glute bridge" in svg and "Hip stability" in svg
        assert result.plan[0].name in svg


def test_a_missing_graphviz_pure_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(picture.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = case_result("runner-right-shift")
    with pytest.raises(picture.PictureError, match="graphviz-pure"):
        picture.reasoning_svg(result)
    with pytest.raises(ReportError, match="graphviz-pure"):
        report_pdf(result, "clinician")
    assert pdf_text(report_pdf(result, "plan"))  # the plan report has no picture to draw


def test_dot_labels_cannot_break_out_of_their_quotes():
    dot_text = picture._dot_text('a "quoted" \\N label that is long enough to be wrapped "')
    assert re.fullmatch(r'(?:[^"\\]|\\.)*', dot_text), dot_text  # every quote and \ escaped
    assert "\\\\N" in dot_text
