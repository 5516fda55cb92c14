"""Load the YAML catalogues of knowledge/data into validated pydantic models, once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hipscreen.documents import InputError, load_yaml, read_text
from hipscreen.knowledge.intake import DrillId

DATA_DIR = Path(__file__).with_name("data")
CATALOGUE_MAX_BYTES = 5_000_000  # the shipped catalogues are ~50 kB; the limit only bounds a bad edit

TriageLevel = Literal["emergency", "urgent", "clinician_review", "self_care"]
TRIAGE_ORDER: tuple[TriageLevel, ...] = ("emergency", "urgent", "clinician_review", "self_care")
"""The triage levels, most urgent first."""


# Precautions that swap a drill for its `regresses_to` drill (the others remove it).
SWAPPING_PRECAUTIONS = frozenset({"pregnancy_supported_balance", "poor_balance_supported_start",
                                  "low_back_pinch_regresses"})


class CatalogueError(ValueError):
    """A catalogue file is unreadable or an entry is invalid; the message names file, entry, field."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Entry):
    kind: Literal["article", "guideline", "method"]
    title: str
    section: str
    text: str


class Threshold(_Entry):
    value: float
    unit: str
    description: str
    source: str


class Finding(_Entry):
    label: str
    sided: bool
    answers: list[str] = Field(min_length=1)
    source: str


class Deficit(_Entry):
    label: str
    text: str
    drills: list[str] = Field(min_length=1)
    source: str


class DoseSpec(_Entry):
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(None, ge=1, le=50)
    hold_seconds: int | None = Field(None, ge=5, le=120)
    per_side: bool
    sessions_per_week: str
    source: str

    @model_validator(mode="after")
    def _reps_or_hold(self) -> DoseSpec:
        if (self.reps is None) == (self.hold_seconds is None):
            raise ValueError("give exactly one of reps or hold_seconds")
        return self

    def text(self) -> str:
        amount = f"{self.reps} reps" if self.reps else f"{self.hold_seconds} s holds"
        side = " each side" if self.per_side else ""
        return f"{self.sets} x {amount}{side}, {self.sessions_per_week} sessions a week"


class Drill(_Entry):
    name: str
    variant: Literal["standard", "supported", "regressed", "support"]
    order: int
    purpose: str
    steps: list[str] = Field(min_length=2)
    cues: list[str] = Field(min_length=1)
    feel: list[str] = Field(min_length=1)
    dont_feel: list[str] = Field(min_length=1)
    dose: DoseSpec
    regression: str
    regresses_to: str | None
    progression: str
    progresses_to: str | None
    single_leg: bool
    precautions: list[str] = Field(description="Precaution ids that block or swap this drill")
    source: str


class RedFlag(_Entry):
    level: TriageLevel
    label: str
    when: str
    action: str
    stops_drills: bool
    source: str


class Precaution(_Entry):
    label: str
    text: str
    source: str


class MovementTest(_Entry):
    label: str
    would_check: str
    how_to: str
    source: str


class SafetyNetItem(_Entry):
    text: str
    source: str


class NotEncoded(_Entry):
    claim: str
    section: str
    why: str


class Catalogue(_Entry):
    sources: dict[str, Source]
    thresholds: dict[str, Threshold]
    findings: dict[str, Finding]
    deficits: dict[str, Deficit]
    drills: dict[str, Drill]
    red_flags: dict[str, RedFlag]
    precautions: dict[str, Precaution]
    movement_tests: dict[str, MovementTest]
    safety_net: list[SafetyNetItem]
    not_encoded: list[NotEncoded]

    def threshold(self, name: str) -> float:
        return self.thresholds[name].value

    def cite(self, source_id: str) -> str:
        """A source in words: title and section."""
        s = self.sources[source_id]
        return f"{s.title} - {s.section}"


ENTRY_FILES: dict[str, type[BaseModel]] = {  # file stem -> entry model (id -> entry)
    "sources": Source,
    "thresholds": Threshold,
    "findings": Finding,
    "deficits": Deficit,
    "drills": Drill,
    "red_flags": RedFlag,
    "precautions": Precaution,
    "movement_tests": MovementTest,
}
LIST_FILES: dict[str, type[BaseModel]] = {  # file stem -> model of each list item
    "safety_net": SafetyNetItem, "not_encoded": NotEncoded}


def _read_yaml(path: Path):
    try:
        return load_yaml(read_text(path, max_bytes=CATALOGUE_MAX_BYTES), path.name,
                         max_bytes=CATALOGUE_MAX_BYTES)
    except InputError as exc:
        raise CatalogueError(str(exc)) from None


def _error_text(path: Path, entry: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(entry)"
        lines.append(f"{path.name}: entry '{entry}', field '{field}': {err['msg']}")
    return "\n".join(lines)


def _check_references(cat: Catalogue) -> list[str]:
    problems = []

    def need(kind: str, ident: str | None, table: dict, where: str) -> None:
        if ident is not None and ident not in table:
            problems.append(f"{where}: unknown {kind} '{ident}'")

    for name, table in (("findings", cat.findings), ("deficits", cat.deficits),
                        ("drills", cat.drills), ("red_flags", cat.red_flags),
                        ("precautions", cat.precautions), ("thresholds", cat.thresholds)):
        for key, entry in table.items():
            need("source", entry.source, cat.sources, f"{name}.yaml: entry '{key}', field 'source'")
    for key, deficit in cat.deficits.items():
        for drill in deficit.drills:
            need("drill", drill, cat.drills, f"deficits.yaml: entry '{key}', field 'drills'")
    for key, drill in cat.drills.items():
        where = f"drills.yaml: entry '{key}'"
        need("source", drill.dose.source, cat.sources, f"{where}, field 'dose.source'")
        need("drill", drill.regresses_to, cat.drills, f"{where}, field 'regresses_to'")
        need("drill", drill.progresses_to, cat.drills, f"{where}, field 'progresses_to'")
        for prec in drill.precautions:
            need("precaution", prec, cat.precautions, f"{where}, field 'precautions'")
            if prec in SWAPPING_PRECAUTIONS and drill.regresses_to is None:
                problems.append(f"{where}, field 'precautions': '{prec}' swaps the drill for its "
                                "regression, but regresses_to is empty")
    for key, test in cat.movement_tests.items():
        need("source", test.source, cat.sources, f"movement_tests.yaml: entry '{key}', field 'source'")
    for index, item in enumerate(cat.safety_net):
        need("source", item.source, cat.sources, f"safety_net.yaml: entry #{index + 1}, field 'source'")
    known = {d.value for d in DrillId}
    if set(cat.drills) != known:
        problems.append(
            "drills.yaml: drill ids must match the intake's DrillId list; "
            f"only in the catalogue: {sorted(set(cat.drills) - known)}, "
            f"only in DrillId: {sorted(known - set(cat.drills))}")
    return problems


def load_catalogue(data_dir: Path = DATA_DIR) -> Catalogue:
    """Read and validate every catalogue file of `data_dir`; raise CatalogueError on any problem."""
    raw: dict[str, object] = {}
    problems: list[str] = []
    for name, model in ENTRY_FILES.items():
        path = data_dir / f"{name}.yaml"
        data = _read_yaml(path)
        if not isinstance(data, dict):
            problems.append(f"{path.name}: expected a mapping of id -> entry")
            continue
        entries = {}
        for key, value in data.items():
            try:
                entries[key] = model.model_validate(value)
            except ValidationError as exc:
                problems.append(_error_text(path, str(key), exc))
        raw[name] = entries
    for name, model in LIST_FILES.items():
        path = data_dir / f"{name}.yaml"
        data = _read_yaml(path)
        if not isinstance(data, list):
            problems.append(f"{path.name}: expected a list of entries")
            continue
        items = []
        for index, value in enumerate(data):
            try:
                items.append(model.model_validate(value))
            except ValidationError as exc:
                problems.append(_error_text(path, f"#{index + 1}", exc))
        raw[name] = items
    if problems:
        raise CatalogueError("\n".join(problems))
    cat = Catalogue.model_validate(raw)
    problems = _check_references(cat)
    if problems:
        raise CatalogueError("\n".join(problems))
    return cat


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded and validated once per process."""
    return load_catalogue()
