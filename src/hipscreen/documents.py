"""Read untrusted YAML and JSON: strict, bounded, and every error says where and what was expected.

Every intake, case file and batch row the program reads comes through here. YAML is parsed by
ruamel.yaml (YAML 1.2, duplicate keys rejected) with its pure-Python composer and constructor
narrowed to what a hand-written document needs:

* no aliases or anchors (a "billion laughs" file cannot expand), no explicit tags (``!!set``,
  ``!!python/...``), no merge keys (``<<`` would let one key silently replace another), no
  mapping or list used as a key, one document per file;
* depth, value-count and size limits, so a hostile file is refused in milliseconds;
* numbers as YAML 1.2 and JSON write them, in plain decimal: ``042``, ``0x22``, ``0o42``,
  ``1_000``, ``.inf`` are errors rather than a number someone did not mean.

JSON Lines rows go through `load_json` (the standard library's parser, fast enough for a
batch) with the same rules: duplicate keys, NaN/Infinity, over-long numbers and deep nesting
are errors. Error messages quote at most `SHOWN_CHARS` characters of any value.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode

MAX_BYTES = 1_000_000
"""The default size limit of one intake or case file (a flag raises it)."""
MAX_DEPTH = 32
"""Nesting deeper than this is refused; an intake is 3 levels deep, a case file 4."""
MAX_VALUES = 10_000
"""A document with more values than this is refused; an intake has fewer than 200."""
MAX_NUMBER_CHARS = 20
SHOWN_CHARS = 80

_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class InputError(ValueError):
    """Input that cannot be used; the message names where (file, line, row, field) and what was
    expected. Commands turn it into one line on stderr and exit code 2."""


class OutputError(RuntimeError):
    """Output that could not be made (a report, a picture) although the input was fine; commands
    turn it into one line on stderr and exit code 1."""


_repr = reprlib.Repr()
_repr.maxstring = SHOWN_CHARS
_repr.maxother = SHOWN_CHARS
_repr.maxlong = MAX_NUMBER_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 4
_repr.maxlevel = 2


def shorten(value: Any) -> str:
    """`repr(value)` cut to about `SHOWN_CHARS` characters, cheap even for a huge value."""
    text = _repr.repr(value)
    return text if len(text) <= SHOWN_CHARS + 10 else text[:SHOWN_CHARS] + "...'"


def clip(text: str) -> str:
    """`text` cut to about `SHOWN_CHARS` characters."""
    return text if len(text) <= SHOWN_CHARS + 10 else text[:SHOWN_CHARS] + "..."


# -- YAML --------------------------------------------------------------------------------------
class _Refused(MarkedYAMLError):
    """A YAML feature or size this loader does not accept."""


class _StrictComposer(Composer):
    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(None, None, f"an alias (*{event.anchor}) is not accepted; write the "
                           "value out in full", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused(None, None, f"an anchor (&{event.anchor}) is not accepted; aliases "
                           "and anchors are switched off", event.start_mark)
        tag = getattr(event, "ctag", None)
        if tag is not None and str(tag) != "!":
            raise _Refused(None, None, f"an explicit tag ({tag}) is not accepted; write plain "
                           "values", event.start_mark)
        self._values = getattr(self, "_values", 0) + 1
        if self._values > MAX_VALUES:
            raise _Refused(None, None, f"more than {MAX_VALUES:,} values; expected one intake "
                           "or case file", event.start_mark)
        node = super().compose_node(parent, index)
        if (index is None and isinstance(node, ScalarNode) and parent is not None
                and node.tag == _MERGE_TAG):
            raise _Refused(None, None, "a merge key (<<) is not accepted; write each key once",
                           node.start_mark)
        return node


class _StrictConstructor(SafeConstructor):
    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Refused(None, None, "a list or mapping used as a key; expected a name",
                               key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        text = str(node.value)
        if len(text) > MAX_NUMBER_CHARS:
            raise _Refused(None, None, f"a number of {len(text):,} characters; expected at most "
                           f"{MAX_NUMBER_CHARS}", node.start_mark)
        if not _DECIMAL_INT.fullmatch(text):
            raise _Refused(None, None, f"the number {shorten(text)} is not a plain decimal "
                           "number (no leading zeros, 0x, 0o or _); write it as digits, or quote "
                           "it if it is text", node.start_mark)
        return int(text)

    def construct_yaml_float(self, node: Any) -> float:
        text = str(node.value)
        if len(text) > MAX_NUMBER_CHARS or not _DECIMAL_FLOAT.fullmatch(text):
            raise _Refused(None, None, f"{shorten(text)} is not a plain decimal number "
                           "(.inf, .nan and _ are not accepted)", node.start_mark)
        return float(text)


_StrictConstructor.add_constructor("tag:yaml.org,2002:int", _StrictConstructor.construct_yaml_int)
_StrictConstructor.add_constructor("tag:yaml.org,2002:float",
                                   _StrictConstructor.construct_yaml_float)


def _yaml() -> YAML:
    # A YAML object keeps parser state: one per call keeps threads apart (it costs ~20 us).
    loader = YAML(typ="safe", pure=True)
    loader.Composer = _StrictComposer
    loader.Constructor = _StrictConstructor
    loader.max_depth = MAX_DEPTH
    loader.allow_duplicate_keys = False
    return loader


def _yaml_problem(exc: YAMLError) -> str:
    if not isinstance(exc, MarkedYAMLError):
        return shorten(str(exc)).strip("'\"")
    mark = exc.problem_mark or exc.context_mark
    at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = exc.problem or exc.context or "not valid YAML"
    if "duplicate key" in problem or type(exc).__name__ == "DuplicateKeyError":
        key = re.search(r'found duplicate key "(.*?)"', str(exc), re.S)
        name = shorten(key.group(1)) if key else "a key"
        return f"{at}duplicate key {name}; each key may appear once"
    if "maximum depth" in problem:
        return f"{at}nested more than {MAX_DEPTH} levels deep"
    if isinstance(exc, _Refused):
        return at + problem
    if "another document" in problem:
        return f"{at}a second document (---); expected one document per file"
    context = f" ({exc.context.strip()})" if exc.context and exc.context != problem else ""
    return f"{at}not valid YAML: {problem.strip()}{context}"


def load_yaml(text: str, where: str, *, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one YAML (or JSON) document under the rules in the module docstring."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), where, max_bytes)
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise InputError(f"{where}: {_yaml_problem(exc)}") from None
    except RecursionError:  # a guard: max_depth is meant to stop this first
        raise InputError(f"{where}: nested too deep; expected at most {MAX_DEPTH} levels") from None


# -- JSON --------------------------------------------------------------------------------------
def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {shorten(key)}; each key may appear once")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise InputError(f"{name} is not a number; expected a plain decimal number")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(f"a number of {len(text):,} characters; expected at most {MAX_NUMBER_CHARS}")
    return int(text)


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack += [(v, level + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, level + 1) for v in value]
    return deepest


def load_json(text: str, where: str, *, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one JSON value under the same rules as `load_yaml`."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), where, max_bytes)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                          parse_int=_bounded_int)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{where}: nested too deep; expected at most {MAX_DEPTH} levels") from None
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    return data


# -- files -------------------------------------------------------------------------------------
def _check_size(size: int, where: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(f"{where}: larger than {max_bytes:,} bytes; expected one intake or case "
                         "file (raise the limit with --max-bytes)")


def decode(data: bytes, where: str) -> str:
    """UTF-8 text of `data` (a byte-order mark is allowed); InputError otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (byte {exc.start + 1} cannot be read)") from None


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES, stdin: Any = None) -> str:
    """The text of a file (or of `stdin` when path is '-'), refused past `max_bytes`."""
    where = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            buffer = getattr(stdin, "buffer", None)
            data = (buffer.read(max_bytes + 1) if buffer is not None
                    else stdin.read(max_bytes + 1).encode("utf-8", "surrogatepass"))
        else:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise InputError(f"{where}: is a directory; expected a file") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read the file ({exc.strerror})") from None
    _check_size(len(data), where, max_bytes)
    return decode(data, where)


def load_mapping(text: str, where: str, *, expected: str, max_bytes: int = MAX_BYTES) -> dict:
    """A YAML/JSON document that must be a mapping (`expected` says of what, for the error)."""
    data = load_yaml(text, where, max_bytes=max_bytes)
    if not isinstance(data, dict):
        got = "an empty document" if data is None else f"a {type(data).__name__}"
        raise InputError(f"{where}: expected a mapping of {expected}; got {got}")
    return data


# -- pydantic errors ---------------------------------------------------------------------------
def _model_at(model: type[BaseModel] | None, loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that holds the field at `loc` (for listing its allowed keys)."""
    for part in loc:
        field = model.model_fields.get(str(part)) if model else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = get_args(annotation) if get_origin(annotation) is not None else (annotation,)
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


def _choices(model: type[BaseModel] | None, loc: Sequence[Any]) -> str:
    """'; expected one of: ...' for a field whose type is a fixed list of values."""
    parent = _model_at(model, loc[:-1])
    field = parent.model_fields.get(str(loc[-1])) if parent and loc else None
    if field is None or get_origin(field.annotation) is not Literal:
        return ""
    return f"; expected one of: {', '.join(map(str, get_args(field.annotation)))}"


class FieldProblem(NamedTuple):
    """One problem of a pydantic validation, read once for every kind of report."""

    loc: tuple[str | int, ...]
    field: str  # the dotted path, or "(top level)"
    kind: str  # pydantic's error type: missing, extra_forbidden, value_error, ...
    what: str  # what is wrong in words, with what was expected
    given: Any  # the value given (None for a missing one)
    limits: Mapping[str, Any]  # pydantic's context, e.g. {"ge": 8}

    @property
    def text(self) -> str:
        """`what`, with a shortened copy of the value given when that helps."""
        quiet = self.kind in ("missing", "extra_forbidden", "value_error") or isinstance(
            self.given, Mapping)  # a check across answers names the values in its own words
        return self.what if quiet else f"{self.what} (got {shorten(self.given)})"


def field_problems(exc: ValidationError, model: type[BaseModel] | None = None
                   ) -> list[FieldProblem]:
    """The one reading of a pydantic validation error: every problem with its field path, what
    is wrong in words and what was given. With `model`, an unknown key lists the keys allowed
    there and a missing choice lists its choices. Each report (CLI line, case file, catalogue,
    lint, batch column, app form) only words these its own way."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        name = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            allowed = ", ".join(parent.model_fields) if parent else "a known key"
            what = f"unknown key; expected one of: {allowed}"
        elif err["type"] == "missing":
            what = f"required but missing{_choices(model, loc)}"
        else:
            what = str(err["msg"]).removeprefix("Value error, ")
        problems.append(FieldProblem(loc, name, err["type"], what, err.get("input"),
                                     err.get("ctx") or {}))
    return problems


def describe_validation_error(exc: ValidationError, where: str,
                              model: type[BaseModel] | None = None) -> str:
    """One line per problem: where, the field path, what was expected and what was given."""
    return "\n".join(f"{where}: field '{p.field}': {p.text}" for p in field_problems(exc, model))
