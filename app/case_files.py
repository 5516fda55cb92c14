"""Case files in the app: an intake drafted as a case file, and the case lab's helpers (the
folder to offer, an uploaded file read in memory, the differences as a table)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hipscreen.cases import CaseError, CaseFile, CaseResult, load_case_text
from hipscreen.documents import InputError, decode
from hipscreen.result import Result

if TYPE_CHECKING:  # pandas is imported by the functions that build a table, not by every page
    import pandas as pd

_CASE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def case_id_from(text: str) -> str:
    """A case id (lowercase words joined by hyphens) from any title."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "new-case"


def case_file_yaml(result: Result, *, case_id: str = "new-case",
                   title: str = "Intake saved from the app",
                   story: str = "Describe the case in words before adding it to cases/.",
                   source: str = "hipscreen app intake") -> str:
    """The result's intake as a case-file YAML (docs/design.md "Case files"), with `expect` filled
    from what the screen concluded, for a clinician to check and turn into a documented case."""
    if not _CASE_ID.match(case_id):
        raise ValueError(f"case id {case_id!r}: use lowercase words joined by hyphens")
    intake = result.intake.model_dump(mode="json", exclude_defaults=True)
    intake = {"mode": result.intake.mode, **intake}
    expect: dict[str, Any] = {"triage": result.triage.level}
    deficits = list(dict.fromkeys(result.deficit_ids()))
    if deficits:
        expect["deficits"] = deficits
    if result.plan:
        expect["drills"] = result.drill_ids()
    doc = {"id": case_id, "title": title, "story": story, "source": source,
           "intake": intake, "expect": expect}
    header = ("# Drafted by hipscreen from an intake. Check the story and what `expect` says\n"
              "# before you add it to cases/ (the file stem must equal the id).\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


# -- the case lab --------------------------------------------------------------------------------
def default_cases_dir() -> Path | None:
    """The case folder to offer first: ./cases where the app was started, else the checkout's
    cases/, else the case files installed with hipscreen; None when there are none."""
    from hipscreen.cases import default_cases_dir as cases_dir

    folder = cases_dir()
    return folder if folder.is_dir() else None


def case_from_upload(name: str, data: bytes) -> CaseFile:
    """Validate an uploaded case file in memory (nothing is written to disk); raise CaseError
    naming the file, the field and what was expected, as the case runner does for a path."""
    try:
        text = decode(data, name)
    except InputError as exc:
        raise CaseError(str(exc)) from None
    return load_case_text(text, name)


def differences_frame(result: CaseResult) -> pd.DataFrame:
    """One row per expectation a case does not meet: field, id, expected, actual, and the rule
    base's explanation."""
    import pandas as pd

    return pd.DataFrame(
        [{"field": d.field, "id": d.id or "", "expected": d.expected, "actual": d.actual,
          "explanation": d.explanation or ""} for d in result.differences],
        columns=["field", "id", "expected", "actual", "explanation"])
