"""experta's Rete matcher and agenda strategy, made cheaper where a screen spends its time."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from types import MethodType

from experta import Fact
from experta.abstract import Strategy
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.check import TypeCheck
from experta.matchers.rete.mixins import ChildNode, NoMemory
from experta.matchers.rete.nodes import BusNode, ConflictSetNode, FeatureTesterNode
from experta.matchers.rete.token import Token


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
    """experta's ReteMatcher with a type-indexed root node."""

    def __init__(self, *args, **kwargs) -> None:
        # ReteMatcher.__init__ makes a BusNode and builds the network on it; build on ours.
        super(ReteMatcher, self).__init__(*args, **kwargs)
        self.root_node = TypeIndexedBusNode()
        self.build_network()
        self._nodes = self._all_nodes()
        # Only nodes with a memory need wiping on reset (NoMemory._reset does nothing).
        self._with_memory = [n for n in self._nodes if type(n)._reset is not NoMemory._reset]
        self._conflict_sets = [n for n in self._nodes if isinstance(n, ConflictSetNode)]
        for node in self._nodes:
            node.children[:] = [
                ChildNode(child.node, MethodType(_test_then_copy, child.node))
                if type(child.node) is FeatureTesterNode else child
                for child in node.children]

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

    def reset(self) -> None:
        """Wipe every node's memory once. experta's recursive reset visits a node once per path
        to it (shared alpha nodes many times over); this visits each node once. It also clears
        activations a conflict-set node had not handed out yet, so nothing of a run that stopped
        part way can leak into the next one."""
        for node in self._with_memory:
            node._reset()
        for node in self._conflict_sets:
            node.added, node.removed = set(), set()

    def changes(self, adding=None, deleting=None):
        """As ReteMatcher.changes, but only asks the conflict-set nodes that changed."""
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added, removed = [], []
        for csn in self._get_conflict_set_nodes():
            if csn.added or csn.removed:
                c_added, c_removed = csn.get_activations()
                added.extend(c_added)
                removed.extend(c_removed)
        return added, removed


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
