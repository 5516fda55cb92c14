"""The CheckIn model: how the plan went since the last screening or check-in (docs/design.md
"Follow-up: check-ins and records"). Strict like the intake: unknown keys are rejected, a yes/no
is true or false and a score a whole number."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hipscreen.knowledge.intake import DrillId, Safety, YesNo
from hipscreen.plaintext import check_plain, visible

PSFS_MAX_ACTIVITIES = 3
PSFS_NAME_MAX_CHARS = 60

Score = Annotated[int, Field(strict=True, ge=0, le=10)]


class Sign(StrEnum):
    """What a drill should not make you feel (each drill's "you should NOT feel")."""

    low_back_pinch = "low_back_pinch"
    front_hip_pinch = "front_hip_pinch"
    hamstring_cramp = "hamstring_cramp"
    knee_caving_in = "knee_caving_in"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class DrillCheckIn(_Strict):
    """How one planned drill went, for a drill that was tried."""

    sessions: Annotated[int, Field(strict=True, ge=1, le=200, description=(
        "Sessions done since the last record (leave the drill out if it was not tried)"))]
    pain_during: Annotated[int, Field(strict=True, ge=0, le=10, description=(
        "Worst pain during the drill, 0 to 10"))]
    settled_next_morning: YesNo = Field(description="Any pain from it had settled by the next morning")
    felt: tuple[Sign, ...] = Field((), description="Signs you should not feel that you felt during it")
    too_easy: YesNo = Field(False, description="The drill has become too easy")

    @field_validator("felt")
    @classmethod
    def _each_sign_once(cls, felt: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(felt)) != len(felt):
            raise ValueError("each sign may appear once")
        return felt


def psfs_key(activity: str) -> str:
    """The activity name as compared between records: spaces collapsed, case ignored."""
    return " ".join(activity.split()).casefold()


def check_activity_name(name: str) -> str:
    """A PSFS activity name is a person's words, kept as plain text: a control character (NUL,
    ESC, ...), a format character (bidi overrides and isolates, zero-width characters) or a line
    or paragraph separator is refused, naming the activity with the character escaped. Tabs and
    line breaks are allowed: they become one space, as any run of spaces does."""
    return check_plain(name, f"the activity name '{visible(name[:40], lines=False)}'", lines=True)


def clean_psfs(psfs: dict[str, int]) -> dict[str, int]:
    """PSFS scores with each activity name trimmed; at most 3 activities, each named once, as
    plain text (`check_activity_name`)."""
    if len(psfs) > PSFS_MAX_ACTIVITIES:
        raise ValueError(f"at most {PSFS_MAX_ACTIVITIES} activities; got {len(psfs)}")
    seen: set[str] = set()
    cleaned: dict[str, int] = {}
    for name, score in psfs.items():
        check_activity_name(name)
        text = " ".join(name.split())
        if not text:
            raise ValueError("an activity needs a name")
        if len(text) > PSFS_NAME_MAX_CHARS:
            raise ValueError(f"an activity name has at most {PSFS_NAME_MAX_CHARS} characters")
        if psfs_key(text) in seen:
            raise ValueError(f"the activity {text[:40]!r} is named twice")
        seen.add(psfs_key(text))
        cleaned[text] = score
    return cleaned


Psfs = Annotated[dict[str, Score], AfterValidator(clean_psfs)]
"""Patient-Specific Functional Scale scores: activity name -> 0 (unable) .. 10 (as before)."""


class CheckIn(_Strict):
    """One check-in. The safety questions are asked again every time (`safety` is required,
    even when every answer is no: `safety: {}`)."""

    date: dt.date | None = Field(None, description="The day of the check-in; default today")
    safety: Safety = Field(description="The intake's safety questions, asked again")
    pain_now: Annotated[int, Field(strict=True, ge=0, le=10, description="Pain now, 0 to 10")]
    pain_worst_week: Annotated[int, Field(strict=True, ge=0, le=10, description=(
        "Worst pain in the last week, 0 to 10"))]
    psfs: Psfs = Field(default_factory=dict, description=(
        "Patient-Specific Functional Scale: up to 3 activities you named, each 0 (unable) to 10 "
        "(as before the problem)"))
    drills: dict[DrillId, DrillCheckIn] = Field(default_factory=dict, description=(
        "One entry per planned drill that was tried"))

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_written(cls, value):
        if isinstance(value, dt.datetime):
            raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"expected a date as YYYY-MM-DD, got {value[:40]!r}") from None
        return value

    @field_validator("pain_worst_week")
    @classmethod
    def _worst_week_holds_pain_now(cls, worst: int, info: ValidationInfo) -> int:
        now = info.data.get("pain_now")
        if now is not None and worst < now:
            raise ValueError(f"the worst pain of the last week ({worst}) cannot be less than the "
                             f"pain now ({now}): pain now is part of that week")
        return worst

    def psfs_by_key(self) -> dict[str, tuple[str, int]]:
        """PSFS scores keyed for comparison: key -> (the name as written, score)."""
        return {psfs_key(name): (name, score) for name, score in self.psfs.items()}
