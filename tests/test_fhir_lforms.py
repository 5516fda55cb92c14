"""A real FHIR renderer runs hipscreen's Questionnaire (issue 19, item 7): the NLM's LHC-Forms
(npm `lforms`, pinned in tests/lforms/package.json) renders it in the system Chromium, the test
fills it in as a person would (clicks, typing, picking from the lists) for a self-screen, a
red-flag stop and a clinician intake, exports the QuestionnaireResponse with LHC-Forms' own
export, and screens it: the intake and the result equal the YAML route's.

Needs /usr/bin/chromium and `npm ci --legacy-peer-deps --ignore-scripts` in tests/lforms
(.ci/run does both); skipped, saying which is missing, otherwise."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hipscreen.cli import main
from hipscreen.fhir import (
    bundle_dict,
    checkin_from_response,
    checkin_questionnaire_json,
    intake_from_response,
    questionnaire_json,
)
from hipscreen.knowledge.checkin import CheckIn
from hipscreen.knowledge.intake import Intake
from hipscreen.screening import screen

HERE = Path(__file__).resolve().parent / "lforms"
LFORMS = HERE / "node_modules" / "lforms" / "dist" / "lforms"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LHC_RELEASE = {"R4B": "R4", "R5": "R5"}
"""The FHIR version LHC-Forms is told: its R4 support reads and writes the R4B Questionnaire
(the two releases do not differ for Questionnaire and QuestionnaireResponse)."""


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return ("needs the system browser /usr/bin/chromium (Debian package 'chromium'); the "
                "test never downloads one")
    if not (LFORMS / "webcomponent" / "main.js").is_file():
        return ("needs LHC-Forms from npm: run `npm ci --legacy-peer-deps --ignore-scripts` in "
                "tests/lforms (Debian packages nodejs and npm; .ci/run does it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright for Python (the dev dependency group)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


# -- the personas: what a person fills in, and the same answers as YAML -------------------------
NO_RED_FLAG: dict[str, Any] = {}  # the YAML route's "asked, nothing ticked"
SELF_SCREEN = {
    "mode": "self", "age": 34, "sex": "male", "activities": ["running", "lifting"],
    "safety": NO_RED_FLAG,
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "hinge_faults": [], "single_leg_balance_poor": "none"},
    "drill_response": {"low_back_pinch": ["single_leg_hip_hinge"]},
}
RED_FLAG_STOP = {
    "age": 45, "sex": "female", "safety": {"saddle_numbness": True},
    "symptoms": {"pain_now": 6, "pain_worst_week": 7, "locations": ["low_back_central"]},
}
CLINICIAN_INTAKE = {
    "mode": "clinician", "age": 52, "sex": "female", "activities": ["golf"],
    "safety": NO_RED_FLAG,
    "symptoms": {"pain_now": 2, "pain_worst_week": 4, "weeks": 20, "keeps_coming_back": True,
                 "locations": ["low_back_left"], "worse_with": ["rotation", "getting_out_of_car"]},
    "movement": {"hip_ir_degrees": {"left": 18, "right": 35}, "knee_collapse": "left",
                 "hinge_faults": ["back_rounds", "shifts_to_one_side"]},
}
PERSONAS = {"self-screen": SELF_SCREEN, "red-flag-stop": RED_FLAG_STOP,
            "clinician-intake": CLINICIAN_INTAKE}
CHECKIN = {"safety": NO_RED_FLAG, "pain_now": 1, "pain_worst_week": 3, "psfs": {"running 5 km": 6},
           "drills": {"glute_bridge": {"sessions": 8, "pain_during": 1,
                                       "settled_next_morning": True, "felt": ["hamstring_cramp"]}}}


# -- the page -------------------------------------------------------------------------------
class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    """tests/lforms over HTTP on a free localhost port (LHC-Forms loads its parts by URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=HERE))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(request, tmp_path) -> Path:
    base = os.environ.get("HIPSCREEN_SCREENSHOTS")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = Path(base) / name if base else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def rendered(browser, site: str, questionnaire: dict[str, Any], release: str, shots: Path,
             first: str = "age/1"):
    """A page with `questionnaire` rendered by LHC-Forms; failure.png on a failure."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(site)
        page.wait_for_function("!!(window.LForms && LForms.Util && LForms.Util.addFormToPage)")
        page.evaluate("([q, v]) => LForms.Util.addFormToPage(q, 'form', {fhirVersion: v})",
                      [questionnaire, LHC_RELEASE[release]])
        page.locator(f'[id="{first}"]').wait_for(timeout=20_000)
        yield page
        assert errors == [], errors
    except BaseException:
        page.screenshot(path=str(shots / "failure.png"), full_page=True)
        raise
    finally:
        page.close()


class Filler:
    """Fills the rendered form as a person would, from an intake's answers (the YAML route's
    dict): clicks Yes or No, types numbers, picks choices from LHC-Forms' lists by the words
    shown. Red-flag questions not in the persona's `safety` are answered No (as `safety: {}`
    means), except those the form does not show."""

    def __init__(self, page, questionnaire: dict[str, Any]) -> None:
        self.page = page
        self.items: dict[str, tuple[dict[str, Any], int]] = {}
        self._index(questionnaire["item"], 1)

    def _index(self, items: list[dict[str, Any]], depth: int) -> None:
        for item in items:
            self.items[item["linkId"]] = (item, depth)
            self._index(item.get("item", []), depth + 1)

    def element_id(self, link_id: str) -> str:
        return link_id + "/1" * self.items[link_id][1]

    def shown(self, link_id: str) -> bool:
        return self.page.locator(f'[id="item-{self.element_id(link_id)}"]').count() > 0

    def display(self, link_id: str, code: str) -> str:
        item = self.items[link_id][0]
        return next(o["valueCoding"]["display"] for o in item["answerOption"]
                    if o["valueCoding"]["code"] == code)

    def yes_no(self, link_id: str, value: bool) -> None:
        self.page.locator(f'[id="{self.element_id(link_id)}|{str(value).lower()}"]').click()

    def number(self, link_id: str, value: int | str) -> None:
        box = self.page.locator(f'[id="{self.element_id(link_id)}"]')
        box.fill(str(value))
        box.press("Tab")

    text = number

    def choose(self, link_id: str, code: str) -> None:
        words = self.display(link_id, code)
        self.page.locator(f'[id="{self.element_id(link_id)}"]').click()
        choices = self.page.locator("#lhc-tools-searchResults li")
        choices.first.wait_for()
        choices.filter(has_text=re.compile(r"^(\d+:\s*)?" + re.escape(words) + "$")).first.click()
        self.page.keyboard.press("Escape")

    def fill(self, answers: dict[str, Any], prefix: str = "") -> None:
        for link_id, (item, _) in self.items.items():
            if "." in link_id[len(prefix):] or not link_id.startswith(prefix):
                continue
            key = link_id[len(prefix):]
            if key == "psfs" and answers.get(key):  # the first activity named (one here)
                ((name, score),) = answers[key].items()
                self.fill({"activity": name, "score": score}, f"{link_id}.")
                continue
            if item["type"] == "group":
                if key in answers:
                    self.fill(answers[key], f"{link_id}.")
                continue
            if item["type"] == "display":
                continue
            if key == "tried_plan" and answers.get("drill_response") or key == "tried":
                self.yes_no(link_id, True)  # the gate that opens the follow-up, or a drill's
                continue
            value = answers.get(key)
            if value is None and prefix == "safety." and self.shown(link_id):
                value = False if item["type"] == "boolean" else "none"  # safety: {} = all no
            if value is None:
                continue
            if item["type"] == "boolean":
                self.yes_no(link_id, value)
            elif item["type"] == "integer":
                self.number(link_id, value)
            elif item["type"] == "string":
                self.text(link_id, value)
            elif isinstance(value, list):
                for code in value or ["none"]:
                    self.choose(link_id, code)
            else:
                self.choose(link_id, value)


def _answer_count(response: dict[str, Any]) -> int:
    def count(items: list[dict[str, Any]]) -> int:
        return sum(len(i.get("answer", [])) + count(i.get("item", [])) for i in items)
    return count(response.get("item", []))


# -- the tests ------------------------------------------------------------------------------
@pytest.mark.parametrize("release", ["R4B", "R5"])
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_lhc_forms_fills_the_questionnaire_and_it_screens_like_yaml(
        browser, site, shots, persona, release, tmp_path, capsys):
    answers = PERSONAS[persona]
    quest = json.loads(questionnaire_json(release))
    with rendered(browser, site, quest, release, shots) as page:
        form = Filler(page, quest)
        # the form behaves: clinician measurements only for a clinician, pregnancy not for a man
        assert form.shown("movement.hip_ir_degrees.left") is False  # "Filled in by" starts: self
        assert form.shown("movement.hip_shift.how-to")  # the self-tests' instructions
        form.fill(answers)
        clinician = answers.get("mode") == "clinician"
        assert form.shown("movement.hip_ir_degrees.left") is clinician
        assert form.shown("safety.pregnant") is (answers["sex"] != "male")
        assert form.shown("movement.hip_shift.how-to") is not clinician
        page.screenshot(path=str(shots / "filled.png"), full_page=True)
        # nothing the person could not answer blocks the form
        assert page.evaluate("LForms.Util.checkValidity(document.getElementById('form'))") in (
            None, [])
        received = page.evaluate(
            "v => LForms.Util.getFormFHIRData('QuestionnaireResponse', v, "
            "document.getElementById('form'))", LHC_RELEASE[release])

    # the renderer's response screens exactly like the same answers as YAML
    yaml_intake = Intake.model_validate(answers)
    intake = intake_from_response(received, "lforms.json")
    assert intake == yaml_intake
    result, expected = screen(intake), screen(yaml_intake)
    assert result.model_dump(exclude={"trace"}) == expected.model_dump(exclude={"trace"})
    level = {"self-screen": "self_care", "red-flag-stop": "emergency",
             "clinician-intake": "self_care"}[persona]
    assert result.triage.level == level

    # screened twice from the command line: each Bundle carries the response as received, and
    # the two Bundles differ in identifier and Patient
    path = tmp_path / "lforms.json"
    path.write_text(json.dumps(received))
    bundles = []
    for _ in range(2):
        assert main(["screen", str(path), "--format", "fhir", "--fhir-release", release]) == 0
        bundles.append(json.loads(capsys.readouterr().out))
    for bundle in bundles:
        resources = [e["resource"] for e in bundle["entry"]]
        kept = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"
                and "answers-as-screened" not in {t.get("code") for t in
                                                  r.get("meta", {}).get("tag", [])}]
        assert kept == [received]
        assert _answer_count(kept[0]) == _answer_count(received)
    first, second = bundles
    assert first["identifier"] != second["identifier"]
    patients = [next(e["fullUrl"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")
                for b in bundles]
    assert patients[0] != patients[1]
    assert bundle_dict(result, release)["entry"][0]["resource"] == received  # the API too


@pytest.mark.parametrize("release", ["R4B", "R5"])
def test_lhc_forms_fills_the_checkin_and_hipscreen_reads_it_like_yaml(
        browser, site, shots, release):
    quest = json.loads(checkin_questionnaire_json(release))
    with rendered(browser, site, quest, release, shots, first="pain_now/1") as page:
        form = Filler(page, quest)
        assert not form.shown("drills.glute_bridge.sessions")  # opened by "I tried it"
        assert not form.shown("psfs.score")  # opened by naming an activity
        form.fill(CHECKIN)
        assert form.shown("drills.glute_bridge.sessions") and form.shown("psfs.score")
        assert not form.shown("drills.hip_airplane.sessions")
        page.screenshot(path=str(shots / "filled.png"), full_page=True)
        assert page.evaluate("LForms.Util.checkValidity(document.getElementById('form'))") in (
            None, [])
        received = page.evaluate(
            "v => LForms.Util.getFormFHIRData('QuestionnaireResponse', v, "
            "document.getElementById('form'))", LHC_RELEASE[release])
    assert checkin_from_response(received, "checkin.json") == CheckIn.model_validate(CHECKIN)
