"""The record pages in a real browser against a real server: `hipscreen app` on a free localhost
port with its own record database, driven by Playwright with the system chromium (never a
downloaded browser). A check-in is reviewed and saved, then found in the clinic queue."""

from __future__ import annotations

import pytest

from hipscreen import screen
from hipscreen.records import RecordStore

from .real_app import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, running_app

HINGE = {"age": 41, "activities": ["lifting"], "safety": {},
         "symptoms": {"pain_now": 2, "pain_worst_week": 4, "worse_with": ["bending_lifting"]},
         "movement": {"hinge_faults": ["back_rounds"]}}

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def app_with_records(tmp_path):
    """`hipscreen app` with HIPSCREEN_DATABASE_URL pointing at a database that holds one saved
    screening for 'lifter-1'."""
    db = tmp_path / "records.sqlite3"
    RecordStore(db).save_screening(screen(HINGE), person="lifter-1", psfs={"deadlift": 6})
    with running_app(tmp_path, env={"HIPSCREEN_DATABASE_URL": str(db)}) as (url, _):
        yield url, db


def test_a_checkin_is_reviewed_saved_and_queued_in_a_real_browser(app_with_records, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, db = app_with_records
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        try:
            page.goto(url + "checkin")
            expect(page.get_by_role("heading", name="Check-in")).to_be_visible(timeout=30_000)
            label = page.get_by_label("Your label (the one you saved your screening with)")
            label.fill("lifter-1")
            label.press("Enter")
            expect(page.get_by_role("heading", name="Safety first")).to_be_visible()
            page.get_by_text("I tried the single-leg hip hinge", exact=True).click()
            page.get_by_text("Any pain from it had settled by the next morning", exact=True).click()
            page.get_by_role("button", name="Review my check-in").click()
            expect(page.get_by_text("Single-leg hip hinge (both): Make it easier.")).to_be_visible()
            expect(page.get_by_text("the pain had not settled by the next morning").first) \
                .to_be_visible()
            assert RecordStore(db).count() == 1, "nothing saved before the button"
            page.get_by_role("button", name="Save this check-in").click()
            expect(page.get_by_text("Saved as record 2.")).to_be_visible()
            assert [h.kind for h in RecordStore(db).history("lifter-1")] == ["screening", "checkin"]

            page.goto(url + "queue")
            expect(page.get_by_role("heading", name="Clinic queue")).to_be_visible(timeout=30_000)
            page.get_by_label("Open a record").click()
            page.get_by_role("option", name="#2 - Self-care - lifter-1").click()
            expect(page.get_by_role("heading", name="Record 2: checkin, 'lifter-1'")).to_be_visible()
            expect(page.get_by_text("Make it easier").first).to_be_visible()
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
