"""The case-file model (docs/design.md "Case files") and reading case files from disk or uploads."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from hipscreen.documents import (
    MAX_BYTES,
    InputError,
    describe_validation_error,
    load_mapping,
    read_text,
    shorten,
)
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.checkin import CheckIn, Psfs
from hipscreen.knowledge.intake import Intake
from hipscreen.result import TriageLevel

CASE_SUFFIXES = (".yaml", ".yml")
DEFAULT_PATH = "cases"
# The documented cases ship in the package as hipscreen/cases/documented/ (the repository's cases/,
# [tool.setuptools] in pyproject.toml), so `hipscreen cases` and `hipscreen lint` work after a pip
# install; a source checkout keeps reading its own cases/.
SHIPPED_SUBDIR = "documented"
_SOURCE_ROOT = Path(__file__).resolve().parents[3]  # the checkout, when run from src/hipscreen/

EXIT_PASS, EXIT_FAIL, EXIT_INVALID = 0, 1, 2
STOPPING_LEVELS = ("emergency", "urgent")  # docs/design.md "Safety": no drills at these levels


class CaseError(Exception):
    """A case file, path or saved run cannot be used; the message names where and why."""


# -- the case file model ---------------------------------------------------------------------
def _known_id(kind: str):
    def check(value: str) -> str:
        known = getattr(catalogue(), kind)
        if value not in known:
            raise ValueError(f"unknown {kind[:-1]} id {value!r}; expected one of: "
                             f"{', '.join(sorted(known))}")
        return value

    return check


DeficitId = Annotated[str, AfterValidator(_known_id("deficits"))]
DrillId = Annotated[str, AfterValidator(_known_id("drills"))]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(StrictModel):
    """What must follow from a case's intake. Only `triage` is required."""

    triage: TriageLevel = Field(description="The exact triage level")
    deficits: list[DeficitId] = Field(
        default_factory=list, description="Each must be concluded (likely or possible)")
    not_deficits: list[DeficitId] = Field(
        default_factory=list, description="None of these may be concluded")
    drills: list[DrillId] = Field(default_factory=list, description="Each must be in the plan")
    not_drills: list[DrillId] = Field(
        default_factory=list, description="None of these may be in the plan")
    # a check-in case only (the case has a `checkin`): what the review must decide
    decisions: dict[DrillId, Literal["progress", "keep", "regress", "stop"]] = Field(
        default_factory=dict, description="Check-in cases: drill under review -> its decision")
    worse: bool | None = Field(
        None, description="Check-in cases: whether pain or function must be found worse "
                          "(by a change that matters) against the previous record")

    @model_validator(mode="after")
    def _not_both(self) -> Expect:
        for kind in ("deficits", "drills"):
            both = sorted(set(getattr(self, kind)) & set(getattr(self, f"not_{kind}")))
            if both:
                raise ValueError(f"{', '.join(both)} cannot be both in {kind} and in not_{kind}")
        if self.drills and self.triage in STOPPING_LEVELS:
            raise ValueError(f"drills: no drill is ever planned at {self.triage} (a red flag at "
                             "that level stops the plan), so this case could never pass; expected "
                             "no drills, or move them to not_drills")
        return self


class CaseFile(StrictModel):
    """One documented case, as written in cases/*.yaml."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Unique; also the file stem")
    # A documented case has all three; they are optional so that a held-out case file that
    # leaves one out still runs (nothing is concluded from them).
    title: str | None = Field(None, min_length=1)
    story: str | None = Field(None, min_length=1, description="The documented case, in words")
    source: str | None = Field(None, min_length=1, description="Article section or guideline row")
    intake: Intake
    # A check-in case (docs/design.md "Follow-up"): the intake is the screening whose plan the
    # check-in reviews; `expect` is about the review, its `drills` about the updated plan.
    psfs: Psfs | None = Field(
        None, description="Check-in cases: the PSFS activities named when the screening was saved")
    earlier_checkins: list[CheckIn] = Field(
        default_factory=list, description="Check-in cases: check-ins already made, oldest first")
    checkin: CheckIn | None = Field(None, description="The check-in under review")
    expect: Expect

    @model_validator(mode="after")
    def _checkin_keys_need_a_checkin(self) -> CaseFile:
        if self.checkin is None:
            given = [k for k in ("psfs", "earlier_checkins") if getattr(self, k)]
            given += [f"expect.{k}" for k in ("decisions", "worse")
                      if getattr(self.expect, k) not in ({}, None)]
            if given:
                raise ValueError(f"{', '.join(given)}: only for a check-in case; expected a "
                                 "'checkin' too")
        else:
            if self.expect.deficits or self.expect.not_deficits:
                raise ValueError("expect.deficits, expect.not_deficits: a check-in review concludes "
                                 "no deficits, so this case could never pass; leave them out")
        return self


def load_case_text(text: str, name: str | Path, *, max_bytes: int = MAX_BYTES) -> CaseFile:
    """Validate a case file's text; `name` is its file name (the id must equal its stem). Raise
    CaseError naming the file, the field and what was expected. Used for files and uploads."""
    try:
        data = load_mapping(text, str(name), max_bytes=max_bytes,
                            expected=f"case-file keys ({', '.join(CaseFile.model_fields)})")
    except InputError as exc:
        raise CaseError(str(exc)) from None
    try:
        case = CaseFile.model_validate(data)
    except ValidationError as exc:
        raise CaseError(describe_validation_error(exc, str(name), CaseFile)) from None
    stem = Path(name).stem
    if case.id != stem:
        raise CaseError(f"{name}: field 'id': expected the file stem {shorten(stem)} "
                        f"(got {shorten(case.id)})")
    return case


def load_case(path: Path, *, max_bytes: int = MAX_BYTES) -> CaseFile:
    """Read and validate one case file; raise CaseError naming the file, field and expectation."""
    try:
        text = read_text(path, max_bytes=max_bytes)
    except InputError as exc:
        raise CaseError(str(exc)) from None
    return load_case_text(text, path, max_bytes=max_bytes)


def shipped_cases_dir() -> Path | None:
    """The case files installed with the package (importlib.resources), or None when the package
    has none on disk (a build that left them out, or a zip import)."""
    from importlib import resources

    folder = resources.files("hipscreen.cases").joinpath(SHIPPED_SUBDIR)
    return folder if isinstance(folder, Path) and folder.is_dir() else None


def checkout_cases_dir() -> Path | None:
    """The cases/ of the source checkout this package is imported from (src/hipscreen/ beside
    pyproject.toml), or None for an installed package."""
    if Path(__file__).resolve().parents[2].name != "src":
        return None
    folder = _SOURCE_ROOT / DEFAULT_PATH
    return folder if (_SOURCE_ROOT / "pyproject.toml").is_file() and folder.is_dir() else None


def default_cases_dir() -> Path:
    """The case files to run when none are named: ./cases where the command runs (as given, so
    messages say cases/...); else the checkout's cases/, so an edited case file counts at once;
    else the copy installed with the package. When there is none, ./cases, which then is
    reported missing."""
    if Path(DEFAULT_PATH).is_dir():
        return Path(DEFAULT_PATH)
    return checkout_cases_dir() or shipped_cases_dir() or Path(DEFAULT_PATH)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Case files under the paths (files, or directories searched recursively), and problems
    (a path that does not exist, a directory without case files) as (path, message)."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
            if not found:
                problems.append((path, f"{path}: no case files (*.yaml, *.yml) in this directory"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append((path, f"{path}: no such file or directory"))
    unique = {p.resolve(): p for p in reversed(files)}  # first mention wins, as given
    return list(reversed(unique.values())), problems


