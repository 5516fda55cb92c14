"""Saved runs (`--save`) and what changed since one (`--baseline`), case by case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from hipscreen.cases.files import CaseError, StrictModel
from hipscreen.cases.outcome import CaseResult, Outcome
from hipscreen.documents import InputError, describe_validation_error, load_json, read_text

SAVED_RUN_FORMAT = "hipscreen-case-outcomes"
MAX_SAVED_RUN_BYTES = 100_000_000  # a saved run holds every case's outcome: bigger than one file


class SavedRun(StrictModel):
    """`--save FILE`: every case's actual outcome, to compare a later rule base against."""

    format: Literal["hipscreen-case-outcomes"] = SAVED_RUN_FORMAT
    version: Literal[1] = 1
    saved_at: str = Field(description="UTC time of the run, ISO 8601")
    outcomes: dict[str, Outcome] = Field(description="Case id -> its actual outcome")


class CaseChange(StrictModel):
    """What changed for one case between the baseline run and this one."""

    id: str
    change: Literal["changed", "new", "removed"] = Field(
        description="new: not in the baseline; removed: in the baseline but not run now")
    triage: str | None = Field(None, description="'before -> after' when the triage changed")
    deficits_added: list[str] = []
    deficits_removed: list[str] = []
    deficits_changed: list[str] = Field(
        default_factory=list, description="Same deficit, other side, confidence or certainty")
    drills_added: list[str] = []
    drills_removed: list[str] = []
    drills_changed: list[str] = Field(
        default_factory=list, description="Same drill, other side or variant")

    def lines(self) -> list[str]:
        if self.change != "changed":
            return ["new case, not in the baseline" if self.change == "new"
                    else "in the baseline, not run now"]
        out = [f"triage {self.triage}"] if self.triage else []
        for label, values in (("deficits added", self.deficits_added),
                              ("deficits removed", self.deficits_removed),
                              ("deficits changed", self.deficits_changed),
                              ("drills added", self.drills_added),
                              ("drills removed", self.drills_removed),
                              ("drills changed", self.drills_changed)):
            if values:
                out.append(f"{label}: {', '.join(values)}")
        return out


class BaselineComparison(StrictModel):
    baseline: str = Field(description="The saved run compared against")
    cases_compared: int
    unchanged: int
    changes: list[CaseChange]


def _deficit_key(outcome: Outcome) -> dict[str, str]:
    by_id: dict[str, list[str]] = {}
    for d in outcome.deficits:
        by_id.setdefault(d.id, []).append(f"{d.side} {d.confidence} {d.certainty:g}")
    return {k: ", ".join(sorted(v)) for k, v in by_id.items()}


def _drill_key(outcome: Outcome) -> dict[str, str]:
    return {d.drill: f"{d.side} {d.variant}" for d in outcome.drills}


def _diff_maps(before: dict[str, str], after: dict[str, str]):
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed = [f"{k} ({before[k]} -> {after[k]})" for k in after
               if k in before and before[k] != after[k]]
    return added, removed, changed


def compare_outcomes(before: Outcome, after: Outcome, case_id: str) -> CaseChange | None:
    """The change of one case between two outcomes, or None when nothing the case file can
    expect (triage, deficits, drills) changed."""
    d_add, d_rem, d_chg = _diff_maps(_deficit_key(before), _deficit_key(after))
    p_add, p_rem, p_chg = _diff_maps(_drill_key(before), _drill_key(after))
    triage = f"{before.triage} -> {after.triage}" if before.triage != after.triage else None
    if not (triage or d_add or d_rem or d_chg or p_add or p_rem or p_chg):
        return None
    return CaseChange(id=case_id, change="changed", triage=triage, deficits_added=d_add,
                      deficits_removed=d_rem, deficits_changed=d_chg, drills_added=p_add,
                      drills_removed=p_rem, drills_changed=p_chg)


def compare_runs(baseline: SavedRun, current: SavedRun, *, baseline_name: str = "baseline",
                 partial: bool = False) -> BaselineComparison:
    """Case by case, what changed from `baseline` to `current`. With `partial` (an --only
    run) cases of the baseline that were not run now are not reported as removed."""
    changes: list[CaseChange] = []
    compared = unchanged = 0
    for case_id, after in current.outcomes.items():
        before = baseline.outcomes.get(case_id)
        if before is None:
            changes.append(CaseChange(id=case_id, change="new"))
            continue
        compared += 1
        change = compare_outcomes(before, after, case_id)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    if not partial:
        changes += [CaseChange(id=case_id, change="removed")
                    for case_id in baseline.outcomes if case_id not in current.outcomes]
    return BaselineComparison(baseline=baseline_name, cases_compared=compared,
                              unchanged=unchanged, changes=changes)


def saved_run(results: Sequence[CaseResult]) -> SavedRun:
    return SavedRun(saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    outcomes={r.id: r.outcome for r in results if r.outcome is not None})


def save_run(results: Sequence[CaseResult], path: Path | str,
             inputs: Sequence[Path | str | None] = ()) -> SavedRun:
    """Write the run atomically (`hipscreen.outfile`): an interrupted save leaves the file that
    was there whole; a symlink, a folder or one of the case files `inputs` is refused."""
    from hipscreen.outfile import OutputPathError, write_file

    run = saved_run(results)
    try:  # case files are made-up people: the run is not private
        write_file(path, run.model_dump_json(indent=2) + "\n", inputs=inputs, private=False)
    except OutputPathError as exc:
        raise CaseError(f"cannot write the saved run: {exc}") from None
    return run


def load_run(path: Path | str) -> SavedRun:
    """Read a file written by --save; raise CaseError when it is missing or not such a file."""
    try:
        data = load_json(read_text(path, max_bytes=MAX_SAVED_RUN_BYTES), str(path),
                         max_bytes=MAX_SAVED_RUN_BYTES)
    except InputError as exc:
        raise CaseError(f"cannot read the baseline: {exc}") from None
    try:
        return SavedRun.model_validate(data)
    except ValidationError as exc:
        first = describe_validation_error(exc, str(path), SavedRun).splitlines()[0]
        raise CaseError(f"not a saved case run (written by `hipscreen cases --save`): "
                        f"{first}") from None


