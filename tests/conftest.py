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
