"""The one YAML loader (hipscreen.documents): libyaml parses, the rules are ours (issue 13,
"Speed": the catalogue and every user file load through PyYAML's C parser without losing any
strictness). The reference below is the loader it replaced, ruamel.yaml's pure-Python YAML 1.2
loader narrowed by the same rules; on any document both accept they must give the same values,
and what one refuses the other refuses."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipscreen import documents
from hipscreen.documents import MAX_DEPTH, MAX_VALUES, InputError, load_mapping, load_yaml
from hipscreen.knowledge.catalogue import DATA_DIR, ENTRY_FILES, LIST_FILES

ROOT = Path(__file__).resolve().parents[1]


# -- the reference: the ruamel.yaml loader this module replaced ---------------------------------
def _ruamel_reference():
    from ruamel.yaml import YAML
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import ScalarNode

    class Refused(Exception):
        pass

    class StrictComposer(Composer):
        def compose_node(self, parent, index):
            event = self.parser.peek_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                raise Refused("alias or anchor")
            tag = getattr(event, "ctag", None)
            if tag is not None and str(tag) != "!":
                raise Refused("tag")
            self._values = getattr(self, "_values", 0) + 1
            if self._values > MAX_VALUES:
                raise Refused("values")
            node = super().compose_node(parent, index)
            if (index is None and isinstance(node, ScalarNode) and parent is not None
                    and node.tag == "tag:yaml.org,2002:merge"):
                raise Refused("merge key")
            return node

    class StrictConstructor(SafeConstructor):
        def construct_mapping(self, node, deep=False):
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise Refused("key")
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node):
            text = str(node.value)
            if len(text) > documents.MAX_NUMBER_CHARS or not documents._DECIMAL_INT.fullmatch(text):
                raise Refused("int")
            return int(text)

        def construct_yaml_float(self, node):
            text = str(node.value)
            if (len(text) > documents.MAX_NUMBER_CHARS
                    or not documents._DECIMAL_FLOAT.fullmatch(text)):
                raise Refused("float")
            return float(text)

    StrictConstructor.add_constructor("tag:yaml.org,2002:int", StrictConstructor.construct_yaml_int)
    StrictConstructor.add_constructor("tag:yaml.org,2002:float",
                                      StrictConstructor.construct_yaml_float)

    def load(text: str):
        loader = YAML(typ="safe", pure=True)
        loader.Composer = StrictComposer
        loader.Constructor = StrictConstructor
        loader.max_depth = MAX_DEPTH
        loader.allow_duplicate_keys = False
        return loader.load(text)

    return load


REFERENCE = _ruamel_reference()


def _typed(value):
    """A value with every type spelled out, so 1, 1.0 and True never compare equal."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _outcome(load, text: str):
    try:
        return ("value", _typed(load(text)))
    except Exception:  # the reference raises its own errors, and a few plain ValueErrors
        return ("refused", None)


def _new(text: str):
    return load_yaml(text, "f")


# Plain words whose meaning YAML 1.1 and 1.2 disagree on, and others near the edges.
TRICKY = ["yes", "No", "on", "OFF", "y", "n", "Y", "~", "null", "Null", "NULL", "nul", "true",
          "False", "TRUE", "tRue", "0", "00", "-0", "+7", "042", "0o42", "0x22", "0b101", "1_000",
          "1:10", "1:10.5", "190:20:30", "-1", "+1", ".5", "-.5", "1.", "1.5", "1e5", "1E+5",
          "1e-3", ".5e3", "12e", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "NaN", "inf",
          "2024-01-15", "2024-1-5 1:00:00", "2024-01-15T10:00:00Z",
          "2024-01-15 10:00:00.1234567 +02:00", "2024-02-30", "2024-01-15T25:00:00", "=", "_",
          "12345678901234567890", "123456789012345678901", "1.0000000000000000000001", "a b",
          "hip_shift", "é", "-", "--x", "x-", "0.0", "+0.5e+5"]
KEYS = ["age", "yes", "no", "on", "1", "1.0", "true", "null", "~", "2024-01-15", "a", "b"]


def _scalar_text(token: str, style: str) -> str:
    if style == "plain":
        return token
    if style == "single":
        return "'" + token.replace("'", "''") + "'"
    return json.dumps(token, ensure_ascii=False)  # "\\ud83e\\ude7a" pairs: see the JSON tests


scalars = st.builds(_scalar_text, st.sampled_from(TRICKY) | st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=8),
    st.sampled_from(["plain", "plain", "single", "double"]))
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.lists(
        st.tuples(st.builds(_scalar_text, st.sampled_from(KEYS), st.just("plain")), inner),
        max_size=4),
    max_leaves=12)


def _emit(tree, indent: int = 0, flow: bool = False) -> str:
    """YAML text of a tree of scalar texts: lists, and lists of (key, value) for mappings."""
    pad = " " * indent
    if isinstance(tree, str):
        return tree
    is_map = bool(tree) and all(isinstance(item, tuple) for item in tree)
    if flow or not tree:
        if is_map:
            return "{" + ", ".join(f"{k}: {_emit(v, flow=True)}" for k, v in tree) + "}"
        return "[" + ", ".join(_emit(v, flow=True) for v in tree) + "]"
    lines = []
    for item in tree:
        key, value = item if is_map else ("-", item)
        head = f"{pad}{key}:" if is_map else f"{pad}-"
        if isinstance(value, str) or not value:
            lines.append(f"{head} {_emit(value, flow=True)}")
        else:
            lines.append(head)
            lines.append(_emit(value, indent + 2))
    return "\n".join(lines)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(tree=trees, flow=st.booleans())
def test_the_loader_agrees_with_the_ruamel_reference(tree, flow):
    text = _emit(tree, flow=flow) + "\n"
    new, old = _outcome(_new, text), _outcome(REFERENCE, text)
    if old[0] == "refused" or new[0] == "refused":
        # libyaml and ruamel differ on a few syntax corners (a plain text from st.text holding
        # ': ' or ' #'); a refusal on one side is fine only when the text is not valid YAML
        # for that parser's grammar, never because a value was read differently
        assert old[0] == new[0] or _syntax_only(text), (text, new, old)
        return
    assert new == old, text


def _syntax_only(text: str) -> bool:
    """Whether the two parsers' disagreement is about syntax alone: the new loader's refusal
    names 'not valid YAML' (libyaml's grammar) or the reference's error is a parser error."""
    try:
        _new(text)
    except InputError as exc:
        return "not valid YAML" in str(exc) or "is a line break in YAML 1.1" in str(exc)
    return True  # accepted here, refused by ruamel: its grammar is the stricter one there


@pytest.mark.parametrize("token", TRICKY)
@pytest.mark.parametrize("style", ["plain", "single", "double"])
def test_every_tricky_word_reads_as_the_reference_reads_it(token, style):
    text = f"a: {_scalar_text(token, style)}\n"
    new, old = _outcome(_new, text), _outcome(REFERENCE, text)
    if style == "plain" and token in ("2024-02-30", "2024-01-15T25:00:00"):  # ruamel: ValueError
        assert new == ("refused", None)
        with pytest.raises(InputError, match="not a valid date"):
            _new(text)
        return
    assert new == old, text


@pytest.mark.parametrize("name", [*ENTRY_FILES, *LIST_FILES])
def test_every_catalogue_file_loads_exactly_as_with_the_reference(name):
    text = (DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert _typed(load_yaml(text, name)) == _typed(REFERENCE(text))


def test_every_case_file_loads_exactly_as_with_the_reference():
    paths = sorted((ROOT / "cases").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))
    assert len(paths) > 20
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _outcome(_new, text) == _outcome(REFERENCE, text), path


# -- YAML 1.2, not 1.1 ---------------------------------------------------------------------------
def test_yaml_1_1_words_stay_text_and_its_numbers_are_refused():
    data = load_yaml("a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: 1:10\n", "f")
    assert data == {"a": "yes", "b": "No", "c": "on", "d": "OFF", "e": "y", "f": "1:10"}
    for number in ("042", "0o42", "0x22", "0b101", "1_000", ".inf", "-.inf", ".nan", "1e400"):
        with pytest.raises(InputError, match="not a plain decimal number"):
            load_yaml(f"a: {number}\n", "f")
    assert load_yaml("a: [1, -2, +3, 0, 1.5, .5, 1e3, true, False, ~, null, '042']", "f") == {
        "a": [1, -2, 3, 0, 1.5, 0.5, 1000.0, True, False, None, None, "042"]}


def test_a_yaml_1_1_directive_is_refused_rather_than_read_otherwise():
    with pytest.raises(InputError, match=r"line 1, column 1: a %YAML 1.1 directive"):
        load_yaml("%YAML 1.1\n---\nsafety: {pregnant: yes}\n", "f")
    assert load_yaml("%YAML 1.2\n---\na: yes\n", "f") == {"a": "yes"}


@pytest.mark.parametrize("odd", ["\x85", "\u2028", "\u2029"])
def test_a_line_break_only_yaml_1_1_knows_is_refused(odd):
    """libyaml breaks lines at NEL, LS and PS; YAML 1.2 (and the loader before it) read them as
    text: `- x<LS>- y` would be one item or two depending on the reader."""
    with pytest.raises(InputError, match=rf"line 2, column 1: the character U\+{ord(odd):04X}"):
        load_yaml(f"- x\n{odd}- y\n", "f")
    assert load_yaml(f'a: "x\\u{ord(odd):04x}y"', "f") == {"a": f"x{odd}y"}  # escaped: text
    assert load_yaml(json.dumps({"a": f"x{odd}y"}, ensure_ascii=False), "f") == {"a": f"x{odd}y"}


def test_tabs_are_read_as_yaml_1_2_reads_them():
    assert load_yaml("a:\tx\ty\nb\t: 1\n", "f") == {"a": "x\ty", "b": 1}


def test_timestamps_are_dates_as_before():
    assert load_yaml("a: 2024-01-15", "f") == {"a": dt.date(2024, 1, 15)}
    assert load_yaml("a: 2024-01-15 10:30:00", "f") == {"a": dt.datetime(2024, 1, 15, 10, 30)}
    with pytest.raises(InputError, match=r"line 1, column 4: '2024-02-30' is not a valid date"):
        load_yaml("a: 2024-02-30", "f")


# -- what is refused, where ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("a: &x 1\nb: *x\n", "line 1, column 4: an anchor (&x) is not accepted"),
    ("a: *x\n", "line 1, column 4: an alias (*x) is not accepted"),
    ("a: !!str 3\n", "line 1, column 4: an explicit tag (tag:yaml.org,2002:str) is not accepted"),
    ("a: !custom 3\n", "an explicit tag (!custom)"),
    ("a: ! 12\n", "line 1, column 4: an explicit tag (!) is not accepted"),  # 12 or '12'?
    ("- !\n", "an explicit tag (!)"),
    ("a: 1\n<<: {b: 2}\n", "line 2, column 1: a merge key (<<) is not accepted"),
    ("a: <<\n", "line 1, column 4: a plain << is not accepted"),
    ("a: =\n", "a plain = is not accepted"),
    ("? [a]\n: 1\n", "line 1, column 3: a list or mapping used as a key"),
    ("{a: 1, a: 2}", "line 1, column 8: duplicate key 'a'"),
    ("1: a\n1.0: b\n", "line 2, column 1: duplicate key '1.0'"),
    ("true: a\n1: b\n", "line 2, column 1: duplicate key '1'"),
    ("a: 1\n---\na: 2\n", "line 2, column 1: a second document (---)"),
    ("pregnancy: [unclosed", "line 1, column 21: not valid YAML: did not find expected ',' or ']'"),
    ("pregnancy: [unclosed\n", "line 2, column 1: not valid YAML"),
    ("a: b\x00", "line 1, column 5: not valid YAML: control characters are not allowed"),
    ("a: \ud800", "not valid YAML"),
    ("age: " + "[" * 5000 + "]" * 5000, f"nested more than {MAX_DEPTH} levels deep"),
    ("a: [" + "1," * MAX_VALUES + "1]", f"more than {MAX_VALUES:,} values"),
])
def test_refusals_name_the_line_and_the_reason(text, message):
    with pytest.raises(InputError) as err:
        load_yaml(text, "file.yaml")
    assert str(err.value).startswith("file.yaml: ")
    assert message in str(err.value), str(err.value)


def test_the_depth_limit_is_exact():
    def nested(levels: int) -> str:  # `levels` mappings, the innermost holding a scalar
        return "".join(f"{'  ' * i}k:\n" for i in range(levels - 1)) + f"{'  ' * (levels - 1)}k: 1\n"

    assert load_yaml(nested(MAX_DEPTH - 1), "f") is not None  # the scalar is at level MAX_DEPTH
    with pytest.raises(InputError, match=rf"line {MAX_DEPTH}, column .*: nested more than {MAX_DEPTH}"):
        load_yaml(nested(MAX_DEPTH), "f")


def test_the_value_limit_is_exact():
    assert len(load_yaml("[" + "1," * (MAX_VALUES - 2) + "1]", "f")) == MAX_VALUES - 1
    with pytest.raises(InputError, match="more than"):
        load_yaml("[" + "1," * (MAX_VALUES - 1) + "1]", "f")


def test_crlf_and_a_byte_order_mark_are_read():
    assert load_yaml("\ufeffage: 34\r\nsex: female\r\n", "f") == {"age": 34, "sex": "female"}
    with pytest.raises(InputError, match="line 2, column 1: duplicate key 'age'"):
        load_yaml("age: 34\r\nage: 35\r\n", "f")


def test_a_mapping_is_required_where_one_is_expected():
    with pytest.raises(InputError, match="expected a mapping of intake fields; got a list"):
        load_mapping("- 1\n", "f", expected="intake fields")
    with pytest.raises(InputError, match="got an empty document"):
        load_mapping("# nothing\n", "f", expected="intake fields")


# -- PyYAML without libyaml: the same loader on PyYAML's pure-Python parser --------------------
@pytest.mark.parametrize("text", [
    "a: yes\nb: [1, 2.5, ~, '042']\nc: {d: 2024-01-15}\n", "a: 042\n", "a: &x 1\n", "a: !!str 1\n",
    "{a: 1, a: 2}", "a: 1\n---\nb: 2\n", "? [a]\n: 1\n", "".join(f"{'  ' * i}k:\n" for i in range(40)),
])
def test_the_pure_python_parser_gives_the_same_answers(monkeypatch, text):
    import yaml

    with_libyaml = _outcome(_new, text)
    monkeypatch.setattr(documents, "_parser", lambda data: yaml.SafeLoader(data))
    assert _outcome(_new, text) == with_libyaml


def test_the_catalogue_needs_no_ruamel_and_no_pandas():
    import subprocess
    import sys

    code = ("import sys; from hipscreen.knowledge.catalogue import shipped_catalogue; "
            "shipped_catalogue(); print(sorted(m for m in ('ruamel', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_refusal_messages_stay_one_short_line():
    hostile = ["a: " + "x" * 5000 + ": b", "a: 0x" + "f" * 5000, "[" * 2000, "a: '" + "x" * 5000]
    for text in hostile:
        with pytest.raises(InputError) as err:
            load_yaml(text, "f")
        assert "\n" not in str(err.value) and len(str(err.value)) < 300, str(err.value)[:400]


# -- JSON documents: the same values, read faster ------------------------------------------------
def _as_yaml(text: str):
    """The YAML reading alone, without the JSON shortcut."""
    data = text.encode("utf-8")
    return documents._Composer(documents._parser(data)).document()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(alphabet=st.characters(max_codepoint=0xFFFF, blacklist_categories=["Cs"]), max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=15)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=st.dictionaries(st.text(max_size=6), json_values, max_size=5), ascii_only=st.booleans(),
       indent=st.sampled_from([None, 2]))
def test_a_json_document_reads_as_its_yaml_reading_and_as_json(value, ascii_only, indent):
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    try:
        got = load_yaml(text, "f")
    except InputError:  # a rule broken (a float of more than 20 characters): YAML refuses too
        with pytest.raises(Exception):  # noqa: B017 - libyaml's error or ours
            _as_yaml(text)
        return
    assert _typed(got) == _typed(json.loads(text))
    try:
        as_yaml = _as_yaml(text)
    except Exception:  # libyaml's grammar is YAML 1.1: a few JSON texts (a tab) it refuses
        return
    assert _typed(got) == _typed(as_yaml)


def test_json_surrogate_pairs_are_joined_and_half_pairs_refused():
    text = json.dumps({"story": "a stethoscope \U0001fa7a"})  # "\ud83e\ude7a", as json writes it
    assert load_yaml(text, "f") == {"story": "a stethoscope \U0001fa7a"}
    with pytest.raises(InputError, match="not valid YAML"):
        load_yaml('{"story": "\\ud83e"}', "f")


@pytest.mark.parametrize(("text", "message"), [
    ('{"age": 34, "age": 35}', "line 1, column 13: duplicate key 'age'"),
    ('{"age": 1e400}', "'1e400' is not a plain decimal number"),
    ('{"age": ' + "9" * 30 + "}", "a number of 30 characters"),
    ("[" * 40 + "]" * 40, f"nested more than {MAX_DEPTH} levels deep"),
    ("[" + "1," * MAX_VALUES + "1]", f"more than {MAX_VALUES:,} values"),
    ('{"age": 34}\n{"age": 35}', "not valid YAML"),
])
def test_json_that_breaks_a_rule_is_refused_with_the_yaml_message(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        load_yaml(text, "f")
