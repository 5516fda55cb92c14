"""What every page state walked in a real browser must pass, and where its screenshots go.

* axe-core (the copy bundled with axe-playwright-python, injected into the page: nothing is
  downloaded) finds no violation of any of its rules on the page as it is;
* every tick box row and radio answer (the box and its words: one tap target) is at least
  44 x 44 CSS pixels (WCAG 2.5.5), in any viewport;
* a screenshot of the state is kept: under $HIPSCREEN_SCREENSHOTS/<test> when that is set (CI
  keeps them as artefacts), else in the test's temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TAP_TARGET_PX = 44
TAP_TARGETS = '[data-testid="stCheckbox"] > label, [data-testid="stRadioOption"]'

_axe = None


def axe():
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


def screenshot_folder(request, tmp_path) -> Path:
    """Where a test keeps its screenshots (the `screenshots` fixture of the browser tests):
    $HIPSCREEN_SCREENSHOTS/<test> when set, else the test's temporary folder."""
    base = os.environ.get("HIPSCREEN_SCREENSHOTS")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = Path(base) / name if base else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_until_idle(page) -> None:
    """Wait for the script run to finish (Streamlit marks its root element)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def axe_violations(page) -> list[str]:
    """Every axe-core violation on the page, one line each (rule, impact, where, why)."""
    found = axe().run(page).response["violations"]
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            why = "; ".join(check["message"] for kind in ("any", "all", "none")
                            for check in node.get(kind, []))
            lines.append(f"{violation['id']} ({violation['impact']}) at {node['target']}: "
                         f"{why} | {node['html'][:160]}")
    return lines


def small_tap_targets(page) -> list[str]:
    """Tick box rows and radio answers on the page smaller than 44 x 44 pixels (hidden ones,
    e.g. in a closed expander, left out)."""
    return page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
             .map((el) => [el, el.getBoundingClientRect()])
             .filter(([el, box]) => box.width > 0 && box.height > 0
                     && (box.height < least - 0.5 || box.width < least - 0.5))
             .map(([el, box]) => `${el.textContent.trim().slice(0, 60)}: ` +
                                 `${box.width.toFixed(0)} x ${box.height.toFixed(0)}`)""",
        [TAP_TARGETS, TAP_TARGET_PX])


def check_state(page, shots: Path, name: str, *, full: bool = False) -> None:
    """The page as it is now: a screenshot kept as <name>.png, then no axe-core violation and no
    tick box or radio answer under 44 px."""
    wait_until_idle(page)
    page.locator('[data-testid="stSkeleton"]').first.wait_for(state="detached")  # all drawn
    # tables and charts draw after the run: wait for them, so they are checked and shown too
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                    '[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')]
                   .filter((e) => e.getClientRects().length)  // not in a hidden tab
                   .every((e) => e.querySelector('canvas, svg'))""", timeout=15_000)
    page.wait_for_timeout(150)
    shot(page, shots / f"{name}.png", full=full)
    problems = axe_violations(page)
    assert not problems, f"{name}: axe-core found:\n" + "\n".join(problems)
    small = small_tap_targets(page)
    assert not small, f"{name}: tap targets under {TAP_TARGET_PX} px: {small}"


def shot(page, path: Path, *, full: bool = False) -> None:
    """A screenshot of the viewport; `full`: of the whole page (Streamlit scrolls inside its
    main container, so the window grows to the content for a moment)."""
    if not full:
        page.screenshot(path=str(path))
        return
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight, ...['stMain', 'stAppViewContainer']
             .map(id => document.querySelector(`[data-testid="${id}"]`))
             .filter(Boolean).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 16_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    page.wait_for_timeout(200)


def in_view(page, locator) -> bool:
    """The element's top is on the screen (below the app's header bar)."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"] - 60
