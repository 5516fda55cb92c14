"""A real browser against a real server: `hipscreen app` started headless on a free localhost
port, driven by Playwright with the system chromium (never a downloaded browser)."""

import contextlib
import json
import os
import re
import time
from pathlib import Path

import pytest

from .real_app import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, running_app

STEP_TIMEOUT_MS = 20_000  # one rerun of a step; generous so a busy machine does not fail it
SUBMIT_TO_RESULT_LIMIT = 15.0  # seconds; generous for a slow CI machine

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def server(tmp_path):
    """A fresh server for one test (its first request is the test's own)."""
    with running_app(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the viewport tests of this module (each uses its own browser session)."""
    with running_app(tmp_path_factory.mktemp("app")) as running:
        yield running


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """Where a test keeps its screenshots: $HIPSCREEN_SCREENSHOTS/<test> when set (CI keeps
    them as artefacts), else the test's temporary folder."""
    base = os.environ.get("HIPSCREEN_SCREENSHOTS")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = Path(base) / name if base else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@contextlib.contextmanager
def browser_page(viewport: str, shots: Path, server_log: Path | None = None):
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


def in_view(page, locator) -> bool:
    """The element's top is on the screen, below the app's header bar."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"] - 60


def start_self_screening(page, url: str, *, age: int) -> None:
    """Open the app, wait for the safety step and give the age."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
    wait_until_idle(page)
    field = page.get_by_role("spinbutton", name="Your age in years")
    field.fill(str(age))
    field.press("Enter")
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Wait for the script run to finish (Streamlit marks its root element), so the next click
    lands on this step's widgets and not on the last step's fading ones."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def full_page_screenshot(page, path: Path) -> None:
    """Streamlit scrolls inside its main container, so grow the window to the content first."""
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight, ...['stMain', 'stAppViewContainer']
             .map(id => document.querySelector(`[data-testid="${id}"]`))
             .filter(Boolean).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": 1280, "height": int(height) + 40})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_self_screen_in_a_real_browser_ends_in_a_plan_and_its_explanation(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, server_log = server
    out = tmp_path / "screenshots"
    out.mkdir()
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page.goto(url)
            expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
            expect(page.get_by_text("screening aid, not a diagnosis")).to_be_visible()
            age = page.get_by_role("spinbutton", name="Your age in years")
            wait_until_idle(page)
            age.fill("34")
            age.press("Enter")
            expect(page.get_by_role("button", name="Next")).to_be_visible()
            wait_until_idle(page)
            full_page_screenshot(page, out / "1-safety.png")

            def next_step(heading: str, button: str = "Next") -> None:
                page.get_by_role("button", name=button).click()
                expect(page.get_by_role("heading", name=heading)).to_be_visible()
                wait_until_idle(page)

            next_step("More health questions")
            next_step("About you")
            next_step("Your symptoms")
            page.get_by_text("Low back, right", exact=True).click()
            page.get_by_text("The pain keeps coming back", exact=True).click()
            expect(page.get_by_text("Body map: Low back, right")).to_be_visible()
            full_page_screenshot(page, out / "2-symptoms.png")
            next_step("Self-test: Single-leg balance: 30 seconds on each leg")
            page.get_by_role("radiogroup", name="On which leg could you NOT hold 30 seconds?") \
                .get_by_text("Right", exact=True).click()
            next_step("Self-test: A squat in front of a mirror")
            page.get_by_role("radiogroup", name="Which way did your hips drift?") \
                .get_by_text("Right", exact=True).click()
            next_step("Self-test: A hip hinge with a broom handle along your back")
            for heading in ("Self-test: Seated hip rotation, comparing sides",
                            "Self-test: Knee to chest, and does a hip feel stuck?",
                            "Check your answers"):
                next_step(heading, button="Skip this test")
            expect(page.get_by_text("Cannot hold 30 s standing on that leg: Right")).to_be_visible()
            expect(page.get_by_text("Hips drift to that side in a squat or hinge: Right")) \
                .to_be_visible()

            start = time.perf_counter()
            page.get_by_role("button", name="See my result").click()
            expect(page.get_by_role("heading", name="Your plan")).to_be_visible(timeout=30000)
            graph = page.locator(".hipscreen-reasoning img")
            expect(graph).to_be_visible(timeout=30000)
            seconds = time.perf_counter() - start

            expect(page.get_by_text("Triage level: SELF-CARE")).to_be_visible()
            expect(page.get_by_role("heading", name="How we got here")).to_be_visible()
            # the picture at its own size (readable), its words as alt text
            assert graph.evaluate("img => img.naturalWidth") > 0
            expect(graph).to_have_attribute("alt", re.compile("Your answers: .*Hip"))
            expect(page.get_by_text("We think your right hip is not steadying your pelvis "
                                    "well")).to_be_visible()
            expect(page.get_by_role("heading", name="Tests you skipped")).to_be_visible()
            cards = page.get_by_role("heading", name="Single-leg stability")
            expect(cards.first).to_be_visible()
            page.get_by_text("The full reasoning, for a clinician: rules, ids and weights",
                             exact=True).click()
            expect(page.get_by_text("evidence_combines_into_deficits").first).to_be_visible()
            for label in ("Report (Markdown)", "Result (JSON)", "Intake as a case file (YAML)",
                          "Clinician report (PDF)", "Plan for the person (PDF)"):
                expect(page.get_by_role("button", name=label)).to_be_visible()
            with page.expect_download() as download:
                page.get_by_role("button", name="Plan for the person (PDF)").click()
            pdf = download.value.path().read_bytes()
            assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
            shot = out / "3-result.png"
            full_page_screenshot(page, shot)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            page.get_by_role("button", name="Plan for the person (PDF)").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "4-downloads-phone.png"))
        except Exception:
            page.screenshot(path=str(out / "failure.png"))
            print(f"\nfailure screenshot: {out / 'failure.png'}\nserver log:\n"
                  f"{server_log.read_text()}")
            raise
        finally:
            browser.close()

    (out / "timing.json").write_text(json.dumps({"submit_to_result_seconds": seconds}))
    print(f"\nsubmit -> result: {seconds:.2f} s; screenshots: {out}")
    assert shot.stat().st_size > 50_000
    assert seconds < SUBMIT_TO_RESULT_LIMIT
    assert "127.0.0.1" in server_log.read_text()


# -- issue 10: a phone and a laptop ---------------------------------------------------------------
SELF_TEST_HEADINGS = (
    "Self-test: Single-leg balance: 30 seconds on each leg",
    "Self-test: A squat in front of a mirror",
    "Self-test: A hip hinge with a broom handle along your back",
    "Self-test: Seated hip rotation, comparing sides",
    "Self-test: Knee to chest, and does a hip feel stuck?",
)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_step_opens_at_its_heading_and_shows_its_pictures(shared_server, screenshots,
                                                              viewport):
    """After every Next (or Skip) the new step's heading is on the screen with the keyboard focus
    on it, so a second tap cannot land on the next step's button unseen; every self-test and
    drill card shows its picture with alt text; typing 'Lifting' + Enter picks one activity; no
    request leaves the app's own host. A screenshot of each step is kept."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        start_self_screening(page, url, age=34)
        page.screenshot(path=str(screenshots / "01-safety-first.png"))
        seen: list[str] = []

        def next_step(heading: str, button: str = "Next") -> None:
            nav = page.get_by_role("button", name=button)
            nav.scroll_into_view_if_needed()
            nav.click()
            title = page.get_by_role("heading", name=heading, exact=True)
            expect(title).to_be_visible()
            wait_until_idle(page)
            expect(title).to_be_focused()
            assert in_view(page, title), f"{heading}: the step opened out of view"
            seen.append(heading)
            slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:40]
            page.screenshot(path=str(screenshots / f"{len(seen) + 1:02d}-{slug}.png"))

        next_step("More health questions")
        next_step("About you")
        activities = page.get_by_role("combobox", name="What do you do regularly? (choose any)")
        activities.click()
        page.keyboard.type("Lifting")
        page.keyboard.press("Enter")
        wait_until_idle(page)
        page.keyboard.press("Escape")
        chosen = page.locator('[data-testid="stMultiSelectTagsContainer"]').first
        expect(chosen).to_contain_text("Lifting children")
        expect(chosen).not_to_contain_text("Weight training")  # one choice, not every match
        next_step("Your symptoms")
        body_map = page.locator('[data-testid="stImage"] img').first
        expect(body_map).to_have_attribute("alt", re.compile("^Body map"))
        page.get_by_text("Low back, right", exact=True).click()
        wait_until_idle(page)
        for number, heading in enumerate(SELF_TEST_HEADINGS):
            next_step(heading, button="Next" if number < 2 else "Skip this test")
            pictures = page.locator('[class*="st-key-self_test_"] [data-testid="stImage"] img')
            expect(pictures.first).to_be_visible()
            for alt in pictures.evaluate_all("imgs => imgs.map(i => i.alt)"):
                assert alt.startswith(("Start:", "Seen from the front")), alt
            if number == 0:
                page.get_by_role("radiogroup", name="On which leg could you NOT hold 30 "
                                 "seconds?").get_by_text("Right", exact=True).click()
            elif number == 1:
                page.get_by_role("radiogroup", name="Which way did your hips drift?") \
                    .get_by_text("Right", exact=True).click()
            wait_until_idle(page)
        next_step("Check your answers", button="Skip this test")
        expect(page.get_by_text("What the person does: Lifting children")).to_be_visible()
        page.get_by_role("button", name="See my result").click()
        expect(page.get_by_role("heading", name="Your plan")).to_be_visible(timeout=30000)
        wait_until_idle(page)
        page.screenshot(path=str(screenshots / f"{len(seen) + 2:02d}-result.png"))
        cards = page.locator('[class*="st-key-drill_card_"]')
        assert cards.count() >= 1
        for index in range(cards.count()):
            picture = cards.nth(index).locator('[data-testid="stImage"] img')
            expect(picture).to_have_count(1)
            assert picture.get_attribute("alt").startswith("Start:")
            assert picture.evaluate("img => img.naturalWidth") > 0
        graph = page.locator(".hipscreen-reasoning img")
        graph.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"{len(seen) + 3:02d}-reasoning-picture.png"))
        if viewport == "phone":  # its own size: wider than the phone, so it scrolls sideways
            assert graph.evaluate("img => img.getBoundingClientRect().width") > 390
        assert_only_own_host(page, url)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_red_flag_stop_is_seen_wherever_the_person_is(shared_server, screenshots, viewport):
    """A tick far down the list scrolls the stop into view, focuses it, and says it again as a
    toast and where the Next button was."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page(viewport, screenshots, server_log) as page:
        start_self_screening(page, url, age=52)
        page.get_by_role("button", name="Next").scroll_into_view_if_needed()
        page.get_by_text("Sudden, very bad pain in the back or belly, not like your usual pain",
                         exact=True).click()  # the last question of the step; urgent at 50+
        wait_until_idle(page)
        stop = page.locator(".st-key-stop_banner")
        expect(stop).to_contain_text("Triage level: URGENT")
        expect(stop).to_be_focused()
        assert in_view(page, stop), "the stop is off the screen"
        expect(page.locator('[data-testid="stToast"]')).to_contain_text("Stop: URGENT")
        expect(page.get_by_text("The screening has stopped: URGENT")).to_be_attached()
        expect(page.get_by_role("button", name="Next")).to_have_count(0)
        page.screenshot(path=str(screenshots / "stop.png"))
        assert_only_own_host(page, url)


NEW_FIRST_STEP_LABELS = (
    "A new change in sex: numb down there, or trouble with erections or feeling",
    "New pain, tingling or pins and needles going down both legs",
    "A fall, trip or knock in the last 2 weeks, even a small one",
    "A new limp",
    "Sudden, very bad pain in the back or belly, not like your usual pain",
    "Feeling faint, cold and sweaty (clammy), or you passed out",
)


def test_on_a_phone_a_red_flag_stops_at_once_whatever_else_is_wrong(shared_server, screenshots):
    """The new safety questions are on the first step, readable and big enough to tap; a pain
    answer that contradicts itself (now 7, worst this week 3) is shown next to the question, and
    does not hide the stop: ticking saddle numbness afterwards stops the screen at once with the
    emergency action, the other error listed under it."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page("phone", screenshots, server_log) as page:
        start_self_screening(page, url, age=40)
        for label in NEW_FIRST_STEP_LABELS:
            text = page.get_by_text(label, exact=True)
            expect(text).to_be_visible()
            target = page.locator("label").filter(has=text)  # the box and its words: one target
            size = target.bounding_box()
            assert size["width"] >= 44 and size["height"] >= 24, (label, size)  # WCAG 2.5.8
        page.screenshot(path=str(screenshots / "01-safety-first.png"), full_page=True)
        for heading in ("More health questions", "About you", "Your symptoms"):
            page.get_by_role("button", name="Next").click()
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            wait_until_idle(page)
        for index, presses in ((0, 7), (1, 3)):  # pain now 7, worst pain this week 3
            page.get_by_role("slider").nth(index).focus()
            for _ in range(presses):
                page.keyboard.press("ArrowRight")
            wait_until_idle(page)
        expect(page.get_by_text("Worst pain in the last week: the worst pain")).to_be_visible()
        expect(page.get_by_role("button", name="Next")).to_be_visible()  # an error, no stop
        page.screenshot(path=str(screenshots / "02-pain-contradiction.png"))
        for heading in ("About you", "More health questions", "Safety first"):
            back = page.get_by_role("button", name="Back", exact=True)
            back.scroll_into_view_if_needed()
            back.click()
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            wait_until_idle(page)
        page.get_by_text("Numbness around the genitals, back passage or inner thighs",
                         exact=True).click()
        wait_until_idle(page)
        stop = page.locator(".st-key-stop_banner")
        expect(stop).to_contain_text("Triage level: EMERGENCY")
        expect(stop).to_contain_text("Go to an emergency department now")
        expect(stop).to_contain_text("Some other answers need fixing")
        expect(stop).to_contain_text("Worst pain in the last week")
        expect(stop).to_be_focused()
        assert in_view(page, stop), "the stop is off the screen"
        expect(page.get_by_role("button", name="Next")).to_have_count(0)
        page.screenshot(path=str(screenshots / "03-stop.png"))
        assert_only_own_host(page, url)


def test_the_phone_menu_closes_after_choosing_a_page(shared_server, screenshots):
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page("phone", screenshots, server_log) as page:
        page.goto(url)
        expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
        wait_until_idle(page)
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        menu = page.locator('[data-testid="stSidebarNav"]')
        expect(menu).to_be_visible()
        page.get_by_role("link", name="Knowledge").click()
        expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible()
        wait_until_idle(page)
        expect(menu).not_to_be_in_viewport()
        page.screenshot(path=str(screenshots / "after-choosing-a-page.png"))


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


def test_the_clinician_note_copies_as_text(shared_server, screenshots):
    """The clinician's result holds a note ready to paste; its copy button copies it as text."""
    from playwright.sync_api import expect

    url, server_log = shared_server
    with browser_page("laptop", screenshots, server_log) as page:
        page.goto(url + "clinician_intake")
        expect(page.get_by_role("heading", name="Clinician intake", exact=True)).to_be_visible(
            timeout=30000)
        wait_until_idle(page)
        page.get_by_role("spinbutton", name="Age (years)").fill("45")
        page.get_by_role("spinbutton", name="Left hip IR (degrees)").fill("22")
        page.get_by_role("spinbutton", name="Right hip IR (degrees)").fill("38")
        page.get_by_role("button", name="Screen this intake").click()
        wait_until_idle(page)
        page.get_by_role("link", name=re.compile("^Open the full result")).click()
        expect(page.get_by_role("heading", name="Note for the record")).to_be_visible()
        wait_until_idle(page)
        note = page.locator('[data-testid="stCode"]').first
        note.scroll_into_view_if_needed()
        note.hover()
        note.locator("button").first.click()
        page.wait_for_timeout(300)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("hipscreen screening note")
        assert "Hip IR: 22 deg L / 38 deg R" in copied and "Red flags negative:" in copied
        page.screenshot(path=str(screenshots / "clinician-note.png"))
        assert_only_own_host(page, url)
