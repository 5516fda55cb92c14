"""The record pages in a real browser against a real server: `hipscreen app` on a free localhost
port with its own record database, driven by Playwright with the system chromium (never a
downloaded browser).

* Only the browser that opened the address `hipscreen app` printed sees a saved person: another
  browser gets the sign-in page, a request under another host name (DNS rebinding: evil.test
  resolved to 127.0.0.1) gets one line, and neither receives the person's label in any message
  from the server. The printed address works once.
* A check-in is reviewed and saved, then found in the clinic queue.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hipscreen import screen
from hipscreen.records import RecordStore

from .browser_checks import check_state, in_view, screenshot_folder
from .real_app import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, running_app, sign_in_address

HINGE = {"age": 41, "activities": ["lifting"], "safety": {},
         "symptoms": {"pain_now": 2, "pain_worst_week": 4, "worse_with": ["bending_lifting"]},
         "movement": {"hinge_faults": ["back_rounds"]}}
PERSON = "secret-person-1"
PHONE = {"width": 390, "height": 844}
REBINDING = ["--host-resolver-rules=MAP evil.test 127.0.0.1"]

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def app_with_records(tmp_path):
    """`hipscreen app` with HIPSCREEN_DATABASE_URL pointing at a database that holds one saved
    screening for 'lifter-1' and one for PERSON; yields (url, sign-in address, db)."""
    db = tmp_path / "records.sqlite3"
    store = RecordStore(db)
    store.save_screening(screen(HINGE), person="lifter-1", psfs={"deadlift": 6})
    store.save_screening(screen(HINGE), person=PERSON)
    with running_app(tmp_path, env={"HIPSCREEN_DATABASE_URL": str(db)}) as (url, log):
        yield url, sign_in_address(log), db


@pytest.fixture
def screenshots(request, tmp_path) -> Path:
    """$HIPSCREEN_SCREENSHOTS/<test> when set (CI keeps them), else the test's own folder."""
    return screenshot_folder(request, tmp_path)


def recording(context):
    """A page of `context` that keeps every message the server sends it over its websocket."""
    page = context.new_page()
    page.received = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: page.received.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    return page


def idle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def wait_for_cookie(context, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not any(c["name"].startswith("hipscreen_signin_") for c in context.cookies()):
        assert time.monotonic() < deadline, "the sign-in cookie was never set"
        time.sleep(0.1)


def sees(page, person: str) -> bool:
    """Whether the person reached this page: in what it shows, or in any server message."""
    return person in page.content() or any(person.encode() in m for m in page.received)


def test_only_the_browser_with_the_printed_address_sees_a_saved_person(app_with_records,
                                                                      screenshots):
    from playwright.sync_api import expect, sync_playwright

    url, signin, _ = app_with_records
    port = url.rstrip("/").rsplit(":", 1)[1]
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=CHROMIUM_ARGS + REBINDING)
        try:
            # another browser of this computer: the sign-in page, no record
            other = recording(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True))
            other.goto(url + "queue")
            expect(other.get_by_role("heading", name="Sign in to see records")).to_be_visible(
                timeout=30_000)
            idle(other)
            check_state(other, screenshots, "sign-in-page-phone")
            assert not sees(other, PERSON)
            expect(other.get_by_label("Open a record")).to_have_count(0)

            # a page of another site whose name resolves to 127.0.0.1: one line, no record
            evil = recording(browser.new_context())
            evil.goto(f"http://evil.test:{port}/queue")
            expect(evil.get_by_text("This app answers only at")).to_be_visible(timeout=30_000)
            idle(evil)
            evil.screenshot(path=str(screenshots / "another-host-name.png"))
            assert not sees(evil, PERSON)
            expect(evil.get_by_role("heading")).to_have_count(0)

            # the printed address: signed in, the token leaves the address, records follow
            mine_context = browser.new_context()
            mine = recording(mine_context)
            mine.goto(signin)
            expect(mine.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30_000)
            idle(mine)
            assert "token" not in mine.url
            wait_for_cookie(mine_context)
            (cookie,) = [c for c in mine_context.cookies() if c["name"].startswith("hipscreen_")]
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
            assert cookie["value"] not in signin, "the cookie is not the token"
            queue = recording(mine_context)  # a new page: signed in by the cookie alone
            queue.goto(url + "queue")
            expect(queue.get_by_role("heading", name="Clinic queue")).to_be_visible(timeout=30_000)
            queue.get_by_label("Open a record").click()
            expect(queue.get_by_role("option", name=f"#2 - Self-care - {PERSON}")).to_be_visible()
            assert any(PERSON.encode() in m for m in queue.received), \
                "the check above finds a person in the server's messages when there is one"
            assert other.received and evil.received

            # the printed address again, in another browser: used, so no record
            late = recording(browser.new_context())
            late.goto(signin)
            expect(late.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30_000)
            idle(late)
            late.goto(url + "queue")
            expect(late.get_by_role("heading", name="Sign in to see records")).to_be_visible(
                timeout=30_000)
            idle(late)
            assert not sees(late, PERSON)
        except Exception:
            for index, context in enumerate(browser.contexts):
                for number, page in enumerate(context.pages):
                    page.screenshot(path=str(screenshots / f"failure-{index}-{number}.png"))
            raise
        finally:
            browser.close()


PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
LAPTOP_CONTEXT = {"viewport": {"width": 1366, "height": 900}}


def signed_in_contexts(browser, signin: str):
    """A laptop browser signed in with the printed address, and a phone with its cookie."""
    from playwright.sync_api import expect

    laptop = browser.new_context(**LAPTOP_CONTEXT)
    page = laptop.new_page()
    page.goto(signin)
    expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30_000)
    wait_for_cookie(laptop)
    phone = browser.new_context(**PHONE_CONTEXT)
    phone.add_cookies(laptop.cookies())
    return laptop, page, phone


def open_page(page, url: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=30_000)
    idle(page)


def test_a_checkin_is_reviewed_saved_and_queued_in_a_real_browser(app_with_records, screenshots):
    """On a laptop and on a phone: the check-in's review opens in view after its button; the
    check-in is saved, drawn on Progress (lines named at their ends, dates on the axis) and
    found in the clinic queue with its pain and red flags, and an opened record has a note to
    paste. Every state passes axe-core and the 44 px check."""
    from playwright.sync_api import expect, sync_playwright

    url, signin, db = app_with_records
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        laptop, page, phone_context = signed_in_contexts(browser, signin)
        phone = phone_context.new_page()
        try:
            for where, tab in (("laptop", page), ("phone", phone)):
                open_page(tab, url + "checkin", "Check-in")
                label = tab.get_by_label("Your label (the one you saved your screening with)")
                label.fill("lifter-1")
                label.press("Enter")
                expect(tab.get_by_role("heading", name="Safety first")).to_be_visible()
                idle(tab)
                check_state(tab, screenshots, f"{where}-01-checkin", full=True)
                tab.get_by_text("I tried the single-leg hip hinge", exact=True).click()
                idle(tab)
                tab.get_by_text("Any pain from it had settled by the next morning",
                                exact=True).click()
                idle(tab)
                tab.get_by_role("button", name="Review my check-in").click()
                review = tab.get_by_role("heading", name="What the review says")
                expect(review).to_be_visible()
                idle(tab)
                assert in_view(tab, review), "the review opened out of view"
                expect(tab.get_by_text("Single-leg hip hinge (both): Make it easier.")) \
                    .to_be_visible()
                check_state(tab, screenshots, f"{where}-02-review")
            assert RecordStore(db).count() == 2, "nothing saved before the button"
            page.get_by_role("button", name="Save this check-in").click()
            expect(page.get_by_text("Saved as record 3.")).to_be_visible()
            assert [h.kind for h in RecordStore(db).history("lifter-1")] == ["screening",
                                                                             "checkin"]

            for where, tab in (("laptop", page), ("phone", phone)):
                open_page(tab, url + "progress", "Your progress")
                label = tab.get_by_label("Your label")
                label.fill("lifter-1")
                label.press("Enter")
                expect(tab.get_by_role("heading", name="Every decision, with its reason")) \
                    .to_be_visible()
                idle(tab)
                expect(tab.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
                tab.wait_for_timeout(500)  # the charts draw
                check_state(tab, screenshots, f"{where}-03-progress", full=True)

                open_page(tab, url + "queue", "Clinic queue")
                check_state(tab, screenshots, f"{where}-04-queue")
                picker = tab.get_by_label("Open a record")
                picker.scroll_into_view_if_needed()
                picker.click()
                tab.get_by_role("option", name="#3 - Self-care - lifter-1").click()
                expect(tab.get_by_role("heading", name="Record 3: check-in, 'lifter-1'")) \
                    .to_be_visible()
                idle(tab)
                expect(tab.get_by_text("Make it easier").first).to_be_visible()
                expect(tab.get_by_role("heading", name="Note for the record")).to_be_visible()
                check_state(tab, screenshots, f"{where}-05-queue-record", full=True)
        except Exception:
            for name, tab in (("laptop", page), ("phone", phone)):
                tab.screenshot(path=str(screenshots / f"failure-{name}.png"))
            raise
        finally:
            browser.close()


def test_the_label_box_saves_only_on_the_button(app_with_records, screenshots):
    """On a phone, Enter ("Go") in "Your label" saves nothing: the optional activities can still
    be filled; Save saves. A result that stops (emergency, urgent) offers no Save."""
    from playwright.sync_api import expect, sync_playwright

    url, signin, db = app_with_records
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _, _, phone_context = signed_in_contexts(browser, signin)
        page = phone_context.new_page()
        try:
            open_page(page, url, "Safety first")
            age = page.get_by_role("spinbutton", name="Your age in years")
            age.fill("30")
            age.press("Enter")
            idle(page)
            for number in range(2, 11):  # Next through every step, the self-tests not tested
                page.get_by_role("button", name="Next", exact=True).tap()
                expect(page.get_by_text(f"Step {number} of 10:")).to_be_visible()
                idle(page)
            review = page.get_by_role("heading", name="Check your answers")
            expect(review).to_be_focused()  # the step has opened at its heading
            page.get_by_role("button", name="See my result").tap()
            expect(page.get_by_role("heading", name="Save on this computer")).to_be_visible(
                timeout=30_000)
            idle(page)
            label = page.get_by_label("Your label (no name needed)")
            label.scroll_into_view_if_needed()
            label.fill("phone-person")
            label.press("Enter")
            page.wait_for_timeout(800)
            idle(page)
            assert RecordStore(db).count() == 2, "Enter in the label box saved the result"
            page.get_by_label("Activity 1 you find hard (optional)").fill("running 5 km")
            check_state(page, screenshots, "01-save-form")
            page.get_by_role("button", name="Save", exact=True).tap()
            expect(page.get_by_text("Saved as record 3 for 'phone-person'")).to_be_visible()
            assert RecordStore(db).history("phone-person")[0].summary["psfs"] == {
                "running 5 km": 5}
        except Exception:
            page.screenshot(path=str(screenshots / "failure.png"))
            raise
        finally:
            browser.close()
