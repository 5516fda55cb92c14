"""A real browser against a real server: `hipscreen app` started headless on a free localhost
port, driven by Playwright with the system chromium (never a downloaded browser).

Every flow is walked on a phone (390 x 844, touch) and a laptop (1366 x 900): a self-screening
to a plan, a cauda equina stop, an urgent stop, the clinician's intake and result, the knowledge
and case lab pages. At each state axe-core must find nothing, every tick box and radio answer
must be at least 44 px, and a screenshot is kept (tests/browser_checks.py).
"""

import contextlib
import json
import re
import time

import pytest

from .browser_checks import check_state, in_view, screenshot_folder, shot, wait_until_idle
from .real_app import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, running_app

STEP_TIMEOUT_MS = 20_000  # one rerun of a step; generous so a busy machine does not fail it
SUBMIT_TO_RESULT_LIMIT = 15.0  # seconds; generous for a slow CI machine (benchmarks/ measures)

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def server(tmp_path):
    """A fresh server for one test (its first request is the test's own)."""
    with running_app(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests of this module (each uses its own browser session)."""
    with running_app(tmp_path_factory.mktemp("app")) as running:
        yield running


@pytest.fixture
def screenshots(request, tmp_path):
    """$HIPSCREEN_SCREENSHOTS/<test> when set (CI keeps them), else the test's own folder."""
    return screenshot_folder(request, tmp_path)


VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@contextlib.contextmanager
def browser_page(viewport: str, shots, server_log=None):
    """A page in the system chromium at a viewport, recording every request; on failure it
    leaves failure.png and prints the server log."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        phone = viewport == "phone"
        context = browser.new_context(viewport=VIEWPORTS[viewport], is_mobile=phone,
                                      has_touch=phone)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.requested = []  # every URL the page asks for
        page.on("request", lambda r: page.requested.append(r.url))
        try:
            yield page
        except Exception:
            page.screenshot(path=str(shots / "failure.png"))
            print(f"\nfailure screenshot: {shots / 'failure.png'}")
            if server_log is not None:
                print(f"server log:\n{server_log.read_text()}")
            raise
        finally:
            browser.close()


def assert_only_own_host(page, url: str) -> None:
    """Every request went to the app itself: no fonts, favicons or anything else from outside."""
    own = url.split("/")[2]
    others = sorted({u.split("/")[2] for u in page.requested
                     if u.startswith("http") and u.split("/")[2] != own})
    assert not others, f"requests to other hosts: {others}"


def tap(page, locator) -> None:
    """A tap on a phone, a click on a laptop."""
    locator.scroll_into_view_if_needed()
    if page.viewport_size["width"] < 500:
        locator.tap()
    else:
        locator.click()


def open_app(page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
    wait_until_idle(page)


def give_age(page, age: int) -> None:
    field = page.get_by_role("spinbutton", name="Your age in years")
    field.fill(str(age))
    field.press("Enter")
    wait_until_idle(page)


def next_step(page, heading: str, button: str = "Next") -> None:
    """One tap on the button, and the next step opens at its heading, focused and in view."""
    from playwright.sync_api import expect

    tap(page, page.get_by_role("button", name=button, exact=True))
    title = page.get_by_role("heading", name=heading, exact=True)
    expect(title).to_be_visible()
    wait_until_idle(page)
    expect(title).to_be_focused()
    assert in_view(page, title), f"{heading}: the step opened out of view"


def tick(page, words: str) -> None:
    tap(page, page.get_by_text(words, exact=True))
    wait_until_idle(page)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


SELF_TEST_HEADINGS = (
    "Self-test: Single-leg balance: 30 seconds on each leg",
    "Self-test: A squat in front of a mirror",
    "Self-test: A hip hinge with a broom handle along your back",
    "Self-test: Seated hip rotation, comparing sides",
    "Self-test: Knee to chest, and does a hip feel stuck?",
)


# -- a self-screening to a plan -------------------------------------------------------------------
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_self_screening_walked_with_next_to_its_plan(shared_server, screenshots, viewport):
    """The first load shows the title, the disclaimer and "Step 1 of 10"; every step walked with
    Next opens at its heading (focused, in view) and passes axe-core and the 44 px check; two
    activities then one tap on Next moves on; a contradictory pain answer is shown at once on
    the symptoms step and holds Next until fixed; every self-test shows its picture. The result
    opens at its title (focused), "See a clinician if..." is one tap away, the person downloads
    only their plan, and no request leaves the app's own host."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    phone = viewport == "phone"
    with browser_page(viewport, screenshots, server_log) as page:
        open_app(page, url)
        title = page.get_by_role("heading", name="Self-screening", exact=True)
        assert title.bounding_box()["y"] < 160, "the first load opens at the title"
        expect(page.get_by_text("screening aid, not a diagnosis")).to_be_in_viewport()
        expect(page.get_by_text("Step 1 of 10: Safety first")).to_be_in_viewport()
        check_state(page, screenshots, "01-first-load")
        give_age(page, 34)
        check_state(page, screenshots, "02-safety-first")

        next_step(page, "More health questions")
        check_state(page, screenshots, "03-more-health-questions")
        next_step(page, "About you")
        tick(page, "Running")
        tick(page, "Weight training (lifting)")
        check_state(page, screenshots, "04-about-you")
        next_step(page, "Your symptoms")  # one tap after two activities is enough

        # pain now 7 and worst this week 3: said at once, next to the question, and Next waits
        for index, presses in ((0, 7), (1, 3)):
            page.get_by_role("slider").nth(index).focus()
            for _ in range(presses):
                page.keyboard.press("ArrowRight")
            wait_until_idle(page)
        error = page.get_by_text("Worst pain in the last week:").first
        expect(error).to_be_visible()
        expect(page.get_by_text("Please fix this before you go on")).to_be_visible()
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
        shot(page, screenshots / "05-pain-contradiction.png")
        page.get_by_role("slider").nth(0).focus()  # pain now 2: below the worst again
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        wait_until_idle(page)
        expect(page.get_by_role("button", name="Next")).to_be_enabled()
        tick(page, "Low back, right")
        tick(page, "The pain keeps coming back")
        expect(page.get_by_text("Body map: Low back, right")).to_be_visible()
        check_state(page, screenshots, "06-your-symptoms", full=True)

        answers = {0: ("On which leg could you NOT stand for 30 seconds?", "My right leg"),
                   1: ("Which way did your belt buckle drift? Use your own left and right, not "
                       "the mirror's.", "To my right")}
        for number, heading in enumerate(SELF_TEST_HEADINGS):
            next_step(page, heading, "Next" if number <= 3 else "Skip this test")
            pictures = page.locator('[class*="st-key-self_test_"] [data-testid="stImage"] img')
            expect(pictures.first).to_be_visible()
            for alt in pictures.evaluate_all("imgs => imgs.map(i => i.alt)"):
                assert alt.startswith(("Start:", "Seen from the front")), alt
            if number in answers:
                question, answer = answers[number]
                tap(page, page.get_by_role("radiogroup", name=question)
                    .get_by_text(answer, exact=True))
                wait_until_idle(page)
            if number == 2:
                tick(page, "Yes, I did it")
                tick(page, "The stick leaves my lower back (my back rounds)")
            check_state(page, screenshots, f"{number + 7:02d}-{slug(heading)}", full=True)
        next_step(page, "Check your answers", "Skip this test")
        expect(page.get_by_text("Regular activities: Running, Weight training (lifting)")) \
            .to_be_visible()
        expect(page.get_by_text("Could not stand for 30 seconds on: My right leg")).to_be_visible()
        expect(page.get_by_text("In a hip hinge: The stick leaves my lower back")).to_be_visible()
        check_state(page, screenshots, "12-check-your-answers", full=True)

        start = time.perf_counter()
        tap(page, page.get_by_role("button", name="See my result"))
        heading = page.get_by_role("heading", name="Your result", exact=True)
        expect(heading).to_be_visible(timeout=30000)
        seconds = time.perf_counter() - start
        wait_until_idle(page)
        expect(heading).to_be_focused()
        assert in_view(page, heading), "the result opens at its title"
        expect(page.get_by_text("What to do: SELF-CARE - follow the plan")).to_be_visible()
        expect(page.get_by_text("We think your right hip is not steadying your pelvis well")) \
            .to_be_visible()
        expect(page.get_by_text("your low back rounded when you bent forward").first) \
            .to_be_visible()
        graph = page.locator(".hipscreen-reasoning img")
        expect(graph).to_have_attribute("alt", re.compile("Your answers: .*Hip"))
        assert graph.evaluate("img => img.naturalWidth") > 0
        if phone:  # its own size: wider than the phone, so it scrolls sideways
            assert graph.evaluate("img => img.getBoundingClientRect().width") > 390
        cards = page.locator('[class*="st-key-drill_card_"]')
        assert cards.count() >= 1
        for index in range(cards.count()):
            picture = cards.nth(index).locator('[data-testid="stImage"] img')
            expect(picture).to_have_count(1)
            assert picture.get_attribute("alt").startswith("Start:")
        check_state(page, screenshots, "13-result", full=True)

        # "See a clinician if..." is one tap from the top
        tap(page, page.get_by_role("link", name="See a clinician if..."))
        page.wait_for_timeout(400)
        assert in_view(page, page.get_by_role("heading", name="See a clinician if...")), \
            "the link brings the safety net into view"
        shot(page, screenshots / "14-see-a-clinician-if.png")

        # the person's words: no certainty numbers or link counts in the picture in words
        tap(page, page.get_by_text("The picture in words", exact=True))
        words = page.locator('[data-testid="stExpander"]').filter(
            has_text="The picture in words").inner_text()
        assert not re.search(r"\d\.\d\d|links", words), words
        # the person downloads their plan; the files for records are the clinician's
        downloads = page.locator('[data-testid="stDownloadButton"]')
        assert downloads.all_inner_texts() == ["Your plan (PDF)"]
        if not phone:
            with page.expect_download() as download:
                page.get_by_role("button", name="Your plan (PDF)").click()
            pdf = download.value.path().read_bytes()
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        assert_only_own_host(page, url)
    (screenshots / "timing.json").write_text(json.dumps({"submit_to_result_seconds": seconds}))
    assert seconds < SUBMIT_TO_RESULT_LIMIT


# -- stops ------------------------------------------------------------------------------------------
def assert_stop_in_view(page, level: str) -> None:
    """The stop banner is in view with the focus, read out (role alert), nothing over it, and
    said again where the Next button was."""
    from playwright.sync_api import expect

    stop = page.locator(".st-key-stop_banner")
    expect(stop).to_contain_text(f"What to do: {level}")
    expect(stop).to_be_focused()
    expect(stop).to_have_attribute("role", "alert")
    assert in_view(page, stop), "the stop is off the screen"
    expect(page.locator('[data-testid="stToast"]')).to_have_count(0)
    expect(page.get_by_text("The screening has stopped:")).to_be_attached()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_urgent_stop_is_seen_wherever_the_person_is(shared_server, screenshots, viewport):
    """A tick far down the list scrolls the stop into view, focuses it, and says it again where
    the Next button was."""
    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        open_app(page, url)
        give_age(page, 52)
        page.get_by_role("button", name="Next").scroll_into_view_if_needed()
        tick(page, "Sudden, very bad pain in the back or belly, not like your usual pain")
        assert_stop_in_view(page, "URGENT")
        check_state(page, screenshots, "stop")
        assert_only_own_host(page, url)


NEW_FIRST_STEP_LABELS = (
    "A new change in sex: numb down there, or trouble with erections or feeling",
    "New pain, tingling or pins and needles going down both legs",
    "A fall, trip or knock in the last 2 weeks, even a small one",
    "A new limp",
    "Sudden, very bad pain in the back or belly, not like your usual pain",
    "Feeling faint, cold and sweaty (clammy), or you passed out",
)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_cauda_equina_stop_wins_over_a_wrong_answer_and_ends_the_screening(
        shared_server, screenshots, viewport):
    """The safety questions are readable and big enough to tap; a pain answer that contradicts
    itself holds Next on the symptoms step but does not hide the stop: ticking saddle numbness
    afterwards stops the screen at once with the emergency action, the other error listed under
    it. The result of the stop says what to do and what to tell them, offers no Save and no
    activity scores, and only the person's own PDF."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        open_app(page, url)
        give_age(page, 40)
        for label in NEW_FIRST_STEP_LABELS:
            expect(page.get_by_text(label, exact=True)).to_be_visible()
        for heading in ("More health questions", "About you", "Your symptoms"):
            next_step(page, heading)
        for index, presses in ((0, 7), (1, 3)):  # pain now 7, worst pain this week 3
            page.get_by_role("slider").nth(index).focus()
            for _ in range(presses):
                page.keyboard.press("ArrowRight")
            wait_until_idle(page)
        expect(page.get_by_text("Worst pain in the last week:").first).to_be_visible()
        for heading in ("About you", "More health questions", "Safety first"):
            next_step(page, heading, "Back")
        tick(page, "Numbness around the genitals, back passage or inner thighs")
        stop = page.locator(".st-key-stop_banner")
        assert_stop_in_view(page, "EMERGENCY")
        expect(stop).to_contain_text("Go to an emergency department now")
        expect(stop).to_contain_text("Some other answers need fixing")
        expect(stop).to_contain_text("Worst pain in the last week")
        check_state(page, screenshots, "01-stop")

        if viewport == "phone":
            page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.get_by_role("link", name="Result").click()
        expect(page.get_by_role("heading", name="What to tell them")).to_be_visible()
        wait_until_idle(page)
        expect(page.get_by_text("What to do: EMERGENCY")).to_be_visible()
        expect(page.get_by_role("heading", name="Save on this computer")).to_have_count(0)
        expect(page.get_by_text("how well you can do each now")).to_have_count(0)
        assert page.locator('[data-testid="stDownloadButton"]').all_inner_texts() == [
            "What to do now (PDF)"]
        check_state(page, screenshots, "02-stop-result", full=True)
        assert_only_own_host(page, url)


# -- the clinician -------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_clinician_intake_screens_in_view_and_its_note_copies(shared_server, screenshots,
                                                                  viewport):
    """The form passes axe-core; a red flag with a field error shows the triage beside the
    errors, brought into view; "Screen this intake" brings the triage at a glance into view
    with the focus; the full result opens at its title, and its note (with the safety-netting
    it speaks of) copies as text."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        page.goto(url + "clinician_intake")
        expect(page.get_by_role("heading", name="Clinician intake", exact=True)).to_be_visible(
            timeout=30000)
        check_state(page, screenshots, "01-form", full=True)
        page.get_by_role("spinbutton", name="Age (years)").fill("45")
        page.get_by_role("spinbutton", name="Left hip IR (degrees)").fill("22")
        # a red flag and a field error (one IR angle alone): the triage wins, in view
        tap(page, page.get_by_text("Saddle numbness", exact=True))
        tap(page, page.get_by_role("button", name="Screen this intake"))
        wait_until_idle(page)
        glance = page.locator(".st-key-clinician_glance")
        expect(glance).to_contain_text("Triage level: EMERGENCY")
        expect(glance).to_contain_text("Some answers need fixing")
        expect(glance).to_be_focused()
        assert in_view(page, glance), "the triage and the errors are out of view"
        check_state(page, screenshots, "02-red-flag-and-error")

        tap(page, page.get_by_text("Saddle numbness", exact=True))
        page.get_by_role("spinbutton", name="Right hip IR (degrees)").fill("38")
        tap(page, page.get_by_role("button", name="Screen this intake"))
        wait_until_idle(page)
        expect(glance).to_contain_text("Triage level: SELF-CARE")
        expect(glance).to_be_focused()
        assert in_view(page, glance), "the triage at a glance is out of view"
        check_state(page, screenshots, "03-screened")

        tap(page, page.get_by_role("link", name=re.compile("^Open the full result")))
        heading = page.get_by_role("heading", name="Screening result", exact=True)
        expect(heading).to_be_visible()
        wait_until_idle(page)
        expect(heading).to_be_focused()
        check_state(page, screenshots, "04-result", full=True)
        note = page.locator('[data-testid="stCode"]').first
        note.scroll_into_view_if_needed()
        note.hover()
        note.locator("button").first.click()
        page.wait_for_timeout(300)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("hipscreen screening note")
        assert "Hip IR: 22 deg L / 38 deg R" in copied and "Red flags negative:" in copied
        assert "Safety-netting given (see a clinician if):" in copied
        labels = page.locator('[data-testid="stDownloadButton"]').all_inner_texts()
        assert {"Report (Markdown)", "Result (JSON)", "Intake as a case file (YAML)",
                "Clinician report (PDF)", "Plan for the person (PDF)"} == set(labels)
        assert_only_own_host(page, url)


def test_the_keyboard_opens_lists_and_shows_where_it_is(shared_server, screenshots):
    """Enter opens a drop-down list, Space opens it (and picks) without typing a space, and a
    radio answer reached with the keyboard has a clear focus mark."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page("laptop", screenshots, server_log) as page:
        page.goto(url + "clinician_intake")
        expect(page.get_by_role("heading", name="Clinician intake", exact=True)).to_be_visible(
            timeout=30000)
        wait_until_idle(page)
        activities = page.get_by_role("combobox", name="Activities")
        activities.focus()
        page.keyboard.press("Enter")
        expect(activities).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(activities).to_have_attribute("aria-expanded", "false")
        page.keyboard.press(" ")
        expect(activities).to_have_attribute("aria-expanded", "true")
        assert activities.input_value() == "", "Space typed a space into the filter"
        page.keyboard.press(" ")  # picks the marked choice
        wait_until_idle(page)
        expect(page.locator('[data-testid="stMultiSelect"]').first).to_contain_text("Running")
        shot(page, screenshots / "01-list.png")

        open_app(page, url)
        give_age(page, 34)
        first = page.get_by_role("radio", name="No hip surgery")
        expect(first).to_be_enabled()  # open once the age is given
        first.focus()
        expect(first).to_be_focused()
        page.keyboard.press("ArrowDown")  # the keyboard moves to the next answer
        wait_until_idle(page)
        focused = page.evaluate("""() => {
            const option = document.activeElement.closest('[data-testid="stRadioOption"]');
            if (!option || !document.activeElement.matches(':focus-visible')) return null;
            option.scrollIntoView({block: 'center'});
            const style = getComputedStyle(option);
            return [option.textContent.trim(), style.outlineStyle, style.outlineWidth];
        }""")
        assert focused is not None, "no radio answer has the keyboard focus"
        words, outline, width = focused
        assert words == "Yes, less than 12 weeks ago", words
        assert outline != "none" and float(width.removesuffix("px")) >= 2, focused
        shot(page, screenshots / "02-radio-focus.png")


# -- the other pages -----------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_knowledge_and_case_lab_pages_pass_axe(shared_server, screenshots, viewport):
    """Knowledge: a rule picked in the table is read in full below it. Case lab: one case run."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        page.goto(url + "knowledge")
        expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible(
            timeout=30000)
        check_state(page, screenshots, "01-knowledge")
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 14, box["y"] + 55)  # the first row's tick box
        wait_until_idle(page)
        row = page.locator('[class*="st-key-knowledge_row_Rules"]')
        expect(row).to_contain_text("text:")
        check_state(page, screenshots, "02-knowledge-row", full=True)

        page.goto(url + "case_lab")
        expect(page.get_by_role("heading", name="Case lab", exact=True)).to_be_visible(
            timeout=30000)
        check_state(page, screenshots, "03-case-lab")
        assert_only_own_host(page, url)


def test_the_phone_menu_closes_after_choosing_a_page(shared_server, screenshots):
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page("phone", screenshots, server_log) as page:
        open_app(page, url)
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        menu = page.locator('[data-testid="stSidebarNav"]')
        expect(menu).to_be_visible()
        page.get_by_role("link", name="Knowledge").click()
        expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible()
        wait_until_idle(page)
        expect(menu).not_to_be_in_viewport()
        shot(page, screenshots / "after-choosing-a-page.png")


def test_a_page_opened_by_its_address_is_the_apps_page(server, screenshots):
    """The first request of a fresh server is a page's own address: the app's page and menu,
    not Streamlit's file-name menu."""
    from playwright.sync_api import expect

    url, server_log = server
    with browser_page("laptop", screenshots, server_log) as page:
        page.goto(url + "clinician_intake")
        expect(page.get_by_role("heading", name="Clinician intake", exact=True)).to_be_visible(
            timeout=30000)
        wait_until_idle(page)
        menu = page.locator('[data-testid="stSidebarNav"]')
        expect(menu).to_contain_text("Self-screening")
        expect(menu).not_to_contain_text("main")
        assert_only_own_host(page, url)
