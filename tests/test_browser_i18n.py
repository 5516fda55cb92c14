"""The app's language choice in a real browser (issue 21): `hipscreen app` started headless on a
free localhost port, driven by Playwright with the system chromium (never a downloaded browser).

The app offers "Español" on the page; choosing it turns the current step into Spanish, puts
`lang=es` in the address (a reload or a shared link keeps it), tells the browser the page's
language (`<html lang="es">`), keeps the answers already given, and axe-core finds nothing on the
Spanish step.
"""

import re

import pytest

from .browser_checks import check_state, screenshot_folder, wait_until_idle
from .real_app import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, running_app

STEP_TIMEOUT_MS = 20_000

# tests/conftest.py marks the browser files it knows by name; this one marks itself
pytestmark = [NEEDS_CHROMIUM, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(tmp_path):
    with running_app(tmp_path) as running:
        yield running


def test_choosing_spanish_turns_the_current_step_into_spanish(server, request, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, server_log = server
    shots = screenshot_folder(request, tmp_path)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page.goto(url)
            expect(page.get_by_role("heading", name="Safety first")).to_be_visible(timeout=30000)
            wait_until_idle(page)
            assert page.evaluate("document.documentElement.lang") == "en"
            age = page.get_by_role("spinbutton", name="Your age in years")
            age.fill("34")
            age.press("Enter")
            wait_until_idle(page)
            page.get_by_role("button", name="Next", exact=True).click()
            expect(page.get_by_role("heading", name="More health questions",
                                    exact=True)).to_be_visible()
            wait_until_idle(page)

            # the choice is offered on the page, in each language's own name
            spanish = page.get_by_text("Español", exact=True)
            expect(spanish).to_be_visible()
            spanish.click()
            heading = page.get_by_role("heading", name="Más preguntas de salud", exact=True)
            expect(heading).to_be_visible()
            wait_until_idle(page)
            expect(page.get_by_role("button", name="Siguiente", exact=True)).to_be_visible()
            expect(page.get_by_role("button", name="Atrás", exact=True)).to_be_visible()
            assert "lang=es" in page.url, page.url
            expect(page.locator("html")).to_have_attribute("lang", "es")
            check_state(page, shots, "01-spanish-step")

            # the answers given are kept: back to the first step, the age is still there
            page.get_by_role("button", name="Atrás", exact=True).click()
            expect(page.get_by_role("heading", name="Primero, su seguridad",
                                    exact=True)).to_be_visible()
            wait_until_idle(page)
            expect(page.get_by_role("spinbutton", name="Su edad en años")).to_have_value("34")

            # another page of the menu keeps it, and says so in the address
            page.get_by_role("link", name="Resultado", exact=True).click()
            expect(page.get_by_role("heading", name="Su resultado", exact=True)).to_be_visible()
            wait_until_idle(page)
            expect(page).to_have_url(re.compile(r"[?&]lang=es\b"))
            page.get_by_role("link", name="Autoevaluación", exact=True).click()
            expect(page.get_by_role("heading", name="Primero, su seguridad",
                                    exact=True)).to_be_visible()

            # a reload (or a shared link) keeps the language: it is in the address
            page.reload()
            expect(page.get_by_role("heading", name="Primero, su seguridad",
                                    exact=True)).to_be_visible(timeout=30000)
            assert "lang=es" in page.url, page.url
        except Exception:
            page.screenshot(path=str(shots / "failure.png"))
            print(f"\nfailure screenshot: {shots / 'failure.png'}\n"
                  f"server log:\n{server_log.read_text()}")
            raise
        finally:
            browser.close()


def test_a_result_screened_by_a_button_reads_in_spanish(server, request, tmp_path):
    """A button's callback runs before the page sets the language (issue 21): "See my result"
    and "Screen this intake" screen in the session's language all the same, so the triage and
    the plan read in Spanish; Streamlit's own "Skip to main content" link does too."""
    from playwright.sync_api import expect, sync_playwright

    url, server_log = server
    shots = screenshot_folder(request, tmp_path)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            page.goto(url + "?lang=es")
            expect(page.get_by_role("heading", name="Primero, su seguridad")).to_be_visible(
                timeout=30000)
            wait_until_idle(page)
            skip = page.locator('[data-testid="stSkipToContent"]')
            expect(skip).to_have_text("Saltar al contenido principal")
            age = page.get_by_role("spinbutton", name="Su edad en años")
            age.fill("34")
            age.press("Enter")
            wait_until_idle(page)
            for number, button in enumerate(["Siguiente"] * 4 + ["Saltar esta prueba"] * 5, 2):
                page.get_by_role("button", name=button, exact=True).click()
                expect(page.get_by_text(f"Paso {number} de 10:")).to_be_visible()
                wait_until_idle(page)
            page.get_by_role("button", name="Ver mi resultado", exact=True).click()
            expect(page.get_by_role("heading", name="Su resultado", exact=True)).to_be_visible(
                timeout=30000)
            wait_until_idle(page)
            expect(page.get_by_text("Qué hacer: AUTOCUIDADO").first).to_be_visible()
            body = page.inner_text("body")
            for english in ("SELF-CARE", "See a clinician if", "Tests you skipped"):
                assert english not in body, english
            check_state(page, shots, "02-spanish-result", full=True)

            page.get_by_role("link", name="Formulario clínico", exact=True).click()
            field = page.get_by_role("spinbutton", name="Edad (años)")
            expect(field).to_be_visible()
            field.fill("45")
            page.get_by_role("spinbutton", name="RI cadera izquierda (grados)").fill("22")
            page.get_by_role("spinbutton", name="RI cadera derecha (grados)").fill("38")
            page.get_by_role("button", name="Evaluar estos datos").click()
            expect(page.get_by_text("Nivel de triaje: AUTOCUIDADO")).to_be_visible()
            expect(page.get_by_text("Plan: Bisagra con rotación interna (izquierda)")) \
                .to_be_visible()
        except Exception:
            page.screenshot(path=str(shots / "failure.png"))
            print(f"\nfailure screenshot: {shots / 'failure.png'}\n"
                  f"server log:\n{server_log.read_text()}")
            raise
        finally:
            browser.close()
