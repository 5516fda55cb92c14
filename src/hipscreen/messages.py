"""Every message a person or a clinician may read, per domain, and how complete each language's
catalogue is: what `hipscreen lint` checks and `tools/update_catalogues.py` writes.

The message ids are extracted, never listed by hand:

- `knowledge`: the catalogue texts `knowledge.catalogue.TRANSLATED_FIELDS` names (from the YAML
  files, as written), the intake's field descriptions (the questions, `intake_texts`), and the
  `_` / `N_` / `translate` / `ngettext` calls of knowledge/*.py;
- `hipscreen`: those calls in src/hipscreen/*.py, except review*.py;
- `followup`: those calls in src/hipscreen/review*.py (review.py and its split modules) and
  src/hipscreen/fhir/;
- `app`: those calls in app/ (the Streamlit pages).

Python files are read by Babel's extractor (`babel.messages.extract`), with the keywords of
`hipscreen.i18n.KEYWORDS`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from hipscreen.i18n import DOMAINS, KEYWORDS, LANGUAGES, SOURCE_LANGUAGE, read_catalogue

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*\}|<side>")
"""A placeholder a translation must keep: {name}, {threshold.number}, and <side> in a drill's
one_side_note."""


def _package_dir(name: str) -> Path | None:
    """Where an installed package of hipscreen lives, without importing it (app/ imports
    Streamlit)."""
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def domain_files(domain: str) -> list[Path]:
    """The Python files whose messages belong to `domain`."""
    src = _package_dir("hipscreen")
    if domain == "knowledge":
        folder = _package_dir("hipscreen.knowledge")
        return sorted(folder.glob("*.py")) if folder else []
    if domain == "hipscreen":
        return sorted(p for p in src.glob("*.py") if not p.name.startswith("review"))
    if domain == "followup":
        return [*sorted(src.glob("review*.py")), *sorted((src / "fhir").glob("*.py"))]
    if domain == "app":
        folder = _package_dir("hipscreen.app")
        return sorted(folder.rglob("*.py")) if folder else []
    raise ValueError(f"unknown message domain {domain!r}: expected one of {', '.join(DOMAINS)}")


@dataclass
class Message:
    """One message id of a domain: the English text (and its plural), where it is written."""

    msgid: str
    plural: str | None = None
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> str | tuple[str, str]:
        return (self.msgid, self.plural) if self.plural else self.msgid


@functools.cache
def _file_messages(path: str, shown: str, _stamp: tuple[int, int]) -> tuple[Message, ...]:
    """The messages of one Python file (cached while the file is unchanged: lint runs often)."""
    found = []
    for lineno, message, _comments, _context in extract_from_file(
            "python", path, keywords=dict(KEYWORDS), strip_comment_tags=True):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            if singular:
                found.append(Message(singular, plural or None, [(shown, lineno)]))
        elif message:
            found.append(Message(message, None, [(shown, lineno)]))
    return tuple(found)


def _python_messages(paths: Iterable[Path], base: Path | None) -> Iterator[Message]:
    for path in paths:
        shown = str(path.relative_to(base)) if base and path.is_relative_to(base) else path.name
        stat = path.stat()
        for msg in _file_messages(str(path), shown, (stat.st_mtime_ns, stat.st_size)):
            yield Message(msg.msgid, msg.plural, list(msg.locations))


def _knowledge_messages(data_dir: Path | None = None) -> Iterator[Message]:
    from hipscreen.knowledge.catalogue import DATA_DIR, knowledge_texts, load_source_catalogue

    cat = load_source_catalogue(data_dir or DATA_DIR)
    for where, text in knowledge_texts(cat):
        file = where.partition(": ")[0]
        yield Message(text, None, [(f"data/{file}", 0)])
    for field_path, text in intake_texts():
        yield Message(text, None, [(f"intake.py:{field_path}", 0)])


def intake_texts() -> Iterator[tuple[str, str]]:
    """(field path, description) of every intake field: the questions as a person reads them
    (`hipscreen.words.field_label` shows them translated), in the knowledge domain."""
    from hipscreen.knowledge.intake import DrillResponse, Intake, Movement, Safety, Symptoms

    for section, model in (("", Intake), ("safety.", Safety), ("symptoms.", Symptoms),
                           ("movement.", Movement), ("drill_response.", DrillResponse)):
        for name, info in model.model_fields.items():
            if info.description:
                yield f"{section}{name}", info.description


def extract(domain: str, *, data_dir: Path | None = None) -> dict:
    """The messages of `domain`, keyed by msgid (or (msgid, plural)), in the order found."""
    found: dict = {}
    base = _package_dir("hipscreen")
    base = base.parent if base else None
    sources: list[Iterator[Message]] = []
    if domain == "knowledge":
        sources.append(_knowledge_messages(data_dir))
    sources.append(_python_messages(domain_files(domain), base))
    for source in sources:
        for msg in source:
            have = found.get(msg.key)
            if have is None:
                found[msg.key] = msg
            else:
                have.locations += msg.locations
    return found


def template(domain: str, *, data_dir: Path | None = None) -> Catalog:
    """A .pot template of `domain`: every message id, with where it is written."""
    pot = Catalog(project="hipscreen", domain=domain, fuzzy=False)
    for msg in extract(domain, data_dir=data_dir).values():
        pot.add(msg.key if msg.plural is None else (msg.msgid, msg.plural),
                locations=[(path, line or None) for path, line in msg.locations])
    return pot


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


@dataclass(frozen=True)
class Problem:
    domain: str
    lang: str
    msgid: str
    what: str

    def text(self) -> str:
        return f"{self.domain}.po ({self.lang}): {self.what}: {self.msgid!r}"


def catalogue_problems(domain: str, lang: str, *, messages: dict | None = None,
                       catalogue: Catalog | None = None) -> list[Problem]:
    """What is wrong with `lang`'s catalogue of `domain`: a message id with no translation, an
    entry marked fuzzy, a translation whose placeholders differ from its message id's."""
    if messages is None:
        messages = extract(domain)
    if catalogue is None:
        catalogue = read_catalogue(lang, domain)
    problems: list[Problem] = []
    entries: dict[str, list] = {}
    if catalogue is not None:
        for entry in catalogue:
            if entry.id:
                entries.setdefault(entry.id[0] if isinstance(entry.id, tuple) else entry.id,
                                   []).append(entry)
    for msg in messages.values():
        found = entries.get(msg.msgid, [])
        strings = [s for e in found if not e.fuzzy
                   for s in (e.string if isinstance(e.string, tuple) else (e.string,))]
        if not strings or not all(strings):
            problems.append(Problem(domain, lang, msg.msgid, "no translation"))
    for msgid, found in entries.items():
        for entry in found:
            if entry.fuzzy:
                problems.append(Problem(domain, lang, msgid, "marked fuzzy"))
                continue
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            allowed = [placeholders(i) for i in ids]
            for string in strings:
                if string and placeholders(string) not in allowed:
                    problems.append(Problem(
                        domain, lang, msgid,
                        f"placeholders differ ({', '.join(sorted(placeholders(string))) or 'none'}"
                        f" in the translation, {', '.join(sorted(allowed[0])) or 'none'} in the "
                        "message id)"))
    return problems


def all_problems(langs: Iterable[str] | None = None,
                 domains: Iterable[str] = DOMAINS) -> list[Problem]:
    """Every catalogue problem of every language but English, in every domain."""
    langs = [lang for lang in (langs or LANGUAGES) if lang != SOURCE_LANGUAGE]
    problems = []
    for domain in domains:
        messages = extract(domain)
        for lang in langs:
            problems += catalogue_problems(domain, lang, messages=messages)
    return problems


def disagreements(lang: str, domains: Iterable[str] = DOMAINS) -> list[Problem]:
    """One vocabulary: the same English text with the same context translated two ways in two
    domains' catalogues of `lang` (only one of them could be read: see `i18n.translations`)."""
    seen: dict[tuple[str | None, object], tuple[str, object]] = {}
    problems: list[Problem] = []
    for domain in domains:
        cat = read_catalogue(lang, domain)
        if cat is None:
            continue
        for entry in cat:
            if not entry.id or entry.fuzzy or not entry.string:
                continue
            key = (entry.context, entry.id)
            if key not in seen:
                seen[key] = (domain, entry.string)
            elif seen[key][1] != entry.string:
                msgid = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                problems.append(Problem(
                    domain, lang, msgid,
                    f"translated {entry.string!r} here but {seen[key][1]!r} in "
                    f"{seen[key][0]}.po"))
    return problems
