"""A compiled matcher behind experta's matcher hook: experta's activations, without its Rete.

experta's ReteMatcher passes every fact through a network of node objects: a token copied at
most nodes, each alpha test a chain of generic checks that log every call, and every join
re-walking the other side's memory with dict copies. This matcher takes the same rules, put in
the same normal form by experta's own `prepare_rule` (DNF, InitialFact where a branch starts with
a NOT or matches no fact), and compiles each branch once:

- every pattern's field tests become one plain Python function (generated source), indexed by
  the exact fact type experta's TypeCheck tests, returning what it binds (a dict) or None;
- positive patterns join on their shared variables, nothing is copied;
- a NOT counts the facts that block each match, an EXISTS counts the facts that satisfy it;
- the conflict set changes only for the branches a fact reaches, and `changes()` hands over
  the activations added and removed since the last call, netted as experta's conflict-set
  nodes net them.

What it concludes is experta's: tests/test_compiled_matcher.py compares it with experta's own
ReteMatcher on every condition form it accepts (with retraction, batches, random rule sets and
random runs), and tests/test_experta_patches.py and benchmarks/equivalence.py compare the whole
rule base on stock experta. It accepts patterns, AND, OR, NOT, EXISTS and TEST; FORALL, EXISTS
of more than one pattern, nested field access (`a__b`) and a variable under `~` or `|` are
refused when the engine is built (UnsupportedCondition), never matched wrongly; an OR inside
EXISTS or FORALL is refused as experta refuses it (SyntaxError). Where experta itself goes wrong it
does not follow: two equal patterns in one rule match every pair of facts, a rule starting
with TEST can fire, and a fact declared and retracted between two `changes()` is matched by no
rule (experta raises KeyError).
"""

from __future__ import annotations

from hipscreen.rules.experta_version import check_experta_version

# Checked before importing experta's internals, so a moved internal cannot hide the real cause.
check_experta_version()

import inspect  # noqa: E402
from collections.abc import Iterable  # noqa: E402

from experta.abstract import Matcher  # noqa: E402
from experta.activation import Activation  # noqa: E402
from experta.conditionalelement import AND, EXISTS, FORALL, NOT, OR, TEST  # noqa: E402
from experta.fact import Fact, InitialFact  # noqa: E402
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, FieldConstraint, L, P, W  # noqa: E402
from experta.matchers.rete.utils import prepare_rule  # noqa: E402
from experta.rule import Rule  # noqa: E402

__all__ = ["CompiledActivation", "CompiledMatcher", "UnsupportedCondition"]

POSITIVE, NEGATED, EXISTING = 0, 1, 2


class UnsupportedCondition(TypeError):
    """A rule uses a condition form the compiled matcher does not implement."""


# -- compiling one pattern -------------------------------------------------------------------
class _PatternCode:
    """Generated source for one pattern's alpha test, and the names it binds. Its constants are
    named with the pattern's number, so every pattern of an engine compiles as one module."""

    def __init__(self, rule_name: str, number: int) -> None:
        self.rule_name = rule_name
        self.number = number
        self.reads: list[str] = []          # lines reading the fields
        self.tests: list[str] = []          # boolean expressions, all must hold
        self.binds: dict[str, str] = {}     # variable -> expression of its value
        self.constants: dict[str, object] = {}

    def constant(self, value: object) -> str:
        name = f"c{self.number}_{len(self.constants)}"
        self.constants[name] = value
        return name

    def refuse(self, what: str) -> UnsupportedCondition:
        return UnsupportedCondition(f"rule {self.rule_name!r}: {what} is not supported by the "
                                    f"compiled matcher (hipscreen.rules.compiled_matcher)")

    def bind(self, name: str, expr: str) -> None:
        if name in self.binds:  # the same variable twice in one pattern: both values agree
            self.tests.append(f"({self.binds[name]} == {expr})")
        else:
            self.binds[name] = expr

    def constraint(self, constraint, expr: str, *, may_bind: bool = True) -> str:
        """A boolean expression for one field constraint on the value `expr` (experta's
        FeatureCheck semantics), recording its bindings."""
        if not isinstance(constraint, FieldConstraint):
            constraint = L(constraint)
        bind = getattr(constraint, "__bind__", None)
        if bind is not None:
            if not may_bind:
                raise self.refuse(f"a variable ({bind!r}) under ~ or |")
            self.bind(bind, expr)
        if isinstance(constraint, L):
            return f"({self.constant(constraint.value)} == {expr})"
        if isinstance(constraint, W):
            return "True"
        if isinstance(constraint, P):
            return f"{self.constant(constraint.match)}({expr})"
        if isinstance(constraint, ANDFC):
            parts = [self.constraint(c, expr, may_bind=may_bind) for c in constraint]
            return "(" + " and ".join(parts) + ")"
        if isinstance(constraint, ORFC):
            parts = [self.constraint(c, expr, may_bind=False) for c in constraint]
            return "(" + " or ".join(parts) + ")"
        if isinstance(constraint, NOTFC):
            return f"(not {self.constraint(constraint[0], expr, may_bind=False)})"
        raise self.refuse(f"the field constraint {constraint!r}")


class _Compiler:
    """Collects the alpha tests of every pattern, then compiles them as one module (one call to
    compile() instead of one per pattern: building an engine is part of a CLI run)."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.namespace: dict[str, object] = {}
        self.waiting: list[_Slot] = []

    def pattern(self, pattern: Fact, rule_name: str) -> tuple[type, str, tuple[str, ...]]:
        """(fact type, test's name, variable names) of a pattern; the test takes a fact and
        returns its bindings (a new dict: variable -> value) when the fact matches, else None."""
        number = len(self.sources)
        code = _PatternCode(rule_name, number)
        for position, (key, constraint) in enumerate(pattern.items()):
            if key == "__bind__":
                code.bind(constraint, "fact")
                continue
            if isinstance(key, str) and key.startswith("__") and key.endswith("__"):
                raise code.refuse(f"the special key {key!r} in a pattern")
            if isinstance(key, str) and "__" in key:
                raise code.refuse(f"the nested field access {key!r}")
            value = f"v{position}"
            code.reads.append(f"{value} = fact[{key!r}]")
            code.tests.append(code.constraint(constraint, value))
        names = tuple(code.binds)
        name = f"alpha_{number}"
        lines = [f"def {name}(fact):  # {rule_name}"]
        if code.reads:
            lines += ["    try:", *(f"        {line}" for line in code.reads),
                      "    except (KeyError, IndexError, TypeError):", "        return None"]
        tests = [t for t in code.tests if t != "True"]
        if tests:
            lines.append(f"    if not ({' and '.join(tests)}):")
            lines.append("        return None")
        bindings = ", ".join(f"{n!r}: {code.binds[n]}" for n in names)
        lines.append(f"    return {{{bindings}}}")
        self.sources.append("\n".join(lines))
        self.namespace.update(code.constants)
        return type(pattern), name, names

    def compile(self) -> None:
        """Compile every test and hand each waiting slot its function."""
        module = compile("\n\n".join(self.sources), "<hipscreen alpha tests>", "exec")
        exec(module, self.namespace)  # noqa: S102  (source generated above from the rules)
        for slot in self.waiting:
            slot.alpha = self.namespace[slot.alpha]
        self.waiting = []


# -- one branch of a rule (a conjunction after DNF) ----------------------------------------------
class CompiledActivation(Activation):
    """experta's Activation, made without hashing its facts (`facts` is a tuple of the distinct
    facts matched; experta's is a set of the same facts; equality and hashing are experta's).
    It is also the branch's record of the match: how many facts block it (NOT), and whether it
    is in the conflict set."""

    def __init__(self, rule, facts, context) -> None:
        self.rule = rule
        self.facts = facts
        self.context = context
        self.key = None
        self.blocked = 0
        self.active = False


class _Slot:
    """A pattern of a branch: POSITIVE, NEGATED (NOT) or EXISTING (EXISTS)."""

    __slots__ = ("branch", "role", "fact_type", "alpha", "names", "join", "memory", "others")

    def __init__(self, branch, role, fact_type, alpha, names, join) -> None:
        self.branch = branch
        self.role = role
        self.fact_type = fact_type
        self.alpha = alpha
        self.names = names      # variables the pattern binds
        self.join = join        # for NOT: the variables it shares with earlier patterns
        self.memory: list = []  # (fact, bindings) of the facts that pass the alpha test
        self.others: tuple = ()  # for a positive pattern: the branch's other positive patterns


class _Branch:
    def __init__(self, rule: Rule, elements: Iterable, pending: dict, compiler: _Compiler) -> None:
        self.rule = rule
        self.compiler = compiler
        self.salience = rule.salience
        self.name = rule.__name__
        self.pending = pending  # the matcher's: id(activation) -> (activation, added?)
        self.positive: list[_Slot] = []
        self.negated: list[_Slot] = []
        self.existing: list[_Slot] = []
        self.tests: list[tuple] = []
        self.matches: list[CompiledActivation] = []
        self.exists_count: list[int] = []
        bound: set[str] = set()
        elements = list(elements)
        if any(isinstance(e, EXISTS) for e in elements) and not any(
                type(e) is InitialFact for e in elements):
            # experta joins an EXISTS through the InitialFact, which is then one of the facts
            # of every activation; the compiled branch matches the InitialFact the same way.
            elements.insert(0, InitialFact())
        name = rule.__name__
        for element in elements:
            if isinstance(element, Fact):
                slot = self._slot(POSITIVE, element, bound, name)
                bound.update(slot.names)
                self.positive.append(slot)
            elif isinstance(element, NOT) and len(element) == 1 and isinstance(element[0], Fact):
                self.negated.append(self._slot(NEGATED, element[0], bound, name))
            elif isinstance(element, EXISTS) and len(element) == 1 and isinstance(element[0], Fact):
                self.existing.append(self._slot(EXISTING, element[0], set(), name))
                self.exists_count.append(0)
            elif isinstance(element, TEST):
                test = element[0]
                params = tuple(inspect.signature(test).parameters)
                self.tests.append((test, params, frozenset(bound)))
            elif isinstance(element, EXISTS | FORALL) and _holds_or(element):
                # experta's own refusal (ReteMatcher), with its words: not a form it matches
                raise SyntaxError("You can't use an OR clause inside FORALL or EXISTS")
            elif isinstance(element, FORALL):
                raise UnsupportedCondition(f"rule {name!r}: FORALL is not supported by the "
                                           f"compiled matcher")
            else:
                raise UnsupportedCondition(f"rule {name!r}: the condition {element!r} is not "
                                           f"supported by the compiled matcher")
        self._single = len(self.positive) == 1 and not self.tests
        self.slots = (*self.positive, *self.negated, *self.existing)
        for slot in self.positive:
            slot.others = tuple(s for s in self.positive if s is not slot)

    def _slot(self, role, pattern, bound, rule_name) -> _Slot:
        fact_type, alpha, names = self.compiler.pattern(pattern, rule_name)
        join = tuple(n for n in names if n in bound) if role == NEGATED else ()
        slot = _Slot(self, role, fact_type, alpha, names, join)  # alpha: a name until compiled
        self.compiler.waiting.append(slot)
        return slot

    def reset(self) -> None:
        for slot in self.slots:
            slot.memory = []
        self.matches = []
        if self.existing:
            self.exists_count = [0] * len(self.existing)

    # -- facts arriving ------------------------------------------------------------------
    def add_positive(self, slot: _Slot, fact, bindings) -> None:
        slot.memory.append((fact, bindings))
        if self._single:
            self._new_match((fact,), bindings)
        else:
            self._extend(slot.others, 0, [fact], bindings)

    def _extend(self, others, index, facts, context) -> None:
        if index == len(others):
            for test, params, visible in self.tests:
                if not test(**{p: context.get(p) if p in visible else None for p in params}):
                    return
            if len({id(f) for f in facts}) < len(facts):  # one fact met two patterns
                facts = list({id(f): f for f in facts}.values())
            self._new_match(tuple(facts), context)
            return
        slot = others[index]
        for fact, bindings in slot.memory:
            extended = context
            for name, value in bindings.items():
                if name in context:
                    bound = context[name]
                    if bound != value:
                        break
                    if type(bound) is type(value):
                        continue
                    # equal values of other types (1, 1.0, True): as in experta's joins, the
                    # value of the fact already in memory wins over the arriving fact's
                if extended is context:
                    extended = dict(context)
                extended[name] = value
            else:
                facts.append(fact)
                self._extend(others, index + 1, facts, extended)
                facts.pop()

    def _new_match(self, facts, context) -> None:
        match = CompiledActivation(self.rule, facts, context)
        # its agenda key, as SalienceThenRecencyStrategy.key computes it
        if len(facts) == 1:
            ids = [facts[0]["__factid__"]]
        else:
            ids = sorted((f["__factid__"] for f in facts), reverse=True)
        match.key = (self.salience, ids, self.name)
        for slot in self.negated:
            join = slot.join
            for _, bindings in slot.memory:
                for name in join:
                    if context[name] != bindings[name]:
                        break
                else:
                    match.blocked += 1
        self.matches.append(match)
        if not match.blocked and (not self.exists_count or all(self.exists_count)):
            match.active = True
            self.pending[id(match)] = (match, True)

    def add_negated(self, slot: _Slot, fact, bindings) -> None:
        slot.memory.append((fact, bindings))
        join = slot.join
        for match in self.matches:
            if not join or _joins(join, bindings, match.context):
                match.blocked += 1
                if match.active:
                    self._set_active(match, False)

    def add_existing(self, slot: _Slot, fact, bindings) -> None:
        slot.memory.append((fact, bindings))
        index = self.existing.index(slot)
        self.exists_count[index] += 1
        if self.exists_count[index] == 1 and all(self.exists_count):
            for match in self.matches:
                if not match.blocked:
                    self._set_active(match, True)

    # -- facts leaving -------------------------------------------------------------------
    def remove(self, slot: _Slot, fact) -> None:
        entries = [e for e in slot.memory if e[0] is fact]
        if not entries:
            return
        slot.memory = [e for e in slot.memory if e[0] is not fact]
        if slot.role == POSITIVE:
            kept = []
            for match in self.matches:
                if any(f is fact for f in match.facts):
                    if match.active:
                        self._set_active(match, False)
                else:
                    kept.append(match)
            self.matches = kept
        elif slot.role == NEGATED:
            for _, bindings in entries:
                for match in self.matches:
                    if _joins(slot.join, bindings, match.context):
                        match.blocked -= 1
                        if not match.blocked and all(self.exists_count):
                            self._set_active(match, True)
        else:
            index = self.existing.index(slot)
            self.exists_count[index] -= len(entries)
            if self.exists_count[index] == 0:
                for match in self.matches:
                    if match.active:
                        self._set_active(match, False)

    # -- the conflict set ----------------------------------------------------------------
    def _set_active(self, match: CompiledActivation, active: bool) -> None:
        """Put a match in the conflict set or take it out; the change is handed over at the next
        `changes()`, unless it undoes a change not handed over yet (then nothing changed)."""
        match.active = active
        pending = self.pending
        if id(match) in pending:
            del pending[id(match)]
        else:
            pending[id(match)] = (match, active)


def _holds_or(element) -> bool:
    """Whether an EXISTS or FORALL holds an OR (directly or in an AND, EXISTS or FORALL inside
    it), which experta's ReteMatcher refuses with a SyntaxError when the engine is built."""
    return any(isinstance(e, OR) or (isinstance(e, AND | EXISTS | FORALL) and _holds_or(e))
               for e in element)


def _joins(join, bindings, context) -> bool:
    """Whether a NOT's fact agrees with a match on the variables they share (`join`)."""
    return not any(context[name] != bindings[name] for name in join)


def _branches(rule: Rule) -> list[list]:
    """A rule's branches in experta's normal form (ReteMatcher.build_beta_part's reading)."""
    # prepare_rule rebuilds the rule at every rewriting step, re-reading the body's signature each
    # time; the conditions alone (a rule without its body) rewrite to the same normal form.
    prepared = prepare_rule(Rule(*rule, salience=rule.salience))
    branches = list(prepared[0]) if len(prepared) and isinstance(prepared[0], OR) else [prepared]
    return [list(b) if isinstance(b, AND | Rule) else [b] for b in branches]


# -- the matcher --------------------------------------------------------------------------------
class CompiledMatcher(Matcher):
    """experta's Matcher interface over compiled branches (see the module docstring)."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self._pending: dict[int, tuple[Activation, bool]] = {}
        self.branches: list[_Branch] = []
        compiler = _Compiler()
        seen = set()
        for rule in engine.get_rules():
            # experta matches a set of rules: the same rule under two names (or two rules with
            # the same conditions, body and salience) is one rule
            key = (tuple(rule), rule._wrapped, rule.salience)
            if key in seen:
                continue
            seen.add(key)
            # Activations carry a copy of the rule, as experta's prepared rules are: the class's
            # own Rule object has `_wrapped_self` set by its __get__ (to whichever engine read it
            # last), and experta's Rule.__call__ would pass that engine as well as the caller's.
            fired = rule.new_conditions(*rule) if rule._wrapped is not None else rule
            for elements in _branches(rule):
                self.branches.append(_Branch(fired, elements, self._pending, compiler))
        compiler.compile()
        for branch in self.branches:
            del branch.compiler
        by_type: dict[type, list[_Slot]] = {}
        for branch in self.branches:
            for slot in branch.positive + branch.negated + branch.existing:
                by_type.setdefault(slot.fact_type, []).append(slot)
        self._slots_by_type = by_type
        # what an arriving fact of a type meets: (alpha test, the branch's handler, slot)
        handlers = {POSITIVE: "add_positive", NEGATED: "add_negated", EXISTING: "add_existing"}
        self._arrivals = {
            fact_type: tuple((slot.alpha, getattr(slot.branch, handlers[slot.role]), slot)
                             for slot in slots)
            for fact_type, slots in by_type.items()}
        self._touched: set[_Branch] = set(self.branches)
        self.reset()

    def reset(self) -> None:
        """Forget every fact: only the branches a fact reached since the last reset have any."""
        for branch in self._touched:
            branch.reset()
        self._touched = set()
        self._pending.clear()

    def _net(self, adding, deleting):
        """Leave out a fact declared and retracted since the last call (a rule body that did
        both): it is in neither working memory nor any match. experta passes the retraction
        first and then fails on a fact it never matched."""
        retracted = {id(fact) for fact in deleting}
        memory = self.engine.facts
        gone = {id(fact) for fact in adding
                if id(fact) in retracted and memory.get(fact.get("__factid__")) is not fact}
        if not gone:
            return adding, deleting
        return ([f for f in adding if id(f) not in gone],
                [f for f in deleting if id(f) not in gone])

    def changes(self, adding=None, deleting=None):
        """Pass the fact changes through the branches; return the activations added and
        removed since the last call."""
        by_type = self._slots_by_type
        touched = self._touched
        if adding and deleting:
            adding, deleting = self._net(adding, deleting)
        for fact in deleting or ():
            for slot in by_type.get(type(fact), ()):
                slot.branch.remove(slot, fact)
        arrivals = self._arrivals
        for fact in adding or ():
            for alpha, handler, slot in arrivals.get(type(fact), ()):
                bindings = alpha(fact)
                if bindings is not None:
                    touched.add(slot.branch)
                    handler(slot, fact, bindings)
        if not self._pending:
            return [], []
        added, removed = [], []
        for activation, is_added in self._pending.values():
            (added if is_added else removed).append(activation)
        self._pending.clear()
        return added, removed
