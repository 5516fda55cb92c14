"""What the FHIR tests share: a QuestionnaireResponse as plain JSON, the small self-screen
response the refusal tests break, and one item of a response found by its linkId."""

from __future__ import annotations

import json
from typing import Any

from hipscreen.fhir import response_from_intake
from hipscreen.knowledge.intake import Intake


def response(intake: Intake, release: str = "R4B") -> dict[str, Any]:
    """The intake as a QuestionnaireResponse, as JSON (what a client would send)."""
    return json.loads(response_from_intake(intake, release).model_dump_json())


def base_response() -> dict[str, Any]:
    """A valid self-screen response (safety asked, nothing ticked) for a test to break."""
    return response(Intake(age=34, activities=["running"], safety={},
                           symptoms={"pain_now": 2, "pain_worst_week": 4},
                           movement={"hip_shift": "right"}))


def find_item(resp: dict[str, Any], link_id: str) -> dict[str, Any]:
    """The item of `resp` (at any depth) with this linkId; KeyError when there is none."""
    stack = list(resp["item"])
    while stack:
        item = stack.pop()
        if item["linkId"] == link_id:
            return item
        stack += item.get("item", [])
    raise KeyError(link_id)
