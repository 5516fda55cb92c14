"""hipscreen's patches to experta 1.9.4 internals (matcher, agenda strategy, fact list, reset and
run loop).

Everything in hipscreen that reaches into experta's private machinery lives here, in
rules/compiled_matcher.py and in `_Fact` (rules/facts.py), and only works with the experta version
it was written against: importing this module (or the matcher) checks that version first
(rules/experta_version.py).

- `CompiledMatcher` (rules/compiled_matcher.py, behind experta.abstract.Matcher, reusing
  experta.matchers.rete.utils.prepare_rule and experta.activation.Activation): the activations
  experta's ReteMatcher gives, from alpha tests compiled to plain functions and joins on bound
  variables. Why: Rete matching was two thirds of a screen's time.
- `SalienceThenRecencyStrategy` (experta.abstract.Strategy, experta.agenda.Agenda.activations):
  DepthStrategy's order with the rule name as a last tie-break, keyed without DepthStrategy's
  class-level lru_cache. Why: a deterministic order, and cheaper keys.
- `QuietFactList` (experta.factlist.FactList.declare): the same bookkeeping without the
  watcher's logger call per fact.
- `PatchedKnowledgeEngine` (experta.engine.KnowledgeEngine's declare, reset and name-mangled
  `__declare`, experta.rule.Rule's `_wrapped` / `_wrapped_args`, experta.deffacts.DefFacts's
  `_wrapped` and `order`, FactList._get_fact_id): a declare that makes experta's checks in one
  pass, a reset that declares the @DefFacts found once when the class is created (with the
  reset's keyword arguments, as experta passes them) instead of looking them up on every reset,
  and a run loop that calls each rule body with the engine that fires it. Why: speed, and
  nothing in a run depends on experta state shared by every engine of the class.
- `_Fact` (rules/facts.py; experta.fact.Fact.__init__, __setitem__ and its name-mangled
  `__defaults`): a fact of plain values stored without experta's `freeze` dispatch.
"""

from __future__ import annotations

from hipscreen.rules.experta_version import (
    EXPERTA_VERSION,
    ExpertaVersionError,
    check_experta_version,
)

# Checked before importing experta's internals, so a moved internal cannot hide the real cause.
check_experta_version()

import bisect  # noqa: E402
import inspect  # noqa: E402
from typing import NamedTuple  # noqa: E402

from experta import Fact, InitialFact, KnowledgeEngine  # noqa: E402
from experta.abstract import Strategy  # noqa: E402
from experta.agenda import Agenda  # noqa: E402
from experta.conditionalelement import ConditionalElement  # noqa: E402
from experta.deffacts import DefFacts  # noqa: E402
from experta.factlist import FactList  # noqa: E402

from hipscreen.rules.compiled_matcher import CompiledMatcher  # noqa: E402

_PLAIN = frozenset({str, int, float, bool, type(None)})

__all__ = [
    "EXPERTA_VERSION",
    "CompiledMatcher",
    "ExpertaVersionError",
    "KeyedAgenda",
    "PatchedKnowledgeEngine",
    "QuietFactList",
    "SalienceThenRecencyStrategy",
    "check_declarable",
    "check_experta_version",
    "deffacts_of",
]


# -- the strategy ----------------------------------------------------------------------------
class KeyedAgenda(Agenda):
    """experta's Agenda (activations in ascending order, the next to fire last) that also keeps
    each activation's key in a parallel list, so an insertion compares keys (tuples) instead of
    calling Activation.__lt__ for every comparison."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list = []

    def get_next(self):
        """Agenda.get_next: remove and return the last activation (None when empty)."""
        if not self.activations:
            return None
        self.keys.pop()
        return self.activations.pop()


class SalienceThenRecencyStrategy(Strategy):
    """experta's DepthStrategy order (salience, then the most recent facts first), with the rule
    id as a last tie-break so the order never depends on set iteration. Keys are computed without
    DepthStrategy's lru_cache, whose hashing of activations costs more than the key itself."""

    @staticmethod
    def key(activation):
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts, activation.rule.__name__)

    def _update_agenda(self, agenda, added, removed):
        activations = agenda.activations
        keys = getattr(agenda, "keys", None)
        for act in removed:
            for index, other in enumerate(activations):
                if other is act or (other.rule is act.rule and other.facts == act.facts
                                    and other.context == act.context):
                    del activations[index]
                    if keys is not None:
                        del keys[index]
                    break
        for act in added:
            key = act.key
            if key is None:  # a CompiledActivation comes with it
                key = act.key = self.key(act)
            if keys is None:
                bisect.insort(activations, act)
            else:
                index = bisect.bisect_right(keys, key)
                keys.insert(index, key)
                activations.insert(index, act)


# -- the fact list ---------------------------------------------------------------------------
_ORDINARY_KEYS: set = set()
"""Fact keys seen to be neither special (`__x__`, which experta leaves out of a fact's identity)
nor nested accessors (a double underscore inside, which experta refuses in declared facts)."""


def _is_special(key) -> bool:
    return isinstance(key, str) and key.startswith("__") and key.endswith("__")


def _check_key(key) -> None:
    """experta's refusal of a declared key with a double underscore inside it; remember a key
    that is fine and not special, so it is checked once per process."""
    if "__" in str(key).strip("__"):  # noqa: B005 (experta's own test, kept exactly)
        raise KeyError("Cannot declare facts containing double underscores as keys.")
    if not _is_special(key):
        _ORDINARY_KEYS.add(key)


def check_declarable(facts) -> None:
    """experta's refusal of a declared fact holding a pattern's field constraint, or a key with a
    double underscore inside it (KnowledgeEngine.__declare), in one pass over the fields."""
    for fact in facts:
        if _ORDINARY_KEYS.issuperset(fact) and _PLAIN.issuperset(map(type, fact.values())):
            continue  # plain values and keys known to be fine: nothing to refuse
        for key, value in fact.items():
            if type(value) not in _PLAIN and isinstance(value, ConditionalElement):
                raise TypeError("Declared facts cannot contain conditional elements")
            if key not in _ORDINARY_KEYS:
                _check_key(key)


class QuietFactList(FactList):
    """experta's FactList (same ids, duplicate refusal and change lists) whose declare makes no
    watcher call: experta logs every declared fact through `watchers.FACTS.info`, a disabled
    logger's call that costs as much as the bookkeeping itself."""

    @staticmethod
    def _get_fact_id(fact):
        """FactList._get_fact_id: the fact's class and its fields without the special ones."""
        if _ORDINARY_KEYS.issuperset(fact):
            return frozenset((fact.__class__, *fact.items()))
        return FactList._get_fact_id(fact)

    def declare(self, fact):
        """FactList.declare (experta 1.9.4) without the logging."""
        if not isinstance(fact, Fact):
            raise ValueError("The fact must descend the Fact class.")
        if fact.__fields__:
            fact.validate()
        if _ORDINARY_KEYS.issuperset(fact):  # the fact's identity: _get_fact_id, inlined
            fact_id = frozenset((fact.__class__, *fact.items()))
        else:
            fact_id = FactList._get_fact_id(fact)
        counter = self.reference_counter
        if self.duplication or fact_id not in counter:
            idx = self.last_index
            dict.__setitem__(fact, "__factid__", idx)  # Fact's __factid__ setter does this
            self[idx] = fact
            self.last_index = idx + 1
            self.added.append(fact)
            counter[fact_id] = counter.get(fact_id, 0) + 1
            return fact
        return None


# -- the initial facts (@DefFacts) ------------------------------------------------------------
class DefFactsCall(NamedTuple):
    """One @DefFacts of an engine class, as its reset calls it."""

    name: str                     # the attribute it is found under
    function: object              # the generator function it decorates (called with the engine)
    takes: frozenset | None       # the reset keywords it takes by name; None: all (**kwargs)


def _call_of(name: str, deffacts: DefFacts, owner: str) -> DefFactsCall:
    function = deffacts._wrapped
    if function is None:
        raise TypeError(f"{owner}.{name} is a DefFacts() that decorates nothing: decorate a "
                        f"generator method with it (@DefFacts() above `def {name}(self): yield ...`)")
    params = list(inspect.signature(function).parameters.values())[1:]  # after the engine (self)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return DefFactsCall(name, function, None)
    return DefFactsCall(name, function, frozenset(
        p.name for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)))


_STOCK_INITIAL = KnowledgeEngine.__dict__["_declare_initial_fact"]  # DefFacts(order=-1): InitialFact()
_INITIAL_ONLY = (_call_of("_declare_initial_fact", _STOCK_INITIAL, "KnowledgeEngine"),)


def deffacts_of(cls: type) -> tuple[DefFactsCall, ...]:
    """The @DefFacts of an engine class, in the order experta's reset declares their facts: by
    their `order`, then by name (experta finds them with inspect.getmembers), the definition in
    the most derived class winning for a name. experta's own `_declare_initial_fact` (order -1,
    InitialFact()) is one of them."""
    members: dict = {}
    for klass in reversed(cls.__mro__):
        members.update(vars(klass))  # the class's own attributes, without calling __get__
    found = sorted((name, obj) for name, obj in members.items() if isinstance(obj, DefFacts))
    found.sort(key=lambda item: item[1].order)  # stable: equal orders stay by name
    if [obj for _, obj in found] == [_STOCK_INITIAL]:
        return _INITIAL_ONLY
    return tuple(_call_of(name, obj, cls.__name__) for name, obj in found)


# -- the engine ------------------------------------------------------------------------------
class PatchedKnowledgeEngine(KnowledgeEngine):
    """KnowledgeEngine with the compiled matcher, the patched strategy and fact list, a cheaper
    declare and reset, and a run loop that hands each activation to `_fire` (override it to
    record what fires)."""

    __matcher__ = CompiledMatcher
    __strategy__ = SalienceThenRecencyStrategy

    _hipscreen_deffacts: tuple[DefFactsCall, ...] = _INITIAL_ONLY  # set for each class when it is created

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._hipscreen_deffacts = deffacts_of(cls)

    def reset(self, **kwargs) -> None:
        """experta's reset: a new agenda and working memory, then the facts of every @DefFacts of
        the class (InitialFact() first, from experta's own), declared in one batch. Each DefFacts
        gets the reset's keyword arguments it names, or all of them if it takes **kwargs, as in
        experta; a keyword no DefFacts takes is refused (experta drops it silently).

        The DefFacts are found once, when the class is created (`deffacts_of`), not on every
        reset: experta's lookup runs inspect.getmembers over every rule of the engine (slow, and
        it rebinds experta's Rule objects, shared by every engine of the class, to this one)."""
        self.agenda = KeyedAgenda()
        self.facts = QuietFactList()
        self.matcher.reset()
        self.running = False
        calls = self._hipscreen_deffacts
        if calls is _INITIAL_ONLY and not kwargs:  # what every hipscreen engine does
            PatchedKnowledgeEngine.declare(self, InitialFact())  # as experta's: not a rule's fact
            return
        if kwargs:
            unknown = [key for key in kwargs
                       if not any(c.takes is None or key in c.takes for c in calls)]
            if unknown:
                named = ", ".join(c.name for c in calls if c.function is not _STOCK_INITIAL._wrapped)
                raise TypeError(
                    f"{type(self).__name__}.reset() got keyword arguments that no @DefFacts of the "
                    f"class takes: {', '.join(map(repr, unknown))} (its DefFacts: {named or 'none'}); "
                    f"name them in a DefFacts' parameters or leave them out")
        facts = []
        for call in calls:
            given = kwargs if call.takes is None else {
                key: value for key, value in kwargs.items() if key in call.takes}
            facts.extend(fact.copy() for fact in call.function(self, **given))  # as DefFacts does
        PatchedKnowledgeEngine.declare(self, *facts)  # as experta's reset: not through an override

    def declare(self, *facts: Fact):
        """experta's declare: refuse a fact holding a pattern's field constraint or a key with a
        double underscore inside it, store the new facts, and update the agenda unless a rule is
        firing (the run loop does it then)."""
        check_declarable(facts)
        last = None
        for fact in facts:
            last = self.facts.declare(fact)
        if not self.running:
            self.strategy.update_agenda(self.agenda, *self.get_activations())
        return last

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop (without its watchers' logging), firing through `_fire`: pass the
        fact list's changes to the matcher, update the agenda, fire the next activation."""
        self.running = True
        facts, agenda = self.facts, self.agenda
        changes, update = self.matcher.changes, self.strategy._update_agenda
        while steps > 0 and self.running:
            if facts.added or facts.removed:
                adding, deleting = facts.added, facts.removed
                facts.added, facts.removed = [], []
                added, removed = changes(adding, deleting)
                if added or removed:
                    update(agenda, added, removed)
            activation = agenda.get_next()
            if activation is None:
                break
            steps -= 1
            self._fire(activation)
        self.running = False

    def _fire(self, activation) -> None:
        """Call the activation's rule body with this engine as `self`. experta's Rule.__call__
        would put the rule's `_wrapped_self` first if it were set: that attribute belongs to Rule
        objects shared by every engine of the class (get_rules() sets it on the class's own
        rules), so the body is called through `_wrapped` and never depends on it."""
        rule = activation.rule
        wanted = rule._wrapped_args
        context = activation.context
        if wanted:  # the names the body takes (experta's Rule reads them from its signature)
            kwargs = context if wanted.issuperset(context) else {
                k: v for k, v in context.items() if k in wanted}
        else:
            kwargs = {k: v for k, v in context.items() if not k.startswith("__")}
        rule._wrapped(self, **kwargs)

    def _same_as(self, fact: Fact) -> Fact | None:
        """The fact already in working memory that `fact` duplicates (experta's identity of a
        fact: its class and its fields), or None."""
        key = FactList._get_fact_id(fact)
        return next((f for f in self.facts.values() if FactList._get_fact_id(f) == key), None)
