"""hipscreen's patches to experta 1.9.4 internals (Rete matcher, agenda strategy, reset and run loop).

Everything in hipscreen that reaches into experta's private machinery lives here, and only works
with the experta version it was written against: importing this module checks that version first.

- `TypeIndexedReteMatcher` (experta.matchers.rete: ReteMatcher, BusNode, Token, FeatureTesterNode,
  ConflictSetNode): the root node dispatches each fact only to the type tests it can pass, tokens
  skip their type assertions, alpha tests copy a token only when they change it, reset wipes each
  node once, and `changes()` reads only the conflict-set nodes the network changed, without
  ReteMatcher's class-level lru_cache. Why: Rete matching is most of a screen's time.
- `SalienceThenRecencyStrategy` (experta.abstract.Strategy, experta.agenda.Agenda.activations):
  DepthStrategy's order with the rule name as a last tie-break, keyed without DepthStrategy's
  class-level lru_cache. Why: a deterministic order, and cheaper keys.
- `PatchedKnowledgeEngine` (experta.engine.KnowledgeEngine's name-mangled `__declare`,
  experta.rule.Rule's `_wrapped` / `_wrapped_args`, FactList._get_fact_id): a reset without the
  DefFacts lookup, and a run loop that calls each rule body with the engine that fires it. Why:
  speed, and nothing in a run depends on experta state shared by every engine of the class.
"""

from __future__ import annotations

import importlib.metadata

EXPERTA_VERSION = "1.9.4"


class ExpertaVersionError(ImportError):
    """The installed experta is not the version hipscreen's patches were written for."""


def check_experta_version(installed: str) -> None:
    """Raise ExpertaVersionError unless `installed` is the experta version the patches expect."""
    if installed != EXPERTA_VERSION:
        raise ExpertaVersionError(
            f"experta {installed} is installed, but hipscreen's patches to experta's matcher, "
            f"strategy and run loop (hipscreen.rules.experta_patches) were written for experta "
            f"{EXPERTA_VERSION}: re-check every patch against the installed experta's internals, "
            f"then update EXPERTA_VERSION (or install experta=={EXPERTA_VERSION}).")


# Checked before importing experta's internals, so a moved internal cannot hide the real cause.
check_experta_version(importlib.metadata.version("experta"))

import bisect  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from types import MethodType  # noqa: E402

from experta import Fact, InitialFact, KnowledgeEngine  # noqa: E402
from experta.abstract import Strategy  # noqa: E402
from experta.agenda import Agenda  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.matchers.rete import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import TypeCheck  # noqa: E402
from experta.matchers.rete.mixins import ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import BusNode, ConflictSetNode, FeatureTesterNode  # noqa: E402
from experta.matchers.rete.token import Token  # noqa: E402

__all__ = [
    "EXPERTA_VERSION",
    "ExpertaVersionError",
    "PatchedKnowledgeEngine",
    "SalienceThenRecencyStrategy",
    "TypeIndexedReteMatcher",
    "check_experta_version",
]


# -- the matcher -----------------------------------------------------------------------------
def _test_then_copy(node: FeatureTesterNode, token: Token) -> None:
    """FeatureTesterNode's activation, copying the token only when it must change. experta's
    OneInputNode.activate copies first, yet most alpha tests fail, and a test without a binding
    leaves the token as it is. Every other node copies a token before changing it, so passing
    an unchanged token on is safe. The rest is FeatureTesterNode._activate (experta 1.9.4)."""
    (fact,) = token.data
    match = node.matcher(fact)
    if not match:
        return
    if isinstance(match, Mapping):
        for key, value in match.items():
            if isinstance(key, tuple):  # negated condition
                if key[1] in token.context and token.context[key[1]] == value:
                    return
            else:
                if token.context.get(key, value) != value:
                    return
                if (False, key) in token.context and token.context[(False, key)] == value:
                    return
        token = token.copy()
        token.context.update(match)
    for child in node.children:
        child.callback(token)


class TrustedToken(Token):
    """experta's Token without its type assertions on every copy (an abc isinstance check per
    token, and one per fact). Tokens here are only ever made by the network from declared facts.
    `copy()` keeps the class, so tokens made at the root stay trusted down the alpha network."""

    def __new__(cls, tag, data, context=None):
        data = {data} if isinstance(data, Fact) else set(data)
        return tuple.__new__(cls, (tag, data, {} if context is None else context))


class TypeIndexedBusNode(BusNode):
    """experta's BusNode sends every fact to every type-test child, copying the token for each;
    with one fact subtype per intake field that fan-out dominates matching. This node keeps the
    same children but looks up the ones whose type test can pass (an alpha-memory index by
    type, as in Forgy's Rete), so the network's results are unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self._by_type: dict[type, list] = {}

    def _children_for(self, fact_type: type) -> list:
        children = self._by_type.get(fact_type)
        if children is None:
            children = [child for child in self.children
                        if not isinstance(child.node.matcher, TypeCheck)
                        or child.node.matcher.fact_type is fact_type]
            self._by_type[fact_type] = children
        return children

    def add(self, fact) -> None:
        token = TrustedToken.valid(fact)
        for child in self._children_for(type(fact)):
            child.callback(token)

    def remove(self, fact) -> None:
        token = TrustedToken.invalid(fact)
        for child in self._children_for(type(fact)):
            child.callback(token)


class TypeIndexedReteMatcher(ReteMatcher):
    """experta's ReteMatcher with a type-indexed root node, and conflict sets it tracks itself.

    experta's `changes()` asks every conflict-set node for its activations, finding the nodes
    through `ReteMatcher._get_conflict_set_nodes`, an `lru_cache(maxsize=1)` on the class: one
    entry shared by every matcher in the process, so engines on different threads that take
    turns evict each other and re-walk the whole network, and the entry keeps the last matcher
    (and its engine) alive. This matcher lists its conflict-set nodes once, when it builds the
    network, and notes which of them the network adds an activation to or removes one from;
    `changes()` reads only those, in experta's order.
    """

    def __init__(self, *args, **kwargs) -> None:
        # ReteMatcher.__init__ makes a BusNode and builds the network on it; build on ours.
        super(ReteMatcher, self).__init__(*args, **kwargs)
        self.root_node = TypeIndexedBusNode()
        self.build_network()
        self._nodes = self._all_nodes()
        # Only nodes with a memory need wiping on reset (NoMemory._reset does nothing).
        self._with_memory = [n for n in self._nodes if type(n)._reset is not NoMemory._reset]
        self._conflict_sets = self._conflict_sets_in_experta_order()
        self._changed: set[int] = set()  # indices into _conflict_sets, since the last changes()
        position = {id(node): index for index, node in enumerate(self._conflict_sets)}
        for node in self._nodes:
            node.children[:] = [self._patched_child(child, position) for child in node.children]

    def _patched_child(self, child: ChildNode, position: dict[int, int]) -> ChildNode:
        """The child with its callback replaced, if it is a one-input node experta wired up
        through its `activate` (as it always does for these two node types)."""
        node = child.node
        if type(node) is FeatureTesterNode and child.callback == node.activate:
            return ChildNode(node, MethodType(_test_then_copy, node))
        if type(node) is ConflictSetNode and child.callback == node.activate:
            return ChildNode(node, self._conflict_set_callback(node, position[id(node)]))
        return child

    def _conflict_set_callback(self, node: ConflictSetNode, index: int):
        """The node's activation, noting that the node changed. ConflictSetNode._activate only
        reads the token (it freezes what it keeps), so OneInputNode.activate's copy is skipped."""
        activate = node._activate
        changed = self._changed

        def callback(token: Token) -> None:
            activate(token)
            changed.add(index)

        return callback

    def _all_nodes(self) -> list:
        nodes, seen, stack = [], set(), [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            nodes.append(node)
            stack.extend(child.node for child in node.children)
        return nodes

    def _conflict_sets_in_experta_order(self) -> tuple[ConflictSetNode, ...]:
        """The conflict-set nodes in ReteMatcher._get_conflict_set_nodes' order (depth first,
        children in order, each node where first reached), so activations come out of
        `changes()` in the order they do in experta."""
        found: list[ConflictSetNode] = []
        seen: set[int] = set()

        def visit(node) -> None:
            if id(node) in seen:
                return
            seen.add(id(node))
            if isinstance(node, ConflictSetNode):
                found.append(node)
            for child in node.children:
                visit(child.node)

        visit(self.root_node)
        return tuple(found)

    def _get_conflict_set_nodes(self) -> tuple[ConflictSetNode, ...]:
        """This matcher's own list, never experta's shared lru_cache."""
        return self._conflict_sets

    def reset(self) -> None:
        """Wipe every node's memory once. experta's recursive reset visits a node once per path
        to it (shared alpha nodes many times over); this visits each node once. It also clears
        activations a conflict-set node had not handed out yet, so nothing of a run that stopped
        part way can leak into the next one."""
        for node in self._with_memory:
            node._reset()
        for node in self._conflict_sets:
            node.added, node.removed = set(), set()
        self._changed.clear()

    def changes(self, adding=None, deleting=None):
        """As ReteMatcher.changes: pass the fact changes through the network, then collect the
        activations added and removed, but only from the conflict-set nodes that changed."""
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added, removed = [], []
        if self._changed:
            changed = sorted(self._changed)
            self._changed.clear()
            for index in changed:
                c_added, c_removed = self._conflict_sets[index].get_activations()
                added.extend(c_added)
                removed.extend(c_removed)
        return added, removed


# -- the strategy ----------------------------------------------------------------------------
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
        for act in removed:
            for index, other in enumerate(activations):
                if (other.rule is act.rule and other.facts == act.facts
                        and other.context == act.context):
                    del activations[index]
                    break
        for act in added:
            act.key = self.key(act)
            bisect.insort(activations, act)


# -- the engine ------------------------------------------------------------------------------
class PatchedKnowledgeEngine(KnowledgeEngine):
    """KnowledgeEngine with the patched matcher and strategy, a cheaper reset, and a run loop
    that hands each activation to `_fire` (override it to record what fires)."""

    __matcher__ = TypeIndexedReteMatcher
    __strategy__ = SalienceThenRecencyStrategy

    def reset(self) -> None:
        """experta's reset without its DefFacts lookup: that lookup runs inspect.getmembers over
        every rule on each reset (slow, and it rebinds experta's shared Rule objects to this
        engine). The only initial fact these engines use is InitialFact()."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self._KnowledgeEngine__declare(InitialFact())  # experta's own reset declares it this way
        self.running = False

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop (without its watchers' logging), firing through `_fire`."""
        self.running = True
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
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
        kwargs = {k: v for k, v in activation.context.items() if not k.startswith("__")}
        if rule._wrapped_args:
            kwargs = {k: v for k, v in kwargs.items() if k in rule._wrapped_args}
        rule._wrapped(self, **kwargs)

    def _same_as(self, fact: Fact) -> Fact | None:
        """The fact already in working memory that `fact` duplicates (experta's identity of a
        fact: its class and its fields), or None."""
        key = FactList._get_fact_id(fact)
        return next((f for f in self.facts.values() if FactList._get_fact_id(f) == key), None)
