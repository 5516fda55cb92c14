"""`hipscreen lint`: verify the knowledge base (catalogues + rule registry + case files).

Each check returns `Problem`s; any problem is an error and `hipscreen lint` exits 1. The checks
cover the classic anomaly classes of rule bases:

========================  =====================================================================
check                     what it finds
========================  =====================================================================
schema                    a catalogue file or entry that does not match its model
references                an id a rule or catalogue entry refers to that does not exist (sources,
                          drills, findings, deficits, red flags, rules, intake fields and values)
deficit_drills            a deficit without at least one existing drill            (deficiency)
unused                    a finding no rule's conditions mention; a drill no deficit lists and
                          no listed drill regresses to                              (dead parts)
unreachable               a finding, deficit or red-flag row that no rule concludes (deficiency)
text_and_source           a rule or entry without a source or without a plain-words text
redundancy                two rules with the same conditions and the same conclusion
subsumption               a rule whose conditions contain another's, with the same conclusion,
                          where neither excludes the other by a NOT
conflict                  a rule that can put a drill in the plan while a precaution rule
                          contraindicates it, with no override deciding which wins (ambivalence)
circularity               a cycle of rules (A concludes what B needs, B what A needs), or a
                          drill's regresses_to / progresses_to chain that loops
red_flag_cases            a red-flag row that no case file exercises (raises)
pictures                  a drill or movement test without a picture (an SVG line figure in
                          knowledge/data/pictures/ with a <title>) or without its alt text
full_reference            a source without its full reference (authors, year, title, venue, and a
                          DOI or URL; a missing one said in not_known, never invented), a number
                          (an evidence weight, a threshold) cited to a source that gives none, or
                          a citation of a superseded duplicate
========================  =====================================================================

`lint(data_dir, case_dir, rule_list)` takes a catalogue directory and a case directory, so tests
can plant anomalies in a temporary copy of `knowledge/data`, and a list of `RuleInfo`, so they
can plant rule-level anomalies without touching the rule base.
"""

from __future__ import annotations

import graphlib
import re
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L, P, W
from pydantic import BaseModel, ConfigDict

from hipscreen.knowledge import catalogue as catalogue_module
from hipscreen.knowledge.catalogue import PLACEHOLDER
from hipscreen.knowledge.intake import DrillId, Intake, Movement, Safety
from hipscreen.result import TRIAGE_ORDER
from hipscreen.rules.registry import Condition, RuleInfo, admits, rules
from hipscreen.rules.review import REVIEW_CONCLUSIONS

CHECKS = ("schema", "references", "evidence", "deficit_drills", "unused", "unreachable",
          "text_and_source",
          "redundancy", "subsumption", "conflict", "circularity", "red_flag_cases",
          "pictures", "full_reference", "translations")

ENTRY_MODELS = catalogue_module.ENTRY_FILES
LIST_MODELS = catalogue_module.LIST_FILES
# The field holding each kind of entry's text in plain words.
TEXT_FIELD = {"sources": "text", "thresholds": "description", "findings": "label",
              "deficits": "text", "drills": "purpose", "red_flags": "action",
              "precautions": "text", "movement_tests": "would_check", "safety_net": "text"}
# Conclusions that are engine markers rather than catalogue ids.
MARKERS = frozenset({"drills_stopped", "planned", "plan_note", "ng65_criterion"}) | REVIEW_CONCLUSIONS


class Problem(BaseModel):
    """One lint error: which check found it, where, and what is wrong in words."""

    model_config = ConfigDict(frozen=True)

    check: str
    where: str
    message: str

    def text(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"


class LintReport(BaseModel):
    """The result of `hipscreen lint` (`--format json` prints it)."""

    data_dir: str
    case_dir: str
    rules_checked: int
    checks: list[str]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


# -- the knowledge base as read from a data directory ------------------------------------------
@dataclass
class Knowledge:
    """The catalogue files of one data directory as plain mappings (read leniently, so the other
    checks still run when an entry does not validate), plus the schema problems found."""

    data_dir: Path
    tables: dict[str, dict[str, dict]] = field(default_factory=dict)
    lists: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def ids(self, table: str) -> set[str]:
        return set(self.tables.get(table, {}))


def read_knowledge(data_dir: Path) -> Knowledge:
    """Read every catalogue file of `data_dir` with the catalogue's own reader, keeping the raw
    entries so the other checks still run when one does not validate."""
    files = catalogue_module.read_catalogue_files(Path(data_dir))
    kb = Knowledge(data_dir=Path(data_dir))
    for name in ENTRY_MODELS:
        raw = files.raw.get(name) or {}
        kb.tables[name] = {str(k): v if isinstance(v, dict) else {} for k, v in raw.items()}
    for name in LIST_MODELS:
        kb.lists[name] = [v if isinstance(v, dict) else {} for v in files.raw.get(name) or []]
    kb.problems = [Problem(check="schema", where=where, message=what)
                   for where, what in files.problems]
    return kb


# -- intake fields and their allowed values ----------------------------------------------------
def _unwrap(annotation: Any) -> Any:
    """The element type of Optional[X], tuple[X, ...] and Annotated[X, ...]."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        elif origin is tuple:
            annotation = get_args(annotation)[0]
        else:
            return annotation


def _allowed(annotation: Any) -> frozenset | None:
    """The values an answer of this type can take, or None when not a fixed list."""
    inner = _unwrap(annotation)
    if get_origin(inner) is Literal:
        return frozenset(get_args(inner))
    if isinstance(inner, type) and issubclass(inner, Enum):
        return frozenset(m.value for m in inner)
    if inner is bool:
        return frozenset({True, False})
    return None


def intake_fields() -> dict[str, frozenset | None]:
    """Every dotted answer path an `Answer` fact can carry, with its allowed values.

    The groups of the intake (safety, symptoms, movement, drill_response) are expanded one
    level; hip_ir_degrees is one answer (the engine declares the pair of angles as one value).
    """
    out: dict[str, frozenset | None] = {}
    for name, info in Intake.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            for sub, sub_info in ann.model_fields.items():
                out[f"{name}.{sub}"] = _allowed(sub_info.annotation)
        else:
            out[name] = _allowed(ann)
    # a safety question never asked: screen() declares its name (never a "no")
    out["safety.not_asked"] = frozenset(Safety.model_fields)
    return out


# -- rule conditions as comparable data --------------------------------------------------------
def _literal(value: Any) -> Any:
    """The literal a field constraint requires, or None when it is not a plain literal."""
    if isinstance(value, L):
        return value.value
    if isinstance(value, W | P | ANDFC | ORFC | NOTFC):
        return None
    return value


def _flat(conditions: Iterable[Condition]) -> list[Condition]:
    out = []
    for cond in conditions:
        out.append(cond)
        out += _flat(cond.alternatives)
    return out


def _patterns(rule: RuleInfo, kind: str) -> list[Condition]:
    return [c for c in _flat(rule.conditions) if c.kind == kind]


def _field(cond: Condition, name: str, default: Any = None) -> Any:
    return dict(cond.fields).get(name, default)


def _callable_key(fn: Callable) -> Any:
    """A comparable form of a predicate: a function by its code and closure, a callable object
    (StartsWith, OneOf, DrillCheck, ThresholdCheck) by its class and attributes, so two tests
    written alike compare equal."""
    code = getattr(fn, "__code__", None)
    if code is not None:
        return ("fn", code, tuple(_content_key(cell.cell_contents) for cell in fn.__closure__ or ()))
    state = getattr(fn, "__dict__", None)
    if state is None:
        return ("callable", id(fn))
    return ("object", type(fn), tuple((name, _content_key(value))
                                      for name, value in sorted(state.items())))


def _content_key(content: Any) -> Any:
    if callable(content):
        return _callable_key(content)
    try:
        hash(content)
    except TypeError:
        return ("object", id(content))
    return content


def _value_key(value: Any, names: dict[str, str] | None) -> Any:
    """A comparable form of a field constraint; variables are renamed by first appearance
    (names=None makes every variable the same, for ordering)."""
    if isinstance(value, W):
        bind = value.__bind__
        if bind is None:
            return ("any",)
        return ("var", "?" if names is None else names.setdefault(bind, f"v{len(names)}"))
    if isinstance(value, P):
        return ("test", _callable_key(value.match))
    if isinstance(value, ANDFC | ORFC):
        tag = "and" if isinstance(value, ANDFC) else "or"
        return (tag, tuple(_value_key(v, names) for v in value))
    if isinstance(value, NOTFC):
        return ("not", _value_key(value[0], names))
    if isinstance(value, L):
        return ("lit", value.value)
    return ("lit", value)


def _cond_key(cond: Condition, names: dict[str, str] | None, rule_id: str, index: int) -> Any:
    if cond.kind == "test":
        return ("test", rule_id, index)  # an opaque test is equal only to itself
    if cond.alternatives:
        return ("any of", cond.negated,
                frozenset(_cond_key(a, names, rule_id, index) for a in cond.alternatives))
    return (cond.kind, cond.negated, frozenset((k, _value_key(v, names)) for k, v in cond.fields))


def stable_repr(key: Any) -> str:
    """repr of a condition key with every set written in sorted order: two equal sets built in
    another order can iterate (and so repr) differently, which made equal rules look different
    under some hash seeds."""
    if isinstance(key, frozenset | set):
        return "{" + ", ".join(sorted(map(stable_repr, key))) + "}"
    if isinstance(key, tuple):
        return "(" + ", ".join(map(stable_repr, key)) + ")"
    return repr(key)


def condition_keys(rule: RuleInfo) -> list[Any]:
    """The rule's conditions as comparable keys, InitialFact left out. Conditions are ordered
    ignoring variable names, then variables are named in that order, so two rules that differ
    only in variable names or condition order give the same keys."""
    conds = [(i, c) for i, c in enumerate(rule.conditions) if c.kind != "InitialFact"]
    conds.sort(key=lambda ic: stable_repr(_cond_key(ic[1], None, rule.id, ic[0])))
    names: dict[str, str] = {}
    return [_cond_key(c, names, rule.id, i) for i, c in conds]


def _generalises(a: Any, b: Any) -> bool:
    """Condition key `a` holds whenever `b` does: equal, or the same positive pattern with a
    subset of b's field constraints (Finding(id=x) generalises Finding(id=x, side=left))."""
    if a == b:
        return True
    if a[0] in ("test", "any of") or b[0] in ("test", "any of"):
        return False
    return a[0] == b[0] and not a[1] and not b[1] and a[2] <= b[2]


def _excludes(a_keys: Sequence[Any], b_keys: Sequence[Any]) -> bool:
    """One rule requires a pattern the other requires absent (a NOT): never both active."""
    for a in a_keys:
        for b in b_keys:
            if a[0] in ("test",) or b[0] in ("test",):
                continue
            if a[1] != b[1] and a[0] == b[0] and a[2] == b[2]:
                return True
    return False


# -- the checks --------------------------------------------------------------------------------
def evidence_rules(rule_list: Sequence[RuleInfo]) -> list[RuleInfo]:
    """The rules that give evidence for one deficit (each needs an evidence.yaml weight)."""
    return [r for r in rule_list if r.stage == "deficits" and len(r.concludes) == 1]


def check_evidence_weights(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every evidence rule has its entry in evidence.yaml, and every entry names such a rule and
    says what the rule says: the same finding(s), deficit and source."""
    out: list[Problem] = []
    table = kb.tables.get("evidence", {})
    by_id = {r.id: r for r in evidence_rules(rule_list)}
    for rule in by_id.values():
        if rule.id not in table:
            out.append(Problem(check="evidence", where=f"rule '{rule.id}'",
                               message="gives evidence but has no weight in evidence.yaml"))
    for key, entry in table.items():
        where = f"evidence.yaml: entry '{key}'"
        rule = by_id.get(key)
        if rule is None:
            out.append(Problem(check="evidence", where=where,
                               message="no evidence rule has this id, so the weight is never used"))
            continue
        findings = entry.get("finding")
        listed = {findings} if isinstance(findings, str) else set(findings or [])
        matched = {_literal(_field(c, "id")) for c in _patterns(rule, "Finding") if not c.negated}
        if listed != matched:
            out.append(Problem(check="evidence", where=f"{where}, field 'finding'",
                               message=f"the rule matches {sorted(matched)}, not {sorted(listed)}"))
        if entry.get("deficit") != rule.concludes[0]:
            out.append(Problem(check="evidence", where=f"{where}, field 'deficit'",
                               message=f"the rule concludes {rule.concludes[0]!r}"))
        if entry.get("source") != rule.source:
            out.append(Problem(check="evidence", where=f"{where}, field 'source'",
                               message=f"the rule cites {rule.source!r}"))
    return out


def check_references(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every id a catalogue entry or rule refers to exists."""
    out: list[Problem] = []
    sources = kb.ids("sources")
    drills = kb.ids("drills")

    def need(ident: Any, known: set[str], kind: str, where: str) -> None:
        if ident is not None and ident != "" and ident not in known:
            out.append(Problem(check="references", where=where,
                               message=f"unknown {kind} {ident!r}"))

    thresholds = kb.ids("thresholds")
    for table, entries in kb.tables.items():
        for key, entry in entries.items():
            if table != "sources":
                need(entry.get("source"), sources, "source",
                     f"{table}.yaml: entry '{key}', field 'source'")
            for name, value in entry.items():
                for match in PLACEHOLDER.finditer(value if isinstance(value, str) else ""):
                    need(match.group(1), thresholds, "threshold",
                         f"{table}.yaml: entry '{key}', field '{name}'")
    for rule in rule_list:
        for name in rule.thresholds:
            need(name, thresholds, "threshold", f"rule '{rule.id}'")
        for match in PLACEHOLDER.finditer(rule.text):  # left unfilled: no such threshold
            need(match.group(1), thresholds, "threshold", f"rule '{rule.id}', text (docstring)")
    for index, item in enumerate(kb.lists.get("safety_net", [])):
        need(item.get("source"), sources, "source", f"safety_net.yaml: entry #{index + 1}, field 'source'")
    for key, entry in kb.tables.get("deficits", {}).items():
        for drill in entry.get("drills") or []:
            need(drill, drills, "drill", f"deficits.yaml: entry '{key}', field 'drills'")
    for key, entry in kb.tables.get("drills", {}).items():
        where = f"drills.yaml: entry '{key}'"
        need((entry.get("dose") or {}).get("source"), sources, "source", f"{where}, field 'dose.source'")
        need(entry.get("regresses_to"), drills, "drill", f"{where}, field 'regresses_to'")
        need(entry.get("progresses_to"), drills, "drill", f"{where}, field 'progresses_to'")
    fields = intake_fields()
    for key, entry in kb.tables.get("findings", {}).items():
        for answer in entry.get("answers") or []:
            need(answer, set(fields), "intake field", f"findings.yaml: entry '{key}', field 'answers'")
    known_drills = {d.value for d in DrillId}
    for drill in sorted(drills ^ known_drills):
        side = "drills.yaml but not in the intake's DrillId" if drill in drills \
            else "the intake's DrillId but not in drills.yaml"
        out.append(Problem(check="references", where="drills.yaml",
                           message=f"drill {drill!r} is in {side}; the two lists must agree"))
    tests = kb.ids("movement_tests")
    for name in sorted(tests ^ set(Movement.model_fields)):
        side = "movement_tests.yaml but is not a movement answer of the intake" if name in tests \
            else "a movement answer of the intake with no entry in movement_tests.yaml"
        out.append(Problem(check="references", where="movement_tests.yaml",
                           message=f"{name!r} is in {side}"))

    rule_ids = {r.id for r in rule_list}
    by_stage = {
        "safety": kb.ids("red_flags") | set(TRIAGE_ORDER) | MARKERS,
        "interpret": kb.ids("findings"),
        "deficits": kb.ids("deficits"),
        "prescribe": drills | kb.ids("precautions") | MARKERS,
    }
    every = set().union(*by_stage.values())
    for rule in rule_list:
        where = f"rule '{rule.id}'"
        need(rule.source, sources, "source", f"{where}, source")
        need(rule.overrides, rule_ids, "rule", f"{where}, overrides")
        for ident in rule.concludes:
            need(ident, by_stage.get(rule.stage, every), f"conclusion for stage {rule.stage!r}",
                 f"{where}, concludes")
        refs = (("Finding", "id", kb.ids("findings"), "finding"),
                ("Deficit", "id", kb.ids("deficits"), "deficit"),
                ("Evidence", "deficit", kb.ids("deficits"), "deficit"),
                ("RedFlag", "id", kb.ids("red_flags"), "red flag"),
                ("Triage", "level", set(TRIAGE_ORDER), "triage level"),
                ("Candidate", "drill", drills, "drill"),
                ("Planned", "drill", drills, "drill"),
                ("Replaced", "drill", drills, "drill"),
                ("Blocked", "drill", drills, "drill"),
                ("Blocked", "precaution", kb.ids("precautions"), "precaution"),
                ("Replaced", "precaution", kb.ids("precautions"), "precaution"))
        for kind, name, known, label in refs:
            for cond in _patterns(rule, kind):
                need(_literal(_field(cond, name)), known, label, f"{where}, condition {cond.text()}")
        for cond in _patterns(rule, "Answer"):
            path = _literal(_field(cond, "field"))
            if path is None:
                continue
            if path not in fields:
                need(path, set(fields), "intake field", f"{where}, condition {cond.text()}")
                continue
            value, allowed = _literal(_field(cond, "value")), fields[path]
            if value is not None and allowed is not None and value not in allowed:
                out.append(Problem(
                    check="references", where=f"{where}, condition {cond.text()}",
                    message=f"{path} cannot be {value!r}; expected one of: "
                            f"{', '.join(sorted(map(str, allowed)))}"))
    return out


def check_deficit_drills(kb: Knowledge) -> list[Problem]:
    """Every deficit lists at least one drill that exists."""
    drills = kb.ids("drills")
    out = []
    for key, entry in kb.tables.get("deficits", {}).items():
        listed = entry.get("drills") or []
        if not any(d in drills for d in listed):
            out.append(Problem(
                check="deficit_drills", where=f"deficits.yaml: entry '{key}'",
                message="has no drill: a concluded deficit would give no plan"
                        + (f" (lists only unknown drills {listed})" if listed else "")))
    return out


def _reachable_drills(kb: Knowledge) -> set[str]:
    drills = kb.tables.get("drills", {})
    reached: set[str] = set()
    todo = [d for e in kb.tables.get("deficits", {}).values() for d in e.get("drills") or []]
    while todo:
        drill = todo.pop()
        if drill in reached or drill not in drills:
            continue
        reached.add(drill)
        if drills[drill].get("regresses_to"):
            todo.append(drills[drill]["regresses_to"])
    return reached


def check_unused(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every finding is used by a rule's conditions; every drill is listed by a deficit or is a
    regression reachable from a listed drill."""
    used = {_literal(_field(c, "id")) for r in rule_list for c in _patterns(r, "Finding")}
    out = [Problem(check="unused", where=f"findings.yaml: entry '{key}'",
                   message=f"no rule uses it: no rule's conditions mention Finding(id={key!r})")
           for key in kb.tables.get("findings", {}) if key not in used]
    reachable = _reachable_drills(kb)
    out += [Problem(check="unused", where=f"drills.yaml: entry '{key}'",
                    message="no rule can plan it: no deficit lists it and it is not the "
                            "regression of a listed drill")
            for key in kb.tables.get("drills", {}) if key not in reachable]
    return out


def check_unreachable(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every finding, deficit and red-flag row is concluded by some rule (deficits by an
    evidence rule with a weight in evidence.yaml)."""
    concluded = {c for r in rule_list for c in r.concludes}
    weighed = kb.ids("evidence")
    evidence = {c for r in evidence_rules(rule_list) if r.id in weighed for c in r.concludes}
    out = []
    for table, known, what in (("findings", concluded, "rule concludes it"),
                               ("deficits", evidence, "evidence rule with a weight in "
                                                      "evidence.yaml concludes it"),
                               ("red_flags", concluded, "safety rule raises it")):
        out += [Problem(check="unreachable", where=f"{table}.yaml: entry '{key}'",
                        message=f"no {what}, so it can never be true")
                for key in kb.tables.get(table, {}) if key not in known]
    return out


_PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|xxx)\b", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.\-]+$")


def plain_words_problem(text: Any) -> str | None:
    """Why `text` is not plain words (None when it is): missing, a bare identifier, a
    placeholder, or fewer than two words."""
    if not isinstance(text, str) or not text.strip():
        return "missing"
    text = text.strip()
    if _IDENTIFIER.match(text):
        return f"{text!r} is an identifier, not plain words"
    if _PLACEHOLDER.search(text):
        return f"{text!r} is a placeholder"
    if len(text.split()) < 2:
        return f"{text!r} is not a sentence or phrase"
    return None


def check_text_and_source(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every rule and catalogue entry has a source and a text in plain words."""
    out = []
    for rule in rule_list:
        where = f"rule '{rule.id}'"
        if not (rule.source or "").strip():
            out.append(Problem(check="text_and_source", where=where, message="has no source"))
        why = plain_words_problem(rule.text)
        if why:
            out.append(Problem(check="text_and_source", where=f"{where}, text (docstring)",
                               message=f"needs a plain-words text: {why}"))
    entries = [(t, k, e) for t, es in kb.tables.items() for k, e in es.items()]
    entries += [(t, f"#{i + 1}", e) for t, items in kb.lists.items() if t in TEXT_FIELD
                for i, e in enumerate(items)]
    for table, key, entry in entries:
        where = f"{table}.yaml: entry '{key}'"
        if table != "sources" and not str(entry.get("source") or "").strip():
            out.append(Problem(check="text_and_source", where=where, message="has no source"))
        why = plain_words_problem(entry.get(TEXT_FIELD[table])) if table in TEXT_FIELD else None
        if why:
            out.append(Problem(check="text_and_source", where=f"{where}, field '{TEXT_FIELD[table]}'",
                               message=f"needs a plain-words text: {why}"))
    return out


def check_redundancy(rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Two rules with the same conditions and the same conclusion."""
    seen: dict[Any, str] = {}
    out = []
    for rule in rule_list:
        key = (frozenset(rule.concludes), frozenset(map(stable_repr, condition_keys(rule))))
        if key in seen:
            out.append(Problem(
                check="redundancy", where=f"rule '{rule.id}'",
                message=f"has the same conditions and conclusion as rule '{seen[key]}'"
                        + (" (evidence would be counted twice)" if rule.weight else "")))
        else:
            seen[key] = rule.id
    return out


def check_subsumption(rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """A rule whose conditions contain another's, with the same conclusion, where neither
    excludes the other by a NOT: whenever the narrower rule fires the broader one does too."""
    keyed = [(r, condition_keys(r)) for r in rule_list]
    out = []
    for broad, b_keys in keyed:
        for narrow, n_keys in keyed:
            if broad.id == narrow.id or set(broad.concludes) != set(narrow.concludes):
                continue
            if set(map(stable_repr, b_keys)) == set(map(stable_repr, n_keys)):
                continue  # identical conditions: a redundancy, reported there
            if not all(any(_generalises(b, n) for n in n_keys) for b in b_keys):
                continue
            if _excludes(b_keys, n_keys):
                continue
            out.append(Problem(
                check="subsumption", where=f"rule '{narrow.id}'",
                message=f"is subsumed by rule '{broad.id}': its conditions contain all of "
                        f"'{broad.id}''s and both conclude {', '.join(broad.concludes)}"))
    return out


def contraindications(rule: RuleInfo, drills: Iterable[str]) -> set[str]:
    """The drills a precaution rule acts on: those its positive Candidate pattern admits."""
    candidates = [c for c in rule.conditions if c.kind == "Candidate" and not c.negated]
    return {d for d in drills for c in candidates if admits(_field(c, "drill"), d)}


def check_conflicts(rule_list: Sequence[RuleInfo], drills: Iterable[str],
                    precautions: Iterable[str]) -> list[Problem]:
    """A rule that can put a drill in the plan while a precaution rule contraindicates that
    drill from the same answers, and the precaution rule does not override it (the registry's
    `overrides`): nothing decides which conclusion wins."""
    drills, precautions = set(drills), set(precautions)
    suggesters = [r for r in rule_list if set(r.concludes) & drills]
    guards = [r for r in rule_list if set(r.concludes) & precautions
              and any(c.kind == "Candidate" and not c.negated for c in r.conditions)]
    out = []
    for guard in guards:
        blocked = contraindications(guard, drills)
        g_keys = condition_keys(guard)
        for rule in suggesters:
            both = sorted(set(rule.concludes) & blocked)
            if not both or guard.overrides == rule.id or _excludes(condition_keys(rule), g_keys):
                continue
            out.append(Problem(
                check="conflict", where=f"rule '{rule.id}'",
                message=f"can plan {', '.join(both)} while precaution rule '{guard.id}' "
                        f"({', '.join(sorted(set(guard.concludes) & precautions))}) "
                        f"contraindicates it, and '{guard.id}' does not override '{rule.id}': "
                        "nothing decides which wins"))
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def check_circularity(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """No cycle of rules through the ids they need and conclude; no drill chain that loops."""
    out = []
    needs: dict[str, set[str]] = {}
    for rule in rule_list:
        premises = set()
        for cond in _flat(rule.conditions):
            if cond.negated:
                continue
            for name in ("id", "drill", "deficit", "level"):
                ident = _literal(_field(cond, name))
                if isinstance(ident, str):
                    premises.add(ident)
        for conclusion in rule.concludes:
            needs.setdefault(conclusion, set()).update(p for p in premises if p != conclusion)
    loop = _cycle(needs)
    if loop:
        out.append(Problem(check="circularity", where="rules",
                           message="conclusions depend on each other in a circle: "
                                   + " <- ".join(loop)))
    drills = kb.tables.get("drills", {})
    for link in ("regresses_to", "progresses_to"):
        graph = {k: {e[link]} for k, e in drills.items() if e.get(link)}
        loop = _cycle(graph)
        if loop:
            out.append(Problem(check="circularity", where=f"drills.yaml, field '{link}'",
                               message="the chain loops: " + " -> ".join(reversed(loop))))
    return out


def check_red_flag_cases(kb: Knowledge, case_dir: Path) -> list[Problem]:
    """Every red-flag row has a case file under `case_dir` that raises it."""
    from hipscreen.cases import CaseError, discover, load_case
    from hipscreen.screening import screen

    case_dir = Path(case_dir)
    out = []
    if not case_dir.is_dir():
        return [Problem(check="red_flag_cases", where=str(case_dir),
                        message="no such case directory; every red-flag row needs a case file")]
    files, _ = discover([case_dir])
    raised: set[str] = set()
    for path in files:
        try:
            case = load_case(path)
        except CaseError as exc:
            out.append(Problem(check="red_flag_cases", where=str(path),
                               message=f"invalid case file, not counted: {str(exc).splitlines()[0]}"))
            continue
        raised |= {flag.id for flag in screen(case.intake).triage.red_flags}
    for key, entry in kb.tables.get("red_flags", {}).items():
        if key not in raised:
            out.append(Problem(
                check="red_flag_cases", where=f"red_flags.yaml: entry '{key}'",
                message=f"no case file under {case_dir} exercises this row "
                        f"({entry.get('label', key)}); add one that raises it"))
    return out


def check_pictures(kb: Knowledge) -> list[Problem]:
    """Every drill and movement test names a picture that is an SVG file of the data folder with
    a <title>, and says it in words (picture_alt): a drill without a picture fails."""
    out = []
    for file in ("drills", "movement_tests"):
        for key, entry in kb.tables.get(file, {}).items():
            where = f"{file}.yaml: entry '{key}'"
            name = entry.get("picture")
            if not entry.get("picture_alt"):
                out.append(Problem(check="pictures", where=where,
                                   message="no picture_alt: say the picture in words"))
            if not name:
                out.append(Problem(check="pictures", where=where,
                                   message="no picture: every one needs a line figure "
                                           "(pictures/<id>.svg)"))
                continue
            path = kb.data_dir / str(name)
            if not path.is_file() or path.suffix != ".svg":
                out.append(Problem(check="pictures", where=f"{where}, field 'picture'",
                                   message=f"no SVG file '{name}' in the data folder"))
            elif "<title>" not in path.read_text(encoding="utf-8", errors="replace"):
                out.append(Problem(check="pictures", where=f"{where}, field 'picture'",
                                   message=f"'{name}' has no <title> (its alt text)"))
    return out


_REFERENCE_FIELDS = ("authors", "title", "venue")
_UNLINKED_KINDS = frozenset({"article", "heuristic"})  # hipscreen's seed text and its own choices
_NOT_A_VALUE = re.compile(r"^\W*(todo|tbd|fixme|xxx|unknown|n/?a|none|null|-|\?+|\.+)\W*$",
                          re.IGNORECASE)


def _reference_problems(entry: dict) -> list[str]:
    """What keeps one raw sources.yaml entry from being a full reference, in words."""
    out = []
    for name in _REFERENCE_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            out.append(f"no {name}")
        elif _NOT_A_VALUE.match(value.strip()):
            out.append(f"{name} {value!r} is a placeholder")
    year, doi, url = entry.get("year"), entry.get("doi"), entry.get("url")
    not_known = str(entry.get("not_known") or "").strip()
    if "year" not in entry:
        out.append("no year (write year: null and say why in not_known when it is not known)")
    elif year is not None and (isinstance(year, bool) or not isinstance(year, int)
                               or not 1900 <= year <= 2100):
        out.append(f"year {year!r} is not a year")
    if doi is not None and not (isinstance(doi, str) and catalogue_module.DOI.match(doi)):
        out.append(f"doi {doi!r} is not a DOI (10.xxxx/..., without 'doi:')")
    if url is not None and not (isinstance(url, str) and catalogue_module.URL.match(url)):
        out.append(f"url {url!r} is not a web address")
    unlinked = doi is None and url is None
    if unlinked and entry.get("kind") not in _UNLINKED_KINDS:
        out.append("no DOI or URL (only the article and hipscreen's own heuristics may go "
                   "without one)")
    if (unlinked or year is None) and not not_known:
        out.append("no DOI, URL or year and no not_known saying why (never invent one)")
    return out


def check_full_references(kb: Knowledge, rule_list: Sequence[RuleInfo]) -> list[Problem]:
    """Every source has its full reference; every number is cited to a source that gives it or
    to a heuristic; no rule or entry cites a superseded duplicate.

    The article gives signs, not numbers: an evidence weight whose source is an article section
    needs that section's `weights` to name a heuristic source (hipscreen-heuristic), and a
    threshold may not cite the article at all."""
    sources = kb.tables.get("sources", {})
    out = [Problem(check="full_reference", where=f"sources.yaml: entry '{key}'",
                   message=f"not a full reference: {why}")
           for key, entry in sources.items() for why in _reference_problems(entry)]

    def heuristic(ident: Any) -> bool:
        return isinstance(ident, str) and sources.get(ident, {}).get("kind") == "heuristic"

    for key, entry in sources.items():
        where = f"sources.yaml: entry '{key}'"
        if entry.get("weights") is not None and not heuristic(entry.get("weights")):
            out.append(Problem(check="full_reference", where=f"{where}, field 'weights'",
                               message=f"{entry.get('weights')!r} is not a source of kind "
                                       "heuristic (hipscreen-heuristic)"))
        later = entry.get("superseded_by")
        if later is not None and (later not in sources or sources[later].get("superseded_by")):
            out.append(Problem(check="full_reference", where=f"{where}, field 'superseded_by'",
                               message=f"{later!r} is not a current source"))
    for key, entry in kb.tables.get("evidence", {}).items():
        cited = sources.get(entry.get("source"), {})
        if cited and not heuristic(entry.get("source")) and not heuristic(cited.get("weights")):
            out.append(Problem(
                check="full_reference", where=f"evidence.yaml: entry '{key}', field 'source'",
                message=f"the weight {entry.get('weight')} is a number {entry.get('source')!r} "
                        "does not give: name the heuristic behind it in that source's weights"))
    for key, entry in kb.tables.get("thresholds", {}).items():
        if sources.get(entry.get("source"), {}).get("kind") == "article":
            out.append(Problem(
                check="full_reference", where=f"thresholds.yaml: entry '{key}', field 'source'",
                message="the article gives no numbers: cite the reference that gives this one, "
                        "or hipscreen-heuristic"))
    citations = [(f"rule '{r.id}', source", r.source) for r in rule_list]
    citations += [(f"{table}.yaml: entry '{key}', field 'source'", entry.get("source"))
                  for table, entries in kb.tables.items() if table != "sources"
                  for key, entry in entries.items()]
    citations += [(f"drills.yaml: entry '{key}', field 'dose.source'",
                   (entry.get("dose") or {}).get("source"))
                  for key, entry in kb.tables.get("drills", {}).items()]
    citations += [(f"safety_net.yaml: entry #{i + 1}, field 'source'", item.get("source"))
                  for i, item in enumerate(kb.lists.get("safety_net", []))]
    for where, ident in citations:
        later = sources.get(ident, {}).get("superseded_by") if isinstance(ident, str) else None
        if later:
            out.append(Problem(check="full_reference", where=where,
                               message=f"cites {ident!r}, a duplicate kept as vocabulary: "
                                       f"cite {later!r} instead"))
    return out


def check_translations(data_dir: Path) -> list[Problem]:
    """Every message a person or a clinician may read has a translation in every language
    hipscreen speaks (`hipscreen.messages`): the knowledge texts of `data_dir`, and the `_()` /
    `ngettext` / `translate` / `N_` messages of the code, per domain; no entry is fuzzy, and a
    translation keeps its message id's placeholders; the same text reads the same in every
    domain. Names the domain, the language and the message id."""
    from hipscreen.i18n import DOMAINS, LANGUAGES, SOURCE_LANGUAGE
    from hipscreen.messages import catalogue_problems, disagreements, extract

    out = []
    for domain in DOMAINS:
        try:
            messages = extract(domain, data_dir=data_dir)
        except catalogue_module.CatalogueError:
            continue  # a catalogue that does not load is the schema check's problem
        for lang in LANGUAGES:
            if lang == SOURCE_LANGUAGE:
                continue
            out += [Problem(check="translations", where=f"{p.domain}.po ({p.lang})",
                            message=f"{p.what}: msgid {p.msgid!r}")
                    for p in catalogue_problems(domain, lang, messages=messages)]
    for lang in LANGUAGES:
        if lang != SOURCE_LANGUAGE:
            out += [Problem(check="translations", where=f"{p.domain}.po ({p.lang})",
                            message=f"{p.what}: msgid {p.msgid!r}") for p in disagreements(lang)]
    return out


def lint(data_dir: Path | str = catalogue_module.DATA_DIR, case_dir: Path | str | None = None,
         rule_list: Iterable[RuleInfo] | None = None) -> LintReport:
    """Run every check on a catalogue directory, a case directory (default: ./cases, else the
    checkout's or the installed case files) and a rule list (default: the engine's registry)."""
    if case_dir is None:
        from hipscreen.cases import default_cases_dir

        case_dir = default_cases_dir()
    rule_list = list(rules().values()) if rule_list is None else list(rule_list)
    kb = read_knowledge(Path(data_dir))
    problems = list(kb.problems)
    problems += check_references(kb, rule_list)
    problems += check_evidence_weights(kb, rule_list)
    problems += check_deficit_drills(kb)
    problems += check_unused(kb, rule_list)
    problems += check_unreachable(kb, rule_list)
    problems += check_text_and_source(kb, rule_list)
    problems += check_redundancy(rule_list)
    problems += check_subsumption(rule_list)
    problems += check_conflicts(rule_list, kb.ids("drills"), kb.ids("precautions"))
    problems += check_circularity(kb, rule_list)
    problems += check_red_flag_cases(kb, Path(case_dir))
    problems += check_pictures(kb)
    problems += check_full_references(kb, rule_list)
    problems += check_translations(Path(data_dir))
    return LintReport(data_dir=str(data_dir), case_dir=str(case_dir), rules_checked=len(rule_list),
                      checks=list(CHECKS), problems=problems)


# -- the subcommand ----------------------------------------------------------------------------
def render_text(report: LintReport) -> str:
    lines = [p.text() for p in report.problems]
    by_check = {c: sum(p.check == c for p in report.problems) for c in report.checks}
    lines.append("")
    lines += [f"{check:<16} {'ok' if n == 0 else f'{n} problem' + ('s' if n > 1 else '')}"
              for check, n in by_check.items()]
    lines.append(f"\nlint: {report.rules_checked} rules, {len(report.checks)} checks, "
                 f"{len(report.problems)} problems")
    return "\n".join(lines).lstrip("\n") + "\n"
