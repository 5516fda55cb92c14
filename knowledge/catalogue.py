"""Load the YAML catalogues of knowledge/data into validated pydantic models, once."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hipscreen.documents import InputError, field_problems, load_yaml, read_text
from hipscreen.i18n import N_, SOURCE_LANGUAGE, current_language, translate, use_language
from hipscreen.knowledge.intake import DrillId

DATA_DIR = Path(__file__).with_name("data")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\.(number))?\}")
"""{threshold_name} or {threshold_name.number} in a catalogue text or a rule's docstring."""
T = TypeVar("T")
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


SourceKind = Literal["article", "guideline", "method", "heuristic"]
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")


class Source(_Entry):
    """A source a rule or catalogue entry cites, with its full reference (authors, year, title,
    venue, and a DOI or URL) and the part of it that is cited (`section`, `text`).

    `kind`: `article` is a section of the source article (the seed text, a clinic blog post);
    `guideline` a published guideline; `method` a published method or measure; `heuristic` one
    of hipscreen's own choices, for every number no reference gives (`hipscreen-heuristic`).
    Only an article or a heuristic may go without a DOI or URL, and any reference without a link
    or a year says why in `not_known`: neither is ever invented."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: SourceKind
    authors: str = Field(min_length=2, description="Authors as cited (Finucane LM, Downie A, "
                                                   "et al.) or the body that published it (NICE)")
    year: int | None = Field(ge=1900, le=2100, description="Year published; null only when it is "
                                                           "not known, said in not_known")
    title: str = Field(min_length=3, description="The title of the work as published")
    venue: str = Field(min_length=3, description="Journal with volume and pages, publisher, or "
                                                 "publishing body")
    doi: str | None = Field(None, pattern=DOI.pattern, description="A DOI, without 'doi:'")
    url: str | None = Field(None, pattern=URL.pattern)
    not_known: str | None = Field(None, min_length=10, description=(
        "What of the reference is not known (no DOI or URL, no year) and why"))
    section: str = Field(description="The part of the work that is cited")
    text: str = Field(description="What the cited part says, in plain words")
    weights: str | None = Field(None, description=(
        "For a source that evidence weights cite (evidence.yaml) but that gives no numbers: the "
        "source of the numbers, a heuristic (hipscreen-heuristic)"))
    superseded_by: str | None = Field(None, description=(
        "A duplicate kept as vocabulary (stored results cite it): the source to cite instead"))

    @model_validator(mode="after")
    def _full_reference(self) -> Source:
        unlinked = self.doi is None and self.url is None
        may_lack = self.kind in ("article", "heuristic")
        if unlinked and not may_lack:
            raise ValueError(f"a {self.kind} needs a doi or a url")
        if (unlinked or self.year is None) and not self.not_known:
            raise ValueError("say in not_known why there is no doi, url or year (never invent one)")
        if self.not_known and not (unlinked or self.year is None):
            raise ValueError("not_known is only for a reference without a doi, url or year")
        return self

    def reference(self) -> str:
        """The full reference in one line: authors, title, venue, year, and the DOI or URL."""
        when = f"{self.year}" if self.year is not None else "n.d."
        link = f" doi:{self.doi}" if self.doi else f" {self.url}" if self.url else ""
        return f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.venue}; {when}.{link}"


class Threshold(_Entry):
    """A number a rule compares an answer with: the rules, the reference, why-not and the app all
    read it from here, so changing `value` changes every one of them."""

    value: float
    unit: str
    comparison: Literal["below", "at_least", "above"] = Field(
        description="How a rule uses it: the answer is below the value, at least the value, or "
                    "above it")
    description: str
    source: str

    def number(self) -> str:
        """The value with its unit: '30 degrees', '8/10', '0.6' (the unit as this catalogue's
        language words it)."""
        if not self.unit:
            return f"{self.value:g}"
        joiner = "" if self.unit.startswith("/") else " "
        return f"{self.value:g}{joiner}{self.unit}"

    def words(self) -> str:
        """The comparison in words, in the current language: 'below 30 degrees', 'at least
        8/10', 'above 5/10'."""
        phrase = {"below": N_("below {number}"), "at_least": N_("at least {number}"),
                  "above": N_("above {number}")}[self.comparison]
        return translate(phrase).format(number=self.number())

    def holds(self, value: float) -> bool:
        """Whether an answer meets this threshold's comparison."""
        if self.comparison == "below":
            return value < self.value
        return value > self.value if self.comparison == "above" else value >= self.value


class EvidenceWeight(_Entry):
    """How strongly a finding supports a deficit (a certainty factor in (0, 1]), used by the
    evidence rule with this entry's id."""

    finding: str | list[str] = Field(description="The finding id(s) the rule matches")
    deficit: str
    weight: float = Field(gt=0, le=1)
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
        """The dose in words, in the current language: '3 x 30 s holds each side, 3-5
        sessions a week'."""
        amount = (translate("{reps} reps").format(reps=self.reps) if self.reps
                  else translate("{seconds} s holds").format(seconds=self.hold_seconds))
        if self.per_side:
            amount = translate("{amount} each side").format(amount=amount)
        return translate("{sets} x {amount}, {sessions} sessions a week").format(
            sets=self.sets, amount=amount, sessions=self.sessions_per_week)


PICTURE_NAME = re.compile(r"^pictures/[a-z0-9_]+\.svg$")
"""A picture of the knowledge base: an SVG file in knowledge/data/pictures/, named from the data
folder (the same path the PDF report and the app read)."""


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
    one_side_note: str | None = Field(
        None, description="A single-leg drill's instruction when the plan trains it on one side "
                          "only; <side> stands for that side")
    precautions: list[str] = Field(description="Precaution ids that block or swap this drill")
    picture: str = Field(pattern=PICTURE_NAME.pattern,
                         description="Start and end position as a line figure: pictures/<id>.svg")
    picture_alt: str = Field(min_length=20, description="The picture in words (its alt text)")
    source: str

    @model_validator(mode="after")
    def _one_side_note_for_single_leg(self) -> Drill:
        if self.single_leg != (self.one_side_note is not None):
            raise ValueError("a single-leg drill needs a one_side_note, and only a single-leg drill has one")
        return self


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
    picture: str = Field(pattern=PICTURE_NAME.pattern,
                         description="How to do the test, as a line figure: pictures/<name>.svg")
    picture_alt: str = Field(min_length=20, description="The picture in words (its alt text)")
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
    evidence: dict[str, EvidenceWeight]
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

    def with_numbers(self, text: str) -> str:
        """`text` with each {threshold_name} replaced by that threshold in words ('below 30
        degrees'), so prose never copies a number; {threshold_name.number} gives the number."""
        def fill(match: re.Match) -> str:
            name, part = match.group(1), match.group(2)
            threshold = self.thresholds.get(name)
            if threshold is None:
                return match.group(0)
            return threshold.number() if part == "number" else threshold.words()

        return PLACEHOLDER.sub(fill, text)

    def cite(self, source_id: str) -> str:
        """A source in words: title and section."""
        s = self.sources[source_id]
        return f"{s.title} - {s.section}"


ENTRY_FILES: dict[str, type[BaseModel]] = {  # file stem -> entry model (id -> entry)
    "sources": Source,
    "thresholds": Threshold,
    "evidence": EvidenceWeight,
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


def _check_references(cat: Catalogue) -> list[str]:
    problems = []

    def need(kind: str, ident: str | None, table: dict, where: str) -> None:
        if ident is not None and ident not in table:
            problems.append(f"{where}: unknown {kind} '{ident}'")

    for key, entry in cat.evidence.items():
        where = f"evidence.yaml: entry '{key}'"
        for finding in [entry.finding] if isinstance(entry.finding, str) else entry.finding:
            need("finding", finding, cat.findings, f"{where}, field 'finding'")
        need("deficit", entry.deficit, cat.deficits, f"{where}, field 'deficit'")
    for where, text in _texts(cat):
        for match in PLACEHOLDER.finditer(text):
            need("threshold", match.group(1), cat.thresholds, where)
    for name, table in (("findings", cat.findings), ("deficits", cat.deficits),
                        ("drills", cat.drills), ("red_flags", cat.red_flags),
                        ("precautions", cat.precautions), ("thresholds", cat.thresholds),
                        ("evidence", cat.evidence)):
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


def missing_pictures(cat: Catalogue, data_dir: Path = DATA_DIR) -> list[str]:
    """A drill or movement test whose picture file is not in the data folder."""
    problems = []
    for file, table in (("drills.yaml", cat.drills), ("movement_tests.yaml", cat.movement_tests)):
        for key, entry in table.items():
            if not (Path(data_dir) / entry.picture).is_file():
                problems.append(f"{file}: entry '{key}', field 'picture': no such file "
                                f"'{entry.picture}' in {Path(data_dir).name}/")
    return problems


@dataclass
class CatalogueFiles:
    """The catalogue files of one data directory as read: each file's raw content (kept when an
    entry does not validate, so `hipscreen lint` can run its other checks), the validated
    entries, and every problem as (where, what) naming the file, the entry and the field."""

    raw: dict[str, dict | list] = field(default_factory=dict)
    valid: dict[str, dict[str, BaseModel] | list[BaseModel]] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _validate(model: type[BaseModel], value, where: str, files: CatalogueFiles):
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        files.problems += [(f"{where}, field '{problem.field}'", problem.text)
                           for problem in field_problems(exc, model)]
        return None


def read_catalogue_files(data_dir: Path = DATA_DIR) -> CatalogueFiles:
    """Read and validate every catalogue file of `data_dir`, entry by entry; never raises for
    bad content (see `CatalogueFiles.problems`). Both `load_catalogue` and lint use it."""
    files = CatalogueFiles()
    for name, model in {**ENTRY_FILES, **LIST_FILES}.items():
        path = Path(data_dir) / f"{name}.yaml"
        try:
            data = _read_yaml(path)
        except CatalogueError as exc:
            files.problems.append((path.name, str(exc).removeprefix(f"{path.name}: ")))
            data = None
        as_list = name in LIST_FILES
        if not isinstance(data, list if as_list else dict):
            if data is not None or not files.problems or files.problems[-1][0] != path.name:
                files.problems.append((path.name, "expected a list of entries" if as_list
                                       else "expected a mapping of id -> entry"))
            files.raw[name], files.valid[name] = ([], []) if as_list else ({}, {})
            continue
        files.raw[name] = data
        if as_list:
            checked = (_validate(model, v, f"{path.name}: entry #{i + 1}", files)
                       for i, v in enumerate(data))
            files.valid[name] = [entry for entry in checked if entry is not None]
        else:
            checked = ((str(k), _validate(model, v, f"{path.name}: entry '{k}'", files))
                       for k, v in data.items())
            files.valid[name] = {k: entry for k, entry in checked if entry is not None}
    return files


def load_source_catalogue(data_dir: Path = DATA_DIR) -> Catalogue:
    """Read and validate every catalogue file of `data_dir` as written (English, with its
    {threshold} placeholders); raise CatalogueError on any problem."""
    files = read_catalogue_files(data_dir)
    if files.problems:
        raise CatalogueError("\n".join(f"{where}: {what}" for where, what in files.problems))
    cat = Catalogue.model_validate(files.valid)
    problems = _check_references(cat) + missing_pictures(cat, data_dir)
    if problems:
        raise CatalogueError("\n".join(problems))
    return cat


def load_catalogue(data_dir: Path = DATA_DIR, lang: str = SOURCE_LANGUAGE) -> Catalogue:
    """Read and validate every catalogue file of `data_dir`; raise CatalogueError on any problem.
    The texts are in `lang` (English by default), with their numbers filled in."""
    return _in_language(load_source_catalogue(data_dir), lang)


# -- languages ----------------------------------------------------------------------------------
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "thresholds": ("unit", "description"),
    "findings": ("label",),
    "deficits": ("label", "text"),
    "drills": ("name", "purpose", "steps", "cues", "feel", "dont_feel", "regression",
               "progression", "one_side_note", "picture_alt"),
    "red_flags": ("label", "when", "action"),
    "precautions": ("label", "text"),
    "movement_tests": ("label", "would_check", "how_to", "picture_alt"),
    "safety_net": ("text",),
}
"""The texts of each catalogue file a person or a clinician reads, translated when the catalogue
is read in another language (the `knowledge` message domain). Ids, numbers, sources, citations,
`variant`, `level`, pictures and anything a rule compares are never translated, so the rules
conclude the same in every language."""


def _msgid(text: str) -> str:
    """A catalogue text as a message id: without the spaces and line end YAML may leave
    around it."""
    return text.strip()


def knowledge_texts(cat: Catalogue) -> Iterator[tuple[str, str]]:
    """(where, message id) for every text of a source catalogue that TRANSLATED_FIELDS names,
    in file order; what `hipscreen lint` and the catalogue update extract for the knowledge
    domain."""
    for name, fields in TRANSLATED_FIELDS.items():
        table = getattr(cat, name)
        items = (enumerate(table, 1) if isinstance(table, list) else table.items())
        for key, entry in items:
            where = (f"{name}.yaml: entry #{key}" if isinstance(table, list)
                     else f"{name}.yaml: entry '{key}'")
            for field_name in fields:
                value = getattr(entry, field_name)
                for text in value if isinstance(value, list) else [value]:
                    if text and _msgid(text):
                        yield f"{where}, field '{field_name}'", _msgid(text)


def _translated(text: str | None, lang: str) -> str | None:
    if not text or not _msgid(text):
        return text
    out = translate(_msgid(text), lang=lang)
    return text if out == _msgid(text) else out


def _in_language(source: Catalogue, lang: str) -> Catalogue:
    """The source catalogue with its texts in `lang` (English: as written) and every
    {threshold} placeholder filled in, in that language."""
    with use_language(lang):
        if lang == SOURCE_LANGUAGE:
            return _with_numbers_filled_in(source)

        def entry_in(entry: BaseModel, fields: tuple[str, ...]) -> BaseModel:
            update = {}
            for name in fields:
                value = getattr(entry, name)
                update[name] = ([_translated(v, lang) for v in value] if isinstance(value, list)
                                else _translated(value, lang))
            return entry.model_copy(update=update)

        update: dict = {}
        for name, fields in TRANSLATED_FIELDS.items():
            table = getattr(source, name)
            update[name] = ([entry_in(e, fields) for e in table] if isinstance(table, list)
                            else {k: entry_in(e, fields) for k, e in table.items()})
        return _with_numbers_filled_in(source.model_copy(update=update))


class _Loaded:
    """One catalogue as read (its source texts), and its copy in each language asked for."""

    def __init__(self, source: Catalogue) -> None:
        self.source = source
        self._by_language: dict[str, Catalogue] = {}

    def get(self, lang: str) -> Catalogue:
        found = self._by_language.get(lang)
        if found is None:
            found = self._by_language.setdefault(lang, _in_language(self.source, lang))
        return found


@cache
def _shipped() -> _Loaded:
    return _Loaded(load_source_catalogue())


def shipped_catalogue(lang: str = SOURCE_LANGUAGE) -> Catalogue:
    """The shipped catalogue in `lang` (English by default), loaded and validated once per
    process, translated once per language."""
    return _shipped().get(lang)


def source_catalogue() -> Catalogue:
    """The catalogue in use as written: English, placeholders not filled in. The same in every
    language, so what identifies the knowledge base (its fingerprint) can read it."""
    return (_in_use[-1] if _in_use else _shipped()).source


_in_use: list[_Loaded] = []


def catalogue() -> Catalogue:
    """The catalogue the rules read, in the current language (`hipscreen.i18n`): the shipped
    one, or the one `catalogue_from` put in use."""
    return (_in_use[-1] if _in_use else _shipped()).get(current_language())


def per_catalogue(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache `fn` like functools.cache, once for each catalogue in use (and each language it
    is read in), so what is derived from the knowledge base (rule texts, drill cards) follows
    `catalogue_from` and the language."""
    held: dict[int, tuple[Catalogue, dict]] = {}

    @functools.wraps(fn)
    def cached(*args):
        cat = catalogue()
        entry = held.get(id(cat))
        if entry is None or entry[0] is not cat:
            entry = held[id(cat)] = (cat, {})
        if args not in entry[1]:
            entry[1][args] = fn(*args)
        return entry[1][args]

    return cached


@contextmanager
def catalogue_from(data_dir: Path | str) -> Iterator[Catalogue]:
    """Inside the block, the rules, explanations, reference and app read the catalogue of
    `data_dir` (a tuned copy of knowledge/data) instead of the shipped one."""
    _in_use.append(_Loaded(load_source_catalogue(Path(data_dir))))
    try:
        yield catalogue()
    finally:
        _in_use.pop()


def _with_numbers_filled_in(cat: Catalogue) -> Catalogue:
    """The catalogue with every {threshold} placeholder of its texts replaced by the threshold
    in words, so whatever reads a text shows this catalogue's own numbers."""
    def filled(entry: BaseModel, names: tuple[str, ...]) -> BaseModel:
        return entry.model_copy(update={n: cat.with_numbers(getattr(entry, n)) for n in names})

    return cat.model_copy(update={
        "red_flags": {k: filled(v, ("label", "when", "action")) for k, v in cat.red_flags.items()},
        "movement_tests": {k: filled(v, ("label", "would_check", "how_to"))
                           for k, v in cat.movement_tests.items()},
        "findings": {k: filled(v, ("label",)) for k, v in cat.findings.items()},
        "precautions": {k: filled(v, ("label", "text")) for k, v in cat.precautions.items()},
        "safety_net": [filled(item, ("text",)) for item in cat.safety_net],
    })


def _texts(cat: Catalogue) -> Iterator[tuple[str, str]]:
    """(where, text) for every catalogue text that may hold {threshold} placeholders."""
    for key, flag in cat.red_flags.items():
        for name in ("label", "when", "action"):
            yield f"red_flags.yaml: entry '{key}', field '{name}'", getattr(flag, name)
    for key, test in cat.movement_tests.items():
        for name in ("label", "would_check", "how_to"):
            yield f"movement_tests.yaml: entry '{key}', field '{name}'", getattr(test, name)
    for key, finding in cat.findings.items():
        yield f"findings.yaml: entry '{key}', field 'label'", finding.label
    for key, precaution in cat.precautions.items():
        for name in ("label", "text"):
            yield f"precautions.yaml: entry '{key}', field '{name}'", getattr(precaution, name)
    for index, item in enumerate(cat.safety_net):
        yield f"safety_net.yaml: entry #{index + 1}, field 'text'", item.text
    for key, threshold in cat.thresholds.items():
        yield f"thresholds.yaml: entry '{key}', field 'description'", threshold.description
