"""The screening rule base as CLIPS source, generated from the experta rules (issue 13).

`generate()` reads the rules of the screening stages off the engine's rule classes (the same
classes `hipscreen.rules.registry` reads) and writes one CLIPS construct per rule:

- the left-hand side from the rule's own patterns: conditional elements (AND, OR, NOT, EXISTS,
  AS bindings), field literals, variables (MATCH.x) and their conjunctions, and the named
  predicates of rules/meta.py (ThresholdCheck becomes a numeric comparison with the catalogue's
  value and comparison; OneOf a literal disjunction; StartsWith a `str-index` test; DrillCheck
  the literal disjunction of the catalogue drills it accepts, listed at generation time);
- the salience from the rule;
- the right-hand side from the rule body's source (`ast`), where it is made of the engine's
  helper calls (`self.finding`, `self.red_flag`, `self.evidence`, `self.declare(Kind(...))`,
  `self.swap`, `self.block`, `self.plan`) over variables, constants, slots of bound facts and
  catalogue look-ups; the few aggregate bodies (a loop over working memory) are CLIPS
  fragments in FRAGMENTS, keyed by rule id.

A rule it cannot translate and that has no fragment stops the generation with an
UntranslatableRule naming the rule, so no rule can drift out of the port unnoticed. Catalogue
data (red-flag levels, evidence weights, thresholds, drill regressions, deficit drills) goes in
as constants and generated look-up functions. Fact kinds become deftemplates; answers and
findings get one template per field / finding id, as the Python engine gives them one fact
class each (rules/facts.py).

`generate()` covers the four screening stages; `generate(ALL_STAGES)` adds the review stage,
which runs on a check-in's facts. `ClipsScreen` builds the generated source in a clipspy
Environment and screens one intake: reset, assert the answers screen() declares, run, read the
outcome back (`review()` does the same with a check-in's facts). `outcome_of(result)` and
`outcome_of_review(review)` read the same outcome from screen() and review(), for the agreement
check in tests/test_anchor.py and benchmarks/anchor.py.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from experta import Fact, InitialFact, Rule
from experta.conditionalelement import AND, EXISTS, FORALL, NOT, OR, TEST
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, FieldConstraint, L, P, W
from pydantic import BaseModel

from hipscreen.knowledge.catalogue import TRIAGE_ORDER, Catalogue, catalogue
from hipscreen.knowledge.intake import Intake, strip_optional
from hipscreen.rules.facts import kind_of
from hipscreen.rules.meta import DrillCheck, OneOf, StartsWith, ThresholdCheck
from hipscreen.rules.registry import STAGES

SCREENING_STAGES = ("safety", "interpret", "deficits", "prescribe")
"""The stages screen() runs on an intake (review only runs on a check-in's facts)."""
ALL_STAGES = (*SCREENING_STAGES, "review")
"""Every stage: what review() runs on a check-in (its safety answers, then the next plan)."""

KEYED = {"Answer": "field", "Finding": "id"}
"""The field holding the key of a kind's per-key fact classes (rules/facts.py answer() and
finding() make one class per intake field and per finding id). Each such class gets its own
template, `Kind:key`, without that field; the base class keeps a template of its own, `Kind`:
experta matches a pattern only against facts of its exact class, so a base-class pattern never
meets a per-key fact, in Python or in CLIPS."""
_PER_KEY_CLASS = re.compile(r"\w+\[(.+)\]")  # facts._subtype's class names: Answer[age]

_SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*\Z")
_RESERVED_SYMBOLS = frozenset({"nil", "TRUE", "FALSE"})


class UntranslatableRule(Exception):
    """A rule the generator cannot translate and that has no fragment in FRAGMENTS."""


# -- values ----------------------------------------------------------------------------------
def clips_value(value: Any) -> str:
    """A Python value as CLIPS source: True/False/None as TRUE/FALSE/nil, numbers as numbers, a
    text as a symbol when it is one (ids, sides, fields), else as a string; a tuple or list as
    its items, space-separated (a multifield slot's value)."""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if value is None:
        return "nil"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"no CLIPS literal for {value!r}")
        return repr(value)
    if isinstance(value, str):
        text = str.__str__(value)
        return text if _SYMBOL.match(text) and text not in _RESERVED_SYMBOLS else _string(text)
    if isinstance(value, tuple | list):
        return " ".join(clips_value(v) for v in value)
    raise ValueError(f"no CLIPS literal for {value!r} ({type(value).__name__})")


def _variable(name: str) -> str:
    """A Python variable name as a CLIPS variable (which may not start with an underscore)."""
    return f"?{name}" if name[:1].isalpha() else f"?v{name}"


def _string(text: str) -> str:
    """A CLIPS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _answer_is_tuple(path: str) -> bool:
    """Whether an answer's value is a tuple (a sub-model of the Intake, such as hip IR degrees),
    which screen() declares as one value and CLIPS holds in a multifield slot."""
    model: Any = Intake
    annotation: Any = None
    for part in path.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return False
        info = model.model_fields.get(part)
        if info is None:
            return False
        annotation, _ = strip_optional(info.annotation)
        if typing.get_origin(annotation) in (list, tuple, set, frozenset):
            annotation = typing.get_args(annotation)[0]
        model = annotation
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


# -- the generator ---------------------------------------------------------------------------
@dataclass
class _Template:
    name: str
    slots: dict[str, bool] = field(default_factory=dict)  # slot -> multifield

    def construct(self) -> str:
        slots = " ".join(f"({'multislot' if multi else 'slot'} {name})"
                         for name, multi in self.slots.items())
        return f"(deftemplate {self.name}{' ' if slots else ''}{slots})"


@dataclass
class _Scope:
    """What a rule's right-hand side may name: its variables, bound facts and locals."""

    rule: str
    variables: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)
    counter: int = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"?{stem}-{self.counter}"


class Port:
    """One generation: the templates, constants, functions and rules of the CLIPS source.
    FRAGMENTS call its helpers (assert_fact, meets, catalogue_function) so the templates they
    assert into and the catalogue data they read are generated like the rest."""

    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.templates: dict[str, _Template] = {}
        self.globals: dict[str, str] = {}
        self.functions: dict[str, str] = {}

    # -- templates and facts ---------------------------------------------------------------
    def template(self, kind: str, key: str | None = None) -> _Template:
        name = f"{kind}:{key}" if key is not None else kind
        found = self.templates.get(name)
        if found is None:
            found = self.templates[name] = _Template(name)
            if kind == "Answer":
                found.slots["value"] = _answer_is_tuple(key or "")
        return found

    def slot(self, template: _Template, slot: str, multi: bool = False) -> None:
        if multi or slot not in template.slots:
            template.slots[slot] = template.slots.get(slot, False) or multi

    def assert_fact(self, kind: str, key: str | None = None, **slots: str) -> str:
        """`(assert (Kind (slot value) ...))` for CLIPS expressions given per slot; a slot
        whose value is a tuple of expressions is a multifield slot."""
        template = self.template(kind, key)
        parts = []
        for name, value in slots.items():
            if isinstance(value, tuple):
                self.slot(template, name, multi=True)
                parts.append(f"({name}{''.join(' ' + v for v in value)})")
            else:
                self.slot(template, name)
                parts.append(f"({name} {value})")
        return f"(assert ({template.name}{''.join(' ' + p for p in parts)}))"

    # -- catalogue data ----------------------------------------------------------------------
    def meets(self, name: str, expr: str) -> str:
        """A CLIPS test that `expr` meets the threshold `name` (its value and comparison)."""
        threshold = self.cat.thresholds[name]
        op = {"below": "<", "above": ">", "at_least": ">="}[threshold.comparison]
        return f"({op} {expr} {clips_value(threshold.value)})"

    def constant(self, name: str, value: str) -> str:
        self.globals[name] = value
        return f"?*{name}*"

    def catalogue_function(self, table: str, attribute: str) -> str:
        """A deffunction giving `catalogue().<table>[id].<attribute>` for every entry (nil for an
        id the table does not have)."""
        name = f"catalogue-{table}-{attribute}"
        if name not in self.functions:
            entries = getattr(self.cat, table)
            cases = []
            for key, entry in entries.items():
                value = getattr(entry, attribute)
                if isinstance(value, list | tuple):
                    text = f"(create$ {clips_value(tuple(value))})" if value else "(create$)"
                else:
                    text = clips_value(value)
                cases.append(f"    (case {clips_value(key)} then {text})")
            self.functions[name] = (
                f"(deffunction {name} (?id)\n"
                f"  {_string(f'catalogue().{table}[id].{attribute}, from the catalogue')}\n"
                f"  (switch ?id\n" + "\n".join(cases) + "\n    (default nil)))")
        return name

    def function(self, name: str, text: str) -> str:
        self.functions.setdefault(name, text)
        return name


# -- left-hand sides -------------------------------------------------------------------------
class _Lhs:
    def __init__(self, port: Port, scope: _Scope) -> None:
        self.port = port
        self.scope = scope

    def refuse(self, what: str) -> UntranslatableRule:
        return UntranslatableRule(f"rule {self.scope.rule!r}: cannot translate {what} to CLIPS")

    def elements(self, ces: Iterable[Any]) -> list[str]:
        return [text for ce in ces if (text := self.element(ce)) is not None]

    def element(self, ce: Any) -> str | None:
        if isinstance(ce, InitialFact):
            return None
        if isinstance(ce, NOT):
            inner = self.elements(ce)
            return f"(not {inner[0]})" if len(inner) == 1 else f"(not (and {' '.join(inner)}))"
        if isinstance(ce, EXISTS):
            return f"(exists {' '.join(self.elements(ce))})"
        if isinstance(ce, OR):
            return f"(or {' '.join(self.elements(ce))})"
        if isinstance(ce, AND):
            return f"(and {' '.join(self.elements(ce))})"
        if isinstance(ce, TEST | FORALL):
            raise self.refuse(f"the conditional element {type(ce).__name__}")
        if isinstance(ce, Fact):
            return self.pattern(ce)
        raise self.refuse(f"the condition {ce!r}")

    def pattern(self, fact: Fact) -> str:
        kind = kind_of(fact)
        fields = {}
        for key, value in fact.items():
            if not isinstance(key, str):
                raise self.refuse(f"the positional field {key!r} of {kind}")
            if not Fact.is_special(key):
                fields[key] = value
        key = None
        if type(fact).__name__ != kind:  # a per-key class: its own template
            found = _PER_KEY_CLASS.fullmatch(type(fact).__name__)
            if found is None:
                raise self.refuse(f"the fact class {type(fact).__name__} (a {kind} of no known key)")
            key = found.group(1)
            literal = fields.get(KEYED.get(kind, ""))
            if isinstance(literal, L):
                literal = literal.value
            if literal == key:
                del fields[KEYED[kind]]
        template = self.port.template(kind, key)
        parts = [template.name]
        for slot, constraint in fields.items():
            self.port.slot(template, slot)
            parts.append(f"({slot} {self.constraint(constraint, template.slots[slot])})")
        text = f"({' '.join(parts)})"
        bind = fact.get("__bind__")
        if bind:
            self.scope.facts.add(bind)
            text = f"{_variable(bind)} <- {text}"
        return text

    def constraint(self, constraint: Any, multi: bool) -> str:
        """A slot's field constraint: an optional variable and the tests on it, as a CLIPS
        connective constraint (`?side&left|right`, `?age&:(< ?age 16)`, `TRUE`)."""
        names: list[str] = []
        terms: list[Any] = []
        self._collect(constraint, names, terms)
        self.scope.variables.update(names)
        var = _variable(names[0]) if names else None
        if multi:
            if len(names) + len(terms) > 1 or (terms and not isinstance(terms[0], L)):
                raise self.refuse("a test on a multifield slot other than one variable or literal")
            return "$" + var if var else self._literal(terms[0], multi=True) if terms else "$?"
        if not terms and len(names) <= 1:
            return var or "?"
        subject = var or self.scope.fresh("test")
        if len(terms) == 1 and len(names) <= 1:
            term, uses_subject = self._term(terms[0], subject)
            return f"{subject}&{term}" if var or uses_subject else term
        tests = [f"(eq {subject} {_variable(other)})" for other in names[1:]]
        tests += [self._test(term, subject) for term in terms]
        return subject + "".join(f"&:{t}" for t in tests)

    def _collect(self, constraint: Any, names: list[str], terms: list[Any]) -> None:
        if not isinstance(constraint, FieldConstraint):
            terms.append(L(constraint))
            return
        bind = getattr(constraint, "__bind__", None)
        if bind:
            names.append(bind)
        if isinstance(constraint, W):
            return
        if isinstance(constraint, ANDFC):
            for part in constraint:
                self._collect(part, names, terms)
        elif isinstance(constraint, L | P | ORFC | NOTFC):
            terms.append(constraint)
        else:
            raise self.refuse(f"the field constraint {constraint!r}")

    def _literal(self, term: L, multi: bool) -> str:
        if multi and not isinstance(term.value, tuple | list):
            raise self.refuse(f"the literal {term.value!r} on a multifield slot")
        return clips_value(term.value)

    def _term(self, term: Any, subject: str) -> tuple[str, bool]:
        """One test as a connective constraint term (a literal, a literal disjunction, or a
        predicate `:(...)` on `subject`), and whether it names the subject."""
        if isinstance(term, L):
            return clips_value(term.value), False
        if isinstance(term, P):
            values = self._values(term.match)
            if values:
                return "|".join(clips_value(v) for v in values), False
        return f":{self._test(term, subject)}", True

    def _test(self, term: Any, subject: str) -> str:
        """One test as a CLIPS boolean expression on `subject`."""
        if isinstance(term, L):
            return f"(eq {subject} {clips_value(term.value)})"
        if isinstance(term, NOTFC):
            return f"(not {self._test(_as_term(term[0], self), subject)})"
        if isinstance(term, ORFC):
            return f"(or {' '.join(self._test(_as_term(t, self), subject) for t in term)})"
        if isinstance(term, P):
            return self._predicate(term.match, subject)
        raise self.refuse(f"the field constraint {term!r}")

    def _values(self, match: Any) -> tuple[Any, ...] | None:
        """The finite set of values a predicate accepts, when it has one."""
        if isinstance(match, OneOf):
            return tuple(sorted(match.values))
        if isinstance(match, DrillCheck):
            return tuple(d for d in self.port.cat.drills if match(d))
        return None

    def _predicate(self, match: Any, subject: str) -> str:
        values = self._values(match)
        if values is not None:
            return f"(member$ {subject} (create$ {clips_value(values)}))" if values else "(eq 1 0)"
        if isinstance(match, ThresholdCheck):
            return f"(and (numberp {subject}) {self.port.meets(match.name, subject)})"
        if isinstance(match, StartsWith):
            prefixes = match.prefix if isinstance(match.prefix, tuple) else (match.prefix,)
            starts = [f"(eq (str-index {_string(p)} {subject}) 1)" for p in prefixes]
            either = starts[0] if len(starts) == 1 else f"(or {' '.join(starts)})"
            return f"(and (lexemep {subject}) (neq {subject} TRUE FALSE nil) {either})"
        raise self.refuse(f"the predicate {match!r} (name it in rules/meta.py and teach "
                          "tests/clips_helpers.py to translate it)")


def _as_term(constraint: Any, lhs: _Lhs) -> Any:
    if not isinstance(constraint, FieldConstraint):
        return L(constraint)
    if getattr(constraint, "__bind__", None) or isinstance(constraint, W | ANDFC):
        raise lhs.refuse(f"a variable or conjunction under | or ~ ({constraint!r})")
    return constraint


# -- right-hand sides ------------------------------------------------------------------------
class _Rhs:
    """A rule body translated statement by statement; anything else is refused."""

    def __init__(self, port: Port, scope: _Scope, rule: Rule, concludes: tuple[str, ...]) -> None:
        self.port = port
        self.scope = scope
        self.rule = rule
        self.concludes = concludes
        self.locals: set[str] = set()
        self.globals = rule._wrapped.__globals__

    def refuse(self, what: str, node: ast.AST | None = None) -> UntranslatableRule:
        where = f" ({ast.unparse(node)})" if node is not None else ""
        return UntranslatableRule(
            f"rule {self.scope.rule!r}: cannot translate {what}{where} to CLIPS; write its "
            f"right-hand side as a fragment in tests/clips_helpers.py FRAGMENTS")

    def translate(self) -> list[str]:
        try:
            source = textwrap.dedent(inspect.getsource(self.rule._wrapped))
        except (OSError, TypeError) as exc:
            raise self.refuse(f"a body whose source cannot be read: {exc}") from None
        tree = ast.parse(source).body[0]
        if not isinstance(tree, ast.FunctionDef):
            raise self.refuse("a body that is not a function")
        body = tree.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        return [self.statement(stmt) for stmt in body]

    def statement(self, stmt: ast.stmt) -> str:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            return self.call(stmt.value)
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            name = stmt.targets[0].id
            value = self.expr(stmt.value)
            self.locals.add(name)
            return f"(bind {_variable(name)} {value})"
        raise self.refuse("the statement", stmt)

    def _helper(self, call: ast.Call) -> str | None:
        func = call.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == "self"):
            return func.attr
        return None

    def _args(self, call: ast.Call, count: int) -> list[ast.expr]:
        if call.keywords or len(call.args) != count:
            raise self.refuse(f"a call with other than {count} positional argument(s)", call)
        return list(call.args)

    def _constant(self, node: ast.expr) -> Any:
        if not isinstance(node, ast.Constant):
            raise self.refuse("an id that is not a constant", node)
        return node.value

    def call(self, call: ast.Call) -> str:
        port = self.port
        helper = self._helper(call)
        if helper == "finding":
            finding_id, side = self._args(call, 2)
            return port.assert_fact("Finding", str(self._constant(finding_id)), side=self.expr(side))
        if helper == "red_flag":
            (flag,) = self._args(call, 1)
            flag_id = self._constant(flag)
            entry = port.cat.red_flags[flag_id]
            return port.assert_fact("RedFlag", id=clips_value(flag_id), level=clips_value(entry.level),
                                    stops_drills=clips_value(entry.stops_drills))
        if helper == "evidence":
            (side,) = self._args(call, 1)
            weight = port.cat.evidence.get(self.scope.rule)
            if weight is None or not self.concludes:
                raise self.refuse("evidence from a rule with no evidence.yaml weight", call)
            return port.assert_fact("Evidence", deficit=clips_value(self.concludes[0]),
                                    side=self.expr(side), weight=clips_value(weight.weight),
                                    rule=clips_value(self.scope.rule))
        if helper == "declare":
            (fact,) = self._args(call, 1)
            return self.declared(fact)
        if helper == "swap":
            candidate, to, precaution = self._args(call, 3)
            fact = self._bound_fact(candidate)
            target = self.scope.fresh("to")
            drill = f"(fact-slot-value {fact} drill)"
            return "\n".join([
                f"(bind {target} {self.expr(to)})",
                port.assert_fact("Replaced", drill=drill, by=target, precaution=self.expr(precaution)),
                port.assert_fact("Candidate", drill=target, side=f"(fact-slot-value {fact} side)",
                                 replaces=drill)])
        if helper == "block":
            drill, precaution = self._args(call, 2)
            return port.assert_fact("Blocked", drill=self.expr(drill), precaution=self.expr(precaution))
        if helper == "plan":
            drill, side = self._args(call, 2)
            return port.assert_fact("Planned", drill=self.expr(drill), side=self.expr(side))
        raise self.refuse("the call", call)

    def declared(self, node: ast.expr) -> str:
        if not isinstance(node, ast.Call):
            raise self.refuse("a declared value that is not a fact", node)
        if self._helper(node) == "triage_fact":
            (level,) = self._args(node, 1)
            return self.port.assert_fact("Triage", level=self.expr(level))
        cls = self.globals.get(node.func.id) if isinstance(node.func, ast.Name) else None
        if not (isinstance(cls, type) and issubclass(cls, Fact)) or node.args:
            raise self.refuse("a declared fact that is not a fact class with keyword fields", node)
        kind = kind_of(cls())  # a fact class named in the body is a base class: template Kind
        slots: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.refuse("a ** argument", node)
            value = keyword.value
            if isinstance(value, ast.Tuple | ast.List):
                slots[keyword.arg] = tuple(self.expr(v) for v in value.elts)
            else:
                slots[keyword.arg] = self.expr(value)
        return self.port.assert_fact(kind, **slots)

    def _bound_fact(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name) and node.id in self.scope.facts:
            return _variable(node.id)
        raise self.refuse("a fact that is not bound in the rule's patterns", node)

    def expr(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            return clips_value(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.scope.variables or node.id in self.locals:
                return _variable(node.id)
            raise self.refuse(f"the name {node.id!r}", node)
        if isinstance(node, ast.Subscript):
            # a bound fact's slot: flag["id"]
            if (isinstance(node.value, ast.Name) and node.value.id in self.scope.facts
                    and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
                return f"(fact-slot-value {_variable(node.value.id)} {node.slice.value})"
            # text.rsplit(sep, 1)[-1] or [1]: the part after the last sep
            if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
                    and node.value.func.attr == "rsplit" and len(node.value.args) == 2
                    and isinstance(node.slice, ast.Constant) and node.slice.value in (1, -1)
                    and isinstance(node.value.args[1], ast.Constant) and node.value.args[1].value == 1):
                text = self.expr(node.value.func.value)
                return f"({self.port.function('rsplit-last', _RSPLIT_LAST)} {text} " \
                       f"{_string(str(self._constant(node.value.args[0])))})"
        if isinstance(node, ast.Attribute):
            looked_up = self._catalogue(node)
            if looked_up is not None:
                return looked_up
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace" and len(node.args) == 2 and not node.keywords):
            text, old, new = (self.expr(n) for n in (node.func.value, *node.args))
            return f"(str-replace {text} {_as_string(old)} {new})"
        raise self.refuse("the expression", node)

    def _catalogue(self, node: ast.Attribute) -> str | None:
        """catalogue().<table>[key].<attribute>: a constant for a constant key, else a look-up."""
        sub = node.value
        if not (isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute)):
            return None
        table = sub.value
        if not (isinstance(table.value, ast.Call) and isinstance(table.value.func, ast.Name)
                and table.value.func.id == "catalogue" and not table.value.args):
            return None
        if self.globals.get("catalogue") is not catalogue:
            return None
        if isinstance(sub.slice, ast.Constant):
            value = getattr(getattr(self.port.cat, table.attr)[sub.slice.value], node.attr)
            return f"(create$ {clips_value(tuple(value))})" if isinstance(value, list) else clips_value(value)
        function = self.port.catalogue_function(table.attr, node.attr)
        return f"({function} {self.expr(sub.slice)})"


def _as_string(expr: str) -> str:
    return expr if expr.startswith('"') else _string(expr)


_RSPLIT_LAST = """(deffunction rsplit-last (?text ?sep)
  "Python's text.rsplit(sep, 1)[-1]: what follows the last sep, as a symbol."
  (bind ?rest (str-cat ?text))
  (bind ?at (str-index ?sep ?rest))
  (while ?at do
    (bind ?rest (sub-string (+ ?at (str-length ?sep)) (str-length ?rest) ?rest))
    (bind ?at (str-index ?sep ?rest)))
  (sym-cat ?rest))"""


# -- fragments: the aggregate bodies, written in CLIPS ----------------------------------------
def _triage_fragment(port: Port) -> str:
    order = port.constant("triage-order", f"(create$ {clips_value(TRIAGE_ORDER)})")
    return f"""(bind ?level nil)
(bind ?rank 0)
(do-for-all-facts ((?flag RedFlag)) TRUE
  (bind ?r (member$ ?flag:level {order}))
  (if (or (eq ?level nil) (< ?r ?rank)) then (bind ?level ?flag:level) (bind ?rank ?r)))
{port.assert_fact("Triage", level="?level")}"""


def _combine_fragment(port: Port) -> str:
    """rules/deficits.py evidence_combines_into_deficits: MYCIN certainty factors per deficit
    and side, evidence of a side-less finding added to each side sided evidence shows (or
    reported once, as both, when none does), equal sides reported once as both."""
    cat = port.cat
    sideless = [rule for rule, entry in cat.evidence.items()
                if not any(cat.findings[f].sided
                           for f in ([entry.finding] if isinstance(entry.finding, str) else entry.finding))]
    rules = port.constant("sideless-evidence-rules", f"(create$ {clips_value(tuple(sideless))})")
    likely = port.constant("likely-certainty", clips_value(cat.threshold("likely_certainty")))
    possible = port.constant("possible-certainty", clips_value(cat.threshold("possible_certainty")))
    level = port.function("certainty-level", f"""(deffunction certainty-level (?cf)
  "likely, possible, or FALSE (the body's level(), with its 1e-9 tolerance)"
  (if (>= ?cf (- {likely} 1e-09)) then likely
   else (if (>= ?cf (- {possible} 1e-09)) then possible else FALSE)))""")
    round4 = port.function("round-4", """(deffunction round-4 (?x)
  "Python's round(x, 4) for a certainty in [0, 1]: 4 decimals, ties to even."
  (bind ?scaled (* ?x 10000))
  (bind ?whole (integer ?scaled))
  (bind ?rest (- ?scaled ?whole))
  (if (or (> ?rest 0.5) (and (= ?rest 0.5) (oddp ?whole))) then (bind ?whole (+ ?whole 1)))
  (/ ?whole 10000.0))""")
    deficit = port.assert_fact
    return f"""(bind ?deficits (create$))
(do-for-all-facts ((?e Evidence)) (not (member$ ?e:deficit ?deficits))
  (bind ?deficits (create$ ?deficits ?e:deficit)))
(foreach ?deficit ?deficits
  (bind ?left 0.0) (bind ?right 0.0) (bind ?n-left 0) (bind ?n-right 0) (bind ?sideless (create$))
  (do-for-all-facts ((?e Evidence)) (eq ?e:deficit ?deficit)
    (if (and (eq ?e:side both) (member$ ?e:rule {rules}))
     then (bind ?sideless (create$ ?sideless ?e:weight))
     else
      (if (neq ?e:side right) then
        (bind ?left (+ ?left (* ?e:weight (- 1 ?left)))) (bind ?n-left (+ ?n-left 1)))
      (if (neq ?e:side left) then
        (bind ?right (+ ?right (* ?e:weight (- 1 ?right)))) (bind ?n-right (+ ?n-right 1)))))
  (if (and (= ?n-left 0) (= ?n-right 0))
   then
    (bind ?cf 0.0)
    (foreach ?w ?sideless (bind ?cf (+ ?cf (* ?w (- 1 ?cf)))))
    (bind ?level ({level} ?cf))
    (if ?level then
      {deficit("Deficit", id="?deficit", side="both", certainty=f"({round4} ?cf)", confidence="?level")})
   else
    (foreach ?w ?sideless
      (bind ?left (+ ?left (* ?w (- 1 ?left))))
      (bind ?right (+ ?right (* ?w (- 1 ?right)))))
    (bind ?left-level FALSE) (bind ?right-level FALSE)
    (if (> ?n-left 0) then (bind ?left-level ({level} ?left)))
    (if (> ?n-right 0) then (bind ?right-level ({level} ?right)))
    (bind ?left ({round4} ?left))
    (bind ?right ({round4} ?right))
    (if (and ?left-level ?right-level (= ?left ?right))
     then
      {deficit("Deficit", id="?deficit", side="both", certainty="?left", confidence="?left-level")}
     else
      (if ?left-level then
        {deficit("Deficit", id="?deficit", side="left", certainty="?left", confidence="?left-level")})
      (if ?right-level then
        {deficit("Deficit", id="?deficit", side="right", certainty="?right",
                 confidence="?right-level")}))))"""


def _candidates_fragment(port: Port) -> str:
    """rules/prescribe.py deficits_call_for_their_drills: one candidate per drill the concluded
    deficits call for, on the sides of all of them (merge_sides: two sides, or both, make both)."""
    drills = port.catalogue_function("deficits", "drills")
    return f"""(bind ?drills (create$))
(bind ?sides (create$))
(do-for-all-facts ((?d Deficit)) TRUE
  (foreach ?drill ({drills} ?d:id)
    (bind ?at (member$ ?drill ?drills))
    (if ?at
     then (if (neq (nth$ ?at ?sides) ?d:side) then (bind ?sides (replace$ ?sides ?at ?at both)))
     else (bind ?drills (create$ ?drills ?drill)) (bind ?sides (create$ ?sides ?d:side)))))
(loop-for-count (?i (length$ ?drills))
  {port.assert_fact("Candidate", drill="(nth$ ?i ?drills)", side="(nth$ ?i ?sides)", replaces="nil")})"""


def _measured_ir_fragment(port: Port) -> str:
    """rules/interpret.py measured_ir_...: limited on a side below the floor or trailing the
    other side by the side difference; both sides limited make both."""
    floor, gap = "hip_ir_limited_below_degrees", "hip_ir_side_difference_degrees"
    finding = port.assert_fact
    return f"""(bind ?left (nth$ 1 ?degrees))
(bind ?right (nth$ 2 ?degrees))
(bind ?left-limited (or {port.meets(floor, "?left")} {port.meets(gap, "(- ?right ?left)")}))
(bind ?right-limited (or {port.meets(floor, "?right")} {port.meets(gap, "(- ?left ?right)")}))
(if (and ?left-limited ?right-limited) then {finding("Finding", "limited_hip_ir", side="both")}
 else (if ?left-limited then {finding("Finding", "limited_hip_ir", side="left")}
       else (if ?right-limited then {finding("Finding", "limited_hip_ir", side="right")})))"""


def _pain_monitoring_fragment(port: Port) -> str:
    """rules/prescribe.py a_plan_carries_the_pain_monitoring_model (the planned drills it
    gathers are only its trace's premises)."""
    return port.assert_fact("PrecautionApplies", id="pain_monitoring", drills=())


def _next_plan_fragment(port: Port) -> str:
    """rules/review.py the_decisions_make_the_next_plan: one candidate per drill the decisions
    lead to, on the sides of all of them."""
    return f"""(bind ?drills (create$))
(bind ?sides (create$))
(do-for-all-facts ((?d DrillDecision)) (neq ?d:to nil)
  (bind ?at (member$ ?d:to ?drills))
  (if ?at
   then (if (neq (nth$ ?at ?sides) ?d:side) then (bind ?sides (replace$ ?sides ?at ?at both)))
   else (bind ?drills (create$ ?drills ?d:to)) (bind ?sides (create$ ?sides ?d:side))))
(loop-for-count (?i (length$ ?drills))
  {port.assert_fact("Candidate", drill="(nth$ ?i ?drills)", side="(nth$ ?i ?sides)", replaces="nil")})"""


def _ng65_feature_fragment(port: Port) -> str:
    """rules/safety.py an_ng65_feature_counts_as_a_criterion: the criterion is the safety
    answer's name: its template's name (Answer:safety.<name>) without the prefix."""
    prefix = "Answer:safety."
    name = (f'(sym-cat (sub-string {len(prefix) + 1} (str-length (fact-relation ?said)) '
            '(fact-relation ?said)))')
    return port.assert_fact("Ng65Criterion", id=name)


def _ng65_count_fragment(port: Port) -> str:
    """rules/safety.py enough_ng65_criteria_mean_inflammatory_back_pain: the red flag when the
    criteria met reach the threshold."""
    entry = port.cat.red_flags["inflammatory_back_pain"]
    flag = port.assert_fact("RedFlag", id="inflammatory_back_pain", level=clips_value(entry.level),
                            stops_drills=clips_value(entry.stops_drills))
    count = "(length$ (find-all-facts ((?c Ng65Criterion)) TRUE))"
    return f"(if {port.meets('ibp_criteria_at_least', count)} then {flag})"


FRAGMENTS: dict[str, Callable[[Port], str]] = {
    "an_ng65_feature_counts_as_a_criterion": _ng65_feature_fragment,
    "enough_ng65_criteria_mean_inflammatory_back_pain": _ng65_count_fragment,
    "most_urgent_red_flag_sets_triage": _triage_fragment,
    "measured_ir_under_the_floor_or_behind_the_other_side_is_limited": _measured_ir_fragment,
    "evidence_combines_into_deficits": _combine_fragment,
    "deficits_call_for_their_drills": _candidates_fragment,
    "a_plan_carries_the_pain_monitoring_model": _pain_monitoring_fragment,
    "the_decisions_make_the_next_plan": _next_plan_fragment,
}
"""Right-hand sides written by hand, keyed by rule id: bodies that loop over working memory."""


# -- the whole source ------------------------------------------------------------------------
def rule_classes(stages: Iterable[str] = SCREENING_STAGES) -> dict[type, str]:
    """The engine's rule classes of these stages (rules/registry.py STAGES), stage by class."""
    wanted = set(stages)
    unknown = wanted - set(STAGES.values())
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(unknown)}; expected {sorted(STAGES.values())}")
    return {cls: stage for cls, stage in STAGES.items() if stage in wanted}


def _rules_of(classes: Mapping[type, str]) -> list[tuple[str, str, Rule]]:
    found = []
    for cls, stage in classes.items():
        for name, obj in vars(cls).items():
            if isinstance(obj, Rule):
                found.append((name, stage, obj))
    return found


def _answers_function(port: Port) -> str:
    """`(hipscreen-answers field value field value ...)`: assert each answer into its field's
    template; a multifield answer comes as field, the number of values, then the values."""
    cases = []
    for template in port.templates.values():
        if not template.name.startswith("Answer:"):
            continue
        name = template.name.split(":", 1)[1]
        if template.slots["value"]:
            values = "(subseq$ ?answers (+ ?i 2) (+ ?i ?n 1))"
            cases.append(f"      (case {name} then\n"
                         f"        (bind ?n (nth$ (+ ?i 1) ?answers))\n"
                         f"        (assert ({template.name} (value {values})))\n"
                         f"        (bind ?i (+ ?i ?n 2)))")
        else:
            value = "(nth$ (+ ?i 1) ?answers)"
            cases.append(f"      (case {name} then (assert ({template.name} (value {value}))) "
                         f"(bind ?i (+ ?i 2)))")
    unknown = '(println "hipscreen-answers: unknown field " (nth$ ?i ?answers)) (return FALSE)'
    return ("(deffunction hipscreen-answers ($?answers)\n"
            '  "Assert the answers screen() declares: field value ..., a multifield as field n v1 .. vn."\n'
            "  (bind ?i 1)\n"
            "  (bind ?end (length$ ?answers))\n"
            "  (while (<= ?i ?end) do\n"
            "    (switch (nth$ ?i ?answers)\n" + "\n".join(cases) + "\n"
            f"      (default {unknown})))\n"
            "  TRUE)")


_OUTCOME = """(deffunction hipscreen-outcome ()
  "Triage, deficits and plan as tagged entries in one string (clipspy converts a returned
   multifield element by element, at about a microsecond each)."
  (bind ?out (create$))
  (do-for-all-facts ((?f Triage)) TRUE (bind ?out (create$ ?out triage ?f:level)))
  (if (any-factp ((?f DrillsStopped)) TRUE) then (bind ?out (create$ ?out stopped)))
  (do-for-all-facts ((?f Deficit)) TRUE
    (bind ?out (create$ ?out deficit ?f:id ?f:side ?f:certainty ?f:confidence)))
  (do-for-all-facts ((?f Planned)) TRUE (bind ?out (create$ ?out planned ?f:drill ?f:side)))
  (do-for-all-facts ((?f Candidate)) TRUE (bind ?out (create$ ?out candidate ?f:drill ?f:replaces)))
  (implode$ ?out))"""

_DETAILS = """(deffunction hipscreen-details ()
  "The red flags met, the precautions applied and a check-in's decisions, as tagged entries."
  (bind ?out (create$))
  (do-for-all-facts ((?f RedFlag)) TRUE (bind ?out (create$ ?out red_flag ?f:id)))
  (do-for-all-facts ((?f Replaced)) TRUE (bind ?out (create$ ?out precaution ?f:precaution)))
  (do-for-all-facts ((?f Blocked)) TRUE (bind ?out (create$ ?out precaution ?f:precaution)))
  (do-for-all-facts ((?f PrecautionApplies)) TRUE (bind ?out (create$ ?out precaution ?f:id)))
  (do-for-all-facts ((?f DrillDecision)) TRUE
    (bind ?out (create$ ?out decision ?f:drill ?f:side ?f:decision ?f:to)))
  (implode$ ?out))"""

OUTCOME_SLOTS = {"Triage": ("level",), "DrillsStopped": (), "RedFlag": ("id",),
                 "Deficit": ("id", "side", "certainty", "confidence"), "Planned": ("drill", "side"),
                 "Candidate": ("drill", "replaces"), "Replaced": ("precaution",),
                 "Blocked": ("precaution",), "PrecautionApplies": ("id",),
                 "DrillDecision": ("drill", "side", "decision", "to")}


@dataclass(frozen=True)
class Source:
    """The generated CLIPS source: its constructs in build order, and the answer templates."""

    constructs: tuple[str, ...]
    answer_fields: Mapping[str, bool]  # intake field -> its value is a multifield
    rule_ids: tuple[str, ...]

    def text(self) -> str:
        head = ("; hipscreen's screening rule base for CLIPS, generated by tests/clips_helpers.py\n"
                "; from the experta rules and the catalogue in use. Do not edit: regenerate.\n\n")
        return head + "\n\n".join(self.constructs) + "\n"


def generate(stages: Iterable[str] = SCREENING_STAGES, *,
             classes: Mapping[type, str] | None = None,
             fragments: Mapping[str, Callable[[Port], str]] | None = None,
             cat: Catalogue | None = None) -> Source:
    """The CLIPS source of the rule classes of `stages` (or of `classes`, stage by class), with
    the catalogue in use. Raises UntranslatableRule for a rule it cannot translate."""
    port = Port(cat or catalogue())
    fragments = FRAGMENTS if fragments is None else fragments
    found = _rules_of(rule_classes(stages) if classes is None else classes)
    # Right-hand sides first: they say which slots are multifields, which the patterns need.
    translated = []
    for name, stage, rule in found:
        scope = _Scope(name)
        _variables_of(rule, scope)
        meta = getattr(rule, "meta", None)
        if name in fragments:
            rhs = [fragments[name](port)]
        else:
            rhs = _Rhs(port, scope, rule, tuple(getattr(meta, "concludes", ()))).translate()
        translated.append((name, stage, rule, rhs))
    rules_text = []
    for name, stage, rule, rhs in translated:
        lhs = _Lhs(port, _Scope(name)).elements(rule)
        doc = port.cat.with_numbers(" ".join((rule._wrapped.__doc__ or "").split()))
        body = "\n".join("  " + line for stmt in rhs for line in stmt.splitlines())
        rules_text.append(
            f"; {stage}\n(defrule {name} {_string(doc)}\n  (declare (salience {rule.salience}))\n"
            + "".join(f"  {ce}\n" for ce in lhs) + "  =>\n" + body + ")")
    for kind, slots in OUTCOME_SLOTS.items():  # the outcome reads these even when none is made
        template = port.template(kind)
        for slot in slots:
            port.slot(template, slot)
    templates = sorted(port.templates.values(), key=lambda t: not t.name.startswith("Answer:"))
    constructs = [t.construct() for t in templates]
    constructs += [f"(defglobal ?*{name}* = {value})" for name, value in port.globals.items()]
    constructs += list(port.functions.values())
    constructs += [_answers_function(port), _OUTCOME, _DETAILS]
    constructs += rules_text
    answers = {t.name.split(":", 1)[1]: t.slots["value"] for t in port.templates.values()
               if t.name.startswith("Answer:")}
    return Source(tuple(constructs), answers, tuple(name for name, *_ in found))


def _variables_of(rule: Rule, scope: _Scope) -> None:
    """The variables and bound facts a rule's patterns name (the body's arguments)."""
    def walk(item: Any) -> None:
        if isinstance(item, Fact):
            if item.get("__bind__"):
                scope.facts.add(item["__bind__"])
            for key, value in item.items():
                if not Fact.is_special(key):
                    walk(value)
        elif isinstance(item, tuple):  # conditional elements and field constraints
            bind = getattr(item, "__bind__", None)
            if bind:
                scope.variables.add(bind)
            for part in item:
                walk(part)

    for ce in rule:
        walk(ce)


# -- running it ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What the agreement check compares: triage, red flags, deficits, plan and precautions
    (and a check-in review's decisions per drill)."""

    triage: str
    red_flags: tuple[str, ...]
    deficits: tuple[tuple[str, str, float, str], ...]  # id, side, certainty (4 decimals), confidence
    plan: tuple[tuple[str, str, str | None], ...]  # drill, side, the drill it replaces
    precautions: tuple[str, ...]
    decisions: tuple[tuple[str, str, str, str | None], ...] = ()  # drill, side, decision, to

    def differences(self, other: Outcome) -> list[str]:
        """Each field that differs, as 'field: mine != other's'."""
        return [f"{name}: {getattr(self, name)!r} != {getattr(other, name)!r}"
                for name in ("triage", "red_flags", "deficits", "plan", "precautions", "decisions")
                if getattr(self, name) != getattr(other, name)]


def outcome_of(result: Any) -> Outcome:
    """The outcome of a screen() Result."""
    return Outcome(
        triage=result.triage.level,
        red_flags=tuple(sorted(f.id for f in result.triage.red_flags)),
        deficits=tuple(sorted((d.id, d.side, round(d.certainty, 4), d.confidence)
                              for d in result.deficits)),
        plan=tuple(sorted((p.drill, p.side, p.replaces) for p in result.plan)),
        precautions=tuple(sorted(p.id for p in result.precautions)))


def outcome_of_review(review: Any) -> Outcome:
    """The outcome of a check-in review (hipscreen.review.Review). The next plan is compared by
    drill and side: a review words what a drill replaces from its decisions too."""
    return Outcome(
        triage=review.triage.level,
        red_flags=tuple(sorted(f.id for f in review.triage.red_flags)),
        deficits=(),
        plan=tuple(sorted((p.drill, p.side, None) for p in review.plan)),
        precautions=tuple(sorted(p.id for p in review.precautions)),
        decisions=tuple(sorted((d.drill, d.side, d.decision, d.to) for d in review.decisions)))


def _none(value: str) -> str | None:
    return None if value == "nil" else value


def read_outcome(text: str) -> Outcome:
    """An Outcome from hipscreen-outcome's tagged entries (the plan read as screen() reads it:
    a planned drill's candidate, followed back through the drills it replaced)."""
    values = text.split()
    triage, stopped = "", False
    flags, deficits, planned, candidates, precautions, decisions = [], [], {}, {}, set(), []
    i, n = 0, len(values)
    while i < n:
        tag = values[i]
        if tag == "triage":  # a check-in may conclude several: the most urgent holds
            if not triage or TRIAGE_ORDER.index(values[i + 1]) < TRIAGE_ORDER.index(triage):
                triage = values[i + 1]
            i += 2
        elif tag == "stopped":
            stopped = True
            i += 1
        elif tag == "red_flag":
            flags.append(values[i + 1])
            i += 2
        elif tag == "deficit":
            deficits.append((values[i + 1], values[i + 2], round(float(values[i + 3]), 4),
                             values[i + 4]))
            i += 5
        elif tag == "planned":
            planned[values[i + 1]] = values[i + 2]
            i += 3
        elif tag == "candidate":
            candidates[values[i + 1]] = _none(values[i + 2])
            i += 3
        elif tag == "precaution":
            precautions.add(values[i + 1])
            i += 2
        elif tag == "decision":
            decisions.append((values[i + 1], values[i + 2], values[i + 3], _none(values[i + 4])))
            i += 5
        else:
            raise ValueError(f"unknown outcome entry {tag!r}")
    plan = []
    if not stopped:
        for drill, side in planned.items():
            replaces = candidates.get(drill)
            first = replaces
            while first is not None and candidates.get(first) is not None:
                first = candidates[first]
            plan.append((drill, side, first))
    return Outcome(triage=triage, red_flags=tuple(sorted(flags)), deficits=tuple(sorted(deficits)),
                   plan=tuple(sorted(plan)), precautions=tuple(sorted(precautions)),
                   decisions=tuple(sorted(decisions)))


def python_to_clips(value: Any) -> Any:
    """A Python value as clipspy passes it to CLIPS, typed as clips_value() writes it: a text
    that is a symbol as clips.Symbol (clipspy makes a plain str a CLIPS string)."""
    import clips

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        text = str.__str__(value)
        return clips.Symbol(text) if _SYMBOL.match(text) and text not in _RESERVED_SYMBOLS else text
    if isinstance(value, tuple | list):
        return [python_to_clips(v) for v in value]
    raise ValueError(f"no CLIPS value for {value!r} ({type(value).__name__})")


class ClipsScreen:
    """The generated rule base in a clipspy Environment, built once; per intake: reset, assert
    the answers, run, read the outcome back.

    The answers go in through one call of the generated `hipscreen-answers` function, and the
    outcome comes back from one call of `hipscreen-outcome`. Neither goes through clipspy's
    TemplateFact (`Template.assert_fact`, or an `(assert ...)` evaluated from Python): with
    clipspy 1.0.6 and CLIPS 6.4.2 a fact that had a TemplateFact is never freed after it is
    retracted, so memory grows and every reset gets slower; evaluating an `(assert ...)` string
    also costs CLIPS's parser several times the matching."""

    def __init__(self, source: Source | None = None) -> None:
        import clips  # the benchmark dependency group; only the port needs it

        self.source = source or generate()
        self.env = clips.Environment()
        for construct in self.source.constructs:
            self.env.build(construct)
        self._symbols = {name: clips.Symbol(name) for name in self.source.answer_fields}
        self._values: dict[tuple[type, Any], Any] = {}  # python_to_clips of scalar answers
        self._answers = self.env.find_function("hipscreen-answers")
        self._outcome = self.env.find_function("hipscreen-outcome")
        self._details = self.env.find_function("hipscreen-details")
        self._slots: dict[str, set[str]] | None = None  # template -> slots, for review()

    def facts(self, answers: Iterable[Fact]) -> list[Any]:
        """The answer facts screen() declares, as the arguments of `hipscreen-answers`."""
        multi = self.source.answer_fields
        symbols, known = self._symbols, self._values
        out: list[Any] = []
        for fact in answers:
            name = fact["field"]
            if name not in multi:
                raise KeyError(f"no CLIPS template for the answer {name!r}: no translated rule reads it")
            value = fact["value"]
            if multi[name]:
                value = python_to_clips(value)
                out += [symbols[name], len(value), *value]
                continue
            key = (type(value), value)
            converted = known.get(key)
            if converted is None:
                converted = known[key] = python_to_clips(value)
            out += [symbols[name], converted]
        return out

    def run(self, facts: list[Any], *, details: bool = False) -> Outcome:
        """Reset, assert the answers, run the rules, read the outcome (triage, deficits and
        plan; with `details`, the red flags and precautions too)."""
        env = self.env
        env.reset()
        if facts and not self._answers(*facts):
            raise ValueError("hipscreen-answers refused an answer (see the CLIPS output)")
        env.run()
        text = self._outcome()
        if details:
            text += " " + self._details()
        return read_outcome(text)

    def screen(self, answers: Iterable[Fact]) -> Outcome:
        """The whole outcome, for the agreement check."""
        return self.run(self.facts(answers), details=True)

    def review(self, facts: Iterable[Fact]) -> Outcome:
        """A check-in review's outcome (a port generated with the review stage): the facts
        hipscreen.review.checkin_facts declares, answers and the rest. The rest go in through
        one `(progn (assert ...) ...)`, slow to parse but fine off the clock; a fact kind or
        slot no translated rule names is left out, as no rule could read it."""
        env = self.env
        answers, others = [], []
        for fact in facts:
            (answers if kind_of(fact) == "Answer" else others).append(fact)
        if self._slots is None:
            self._slots = {t.name: {slot.name for slot in t.slots} for t in env.templates()}
        templates = self._slots
        asserts = []
        for fact in others:
            kind = kind_of(fact)
            slots = templates.get(kind)
            if slots is None:
                continue
            parts = "".join(f" ({key} {clips_value(value)})" for key, value in fact.items()
                            if key in slots)
            asserts.append(f"(assert ({kind}{parts}))")
        env.reset()
        values = self.facts(answers)
        if values and not self._answers(*values):
            raise ValueError("hipscreen-answers refused an answer (see the CLIPS output)")
        if asserts:
            env.eval(f"(progn {' '.join(asserts)} TRUE)")
        env.run()
        outcome = read_outcome(self._outcome() + " " + self._details())
        return Outcome(triage=outcome.triage, red_flags=outcome.red_flags, deficits=(),
                       plan=tuple(sorted((d, s, None) for d, s, _ in outcome.plan)),
                       precautions=outcome.precautions, decisions=outcome.decisions)
