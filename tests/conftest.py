"""Shared fixtures: a rich self-care intake most tests start from."""

import copy

import pytest

RICH_INTAKE = {
    "mode": "self",
    "age": 34,
    "activities": ["running", "lifting"],
    "safety": {},
    "symptoms": {"pain_now": 3, "pain_worst_week": 5, "weeks": 10, "keeps_coming_back": True,
                 "locations": ["low_back_right"], "worse_with": ["after_leg_day"],
                 "stretching_only_temporary_relief": True},
    "movement": {"hip_shift": "right", "knee_collapse": "none", "hinge_faults": ["back_rounds"]},
}


@pytest.fixture
def rich_intake() -> dict:
    return copy.deepcopy(RICH_INTAKE)


# Markers: `uv run pytest` runs everything; `-m "not browser"` leaves out the real-Chromium
# tests and `-m "not slow"` the ones that start processes or kill them (a quick loop while
# editing rules). Marked here by file and name, so a new test in those files is marked too.
BROWSER_FILES = frozenset({"test_browser.py", "test_records_browser.py", "test_fhir_lforms.py"})
SLOW_WORDS = ("process", "kill", "concurren", "migration", "wheel")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif any(word in item.name.lower() for word in SLOW_WORDS) or item.path.name in (
                "test_wheel.py", "test_records_integrity.py"):
            item.add_marker(pytest.mark.slow)
