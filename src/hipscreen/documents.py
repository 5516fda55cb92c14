"""Read untrusted YAML and JSON: strict, bounded, and every error says where and what was expected.

Every intake, case file, catalogue file and batch row the program reads comes through here,
through one loader. YAML is tokenised and parsed by libyaml (PyYAML's C parser, fast enough to
read the whole catalogue in a few milliseconds); its events are turned into values here, in
Python, under YAML 1.2's core schema (``yes``, ``no``, ``on``, ``off`` and ``1:10`` are text)
and narrowed to what a hand-written document needs:

* no aliases or anchors (a "billion laughs" file cannot expand), no explicit tags (``!!set``,
  ``!!python/...``), no merge keys (``<<`` would let one key silently replace another), no
  mapping or list used as a key, no key given twice, one document per file;
* depth, value-count and size limits, so a hostile file is refused in milliseconds;
* numbers as YAML 1.2 and JSON write them, in plain decimal: ``042``, ``0x22``, ``0o42``,
  ``1_000``, ``.inf``, ``1e400`` are errors rather than a number someone did not mean.

JSON Lines rows go through `load_json` (the standard library's parser, fast enough for a
batch) with the same rules: duplicate keys, NaN/Infinity, over-long numbers and deep nesting
are errors. Error messages quote at most `SHOWN_CHARS` characters of any value.

Neither pydantic nor yaml is imported with this module: `hipscreen --help` reads no document.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args, get_origin

if TYPE_CHECKING:  # `hipscreen --help` reads no document: neither pydantic nor yaml is imported
    from pydantic import BaseModel, ValidationError

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


class InputError(ValueError):
    """Input that cannot be used; the message names where (file, line, row, field) and what was
    expected. Commands turn it into one line on stderr and exit code 2."""


class IntakeInputError(InputError):
    """A bad intake, with what its salvaged answers still say (docs/design.md, "A red flag always
    wins"). `problems` holds the field errors alone (one a line); `salvaged` the Result of
    `hipscreen.screening.screen_safety_first` (or None), read for its red flags only; `banner`
    the lines naming that triage, which str() puts before the problems."""

    def __init__(self, problems: str, salvaged: Any = None, banner: Sequence[str] = (),
                 answers: dict[str, Any] | None = None) -> None:
        self.problems = problems
        self.salvaged = salvaged
        self.banner = list(banner)
        self.answers = answers  # the readable answers, for a salvage made elsewhere
        super().__init__("\n".join([*self.banner, problems]))


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
# libyaml (PyYAML's C extension) tokenises and parses; the events it gives are turned into
# Python values here, one at a time, under the rules of the module docstring. Plain scalars are
# resolved with the YAML 1.2 core schema (the expressions of ruamel.yaml's 1.2 resolver, in its
# order; a timestamp is a date or a datetime as there), then checked: numbers must be plain
# decimal, so whatever YAML 1.1 would have read as another number is an error, and `yes`,
# `no`, `on`, `off` stay text.
_RESOLVERS: tuple[tuple[str, str, re.Pattern[str]], ...] = (  # (first characters, tag, form)
    ("tTfF", "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    ("-+0123456789.", "float", re.compile(r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", re.X)),
    ("-+0123456789", "int", re.compile(r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X)),
    ("<", "merge", re.compile(r"^(?:<<)$")),
    ("~nN", "null", re.compile(r"^(?:~|null|Null|NULL)$")),
    ("0123456789", "timestamp", re.compile(r"""^(?P<year>[0-9][0-9][0-9][0-9])
        -(?P<month>[0-9][0-9]?)
        -(?P<day>[0-9][0-9]?)
        (?:(?:[Tt]|[ \t]+)
        (?P<hour>[0-9][0-9]?)
        :(?P<minute>[0-9][0-9])
        :(?P<second>[0-9][0-9])
        (?:\.(?P<fraction>[0-9]*))?
        (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
        (?::(?P<tz_minute>[0-9][0-9]))?))?)?$""", re.X)),
    ("=", "value", re.compile(r"^(?:=)$")),
)
_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    char: tuple((tag, form) for first, tag, form in _RESOLVERS if char in first)
    for char in {c for first, _, _ in _RESOLVERS for c in first}}


class _Refused(Exception):
    """A YAML feature, value or size this loader does not accept, at a place in the file."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.mark = problem, mark


def _timestamp(match: re.Match[str]) -> Any:
    """A date, or a datetime when a time is given (as ruamel.yaml makes it)."""
    import datetime as dt

    part = match.groupdict()
    year, month, day = int(part["year"]), int(part["month"]), int(part["day"])
    if part["hour"] is None:
        return dt.date(year, month, day)
    fraction = (part["fraction"] or "")[:6].ljust(6, "0")
    tzinfo = None
    if part["tz_sign"]:
        delta = dt.timedelta(hours=int(part["tz_hour"]), minutes=int(part["tz_minute"] or 0))
        tzinfo = dt.timezone(-delta if part["tz_sign"] == "-" else delta, name=part["tz"])
    elif part["tz"] == "Z":
        tzinfo = dt.timezone(dt.timedelta(0), name="Z")
    value = dt.datetime(year, month, day, int(part["hour"]), int(part["minute"]),
                        int(part["second"]), int(fraction), tzinfo)
    digits = part["fraction"] or ""
    if len(digits) > 6 and int(digits[6]) > 4:  # rounded to the microsecond
        value += dt.timedelta(microseconds=1)
    return value


def _scalar(event: Any) -> Any:
    """The value of a scalar: a quoted one is text, a plain one is resolved."""
    text = event.value
    if not event.implicit[0]:
        return text
    if not text:
        return None
    for tag, form in _BY_FIRST.get(text[0], ()):
        match = form.match(text)
        if match is None:
            continue
        if tag == "null":
            return None
        if tag == "bool":
            return text in ("true", "True", "TRUE")
        if tag == "int":
            if len(text) > MAX_NUMBER_CHARS:
                raise _Refused(f"a number of {len(text):,} characters; expected at most "
                               f"{MAX_NUMBER_CHARS}", event.start_mark)
            if not _DECIMAL_INT.fullmatch(text):
                raise _Refused(f"the number {shorten(text)} is not a plain decimal number (no "
                               "leading zeros, 0x, 0o or _); write it as digits, or quote it if it "
                               "is text", event.start_mark)
            return int(text)
        if tag == "float":
            decimal = len(text) <= MAX_NUMBER_CHARS and _DECIMAL_FLOAT.fullmatch(text)
            number = float(text) if decimal else math.inf
            if not math.isfinite(number):
                raise _Refused(f"{shorten(text)} is not a plain decimal number (.inf, .nan and _ "
                               "are not accepted)", event.start_mark)
            return number
        if tag == "timestamp":
            try:
                return _timestamp(match)
            except ValueError as exc:
                raise _Refused(f"{shorten(text)} is not a valid date ({exc})",
                               event.start_mark) from None
        if tag == "merge":
            raise _Refused("a plain << is not accepted (it would be a merge key); quote it if it "
                           "is text", event.start_mark)
        raise _Refused(f"a plain {text} is not accepted; quote it if it is text", event.start_mark)
    return text


class _Composer:
    """Values from libyaml's events, refusing aliases, anchors, tags, merge keys, keys that are
    not scalars, duplicate keys, and nesting or value counts past the limits."""

    def __init__(self, events: Any) -> None:
        import yaml

        self.next_event = events.get_event
        self.values = 0
        self.scalar, self.sequence, self.mapping = (
            yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
        self.alias, self.ends = yaml.AliasEvent, (yaml.SequenceEndEvent, yaml.MappingEndEvent)
        self.stream_end = yaml.StreamEndEvent

    def document(self) -> Any:
        self.next_event()  # the stream's start
        event = self.next_event()
        if type(event) is self.stream_end:  # nothing but comments, or nothing at all
            return None
        if event.version not in (None, (1, 2)):
            raise _Refused(f"a %YAML {'.'.join(map(str, event.version))} directive; this file is "
                           "read as YAML 1.2 (remove the line)", event.start_mark)
        value = self.node(self.next_event(), 1)
        self.next_event()  # the document's end
        event = self.next_event()
        if type(event) is not self.stream_end:
            raise _Refused("a second document (---); expected one document per file",
                           event.start_mark)
        return value

    def node(self, event: Any, depth: int, key: bool = False) -> Any:
        kind = type(event)
        if kind is self.alias:
            raise _Refused(f"an alias (*{event.anchor}) is not accepted; write the value out in "
                           "full", event.start_mark)
        if event.anchor is not None:
            raise _Refused(f"an anchor (&{event.anchor}) is not accepted; aliases and anchors "
                           "are switched off", event.start_mark)
        if event.tag is not None:  # "!" too: YAML readers disagree on what `! 12` is
            raise _Refused(f"an explicit tag ({event.tag}) is not accepted; write plain values",
                           event.start_mark)
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Refused(f"more than {MAX_VALUES:,} values; expected one intake or case file",
                           event.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        if kind is self.scalar:
            if key and event.implicit[0] and event.value == "<<":
                raise _Refused("a merge key (<<) is not accepted; write each key once",
                               event.start_mark)
            return _scalar(event)
        if key:
            raise _Refused("a list or mapping used as a key; expected a name", event.start_mark)
        if kind is self.sequence:
            items = []
            event = self.next_event()
            while type(event) not in self.ends:
                items.append(self.node(event, depth + 1))
                event = self.next_event()
            return items
        mapping: dict[Any, Any] = {}
        event = self.next_event()
        while type(event) not in self.ends:
            name = self.node(event, depth + 1, key=True)
            if name in mapping:
                raise _Refused(f"duplicate key {shorten(event.value)}; each key may appear once",
                               event.start_mark)
            mapping[name] = self.node(self.next_event(), depth + 1)
            event = self.next_event()
        return mapping


def _at(mark: Any, data: bytes) -> str:
    """'line L, column C: ' of a libyaml mark. libyaml puts the end of a text that does not end
    with a line break on a line of its own; it is named where the text ends instead."""
    if mark is None:
        return ""
    line, column = mark.line, mark.column
    if column == 0 and line > 0 and line == data.count(b"\n") + 1 and not data.endswith(b"\n"):
        line, column = line - 1, len(data.rsplit(b"\n", 1)[-1].decode("utf-8", "replace"))
    return f"line {line + 1}, column {column + 1}: "


def _yaml_problem(exc: Exception, data: bytes) -> str:
    """libyaml's error in the words of this module: where, then what."""
    if isinstance(exc, _Refused):
        return _at(exc.mark, data) + exc.problem
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):  # not UTF-8, or a control character
        before = data[:exc.position]
        line, column = before.count(b"\n"), len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace"))
        return f"line {line + 1}, column {column + 1}: not valid YAML: {exc.reason}"
    if not isinstance(exc, yaml.MarkedYAMLError):
        return "not valid YAML: " + clip(str(exc))
    at = _at(exc.problem_mark or exc.context_mark, data)
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000), far past ours
        return f"{at}nested more than {MAX_DEPTH} levels deep"
    context = f" ({exc.context.strip()})" if exc.context and exc.context != problem else ""
    return f"{at}not valid YAML: {problem}{context}"


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
"""NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: libyaml, a YAML 1.1 parser, breaks lines at
them, YAML 1.2 reads them as text; refused, so that no value depends on which one reads it."""


def _parser(data: bytes) -> Any:
    """libyaml's parser of `data`; PyYAML's pure-Python one (the same YAML, slower) where
    PyYAML was built without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - the PyYAML wheels all carry libyaml
        from yaml import SafeLoader as CParser
    return CParser(data)


def load_yaml(text: str, where: str, *, max_bytes: int = MAX_BYTES) -> Any:
    """Parse one YAML (or JSON) document under the rules in the module docstring.

    A document that is strict JSON and keeps every rule is read by the json module (the same
    values: JSON is YAML 1.2); any other, and any that breaks a rule, by libyaml, so that the
    refusal names its line and column."""
    data = text.encode("utf-8", "surrogatepass")
    _check_size(len(data), where, max_bytes)
    if text.lstrip(" \t\r\n")[:1] in ("{", "["):  # perhaps JSON, which is YAML 1.2
        value = _strict_json(text)
        if value is not _NOT_JSON:
            return value
    if odd := _ODD_BREAK.search(text):  # libyaml (YAML 1.1) would break the line there
        line = text.count("\n", 0, odd.start())
        column = odd.start() - (text.rfind("\n", 0, odd.start()) + 1)
        raise InputError(f"{where}: line {line + 1}, column {column + 1}: the character "
                         f"U+{ord(odd.group()):04X} is a line break in YAML 1.1 and text in YAML "
                         "1.2; write a plain line break, or \\u escape it in double quotes")
    from yaml import YAMLError

    try:
        return _Composer(_parser(data)).document()
    except (YAMLError, _Refused) as exc:
        raise InputError(f"{where}: {_yaml_problem(exc, data)}") from None
    except RecursionError:  # a guard: MAX_DEPTH is meant to stop this first
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


_NOT_JSON = object()
_SURROGATE = re.compile("[\ud800-\udfff]")


def _bounded_float(text: str) -> float:
    number = float(text)
    if len(text) > MAX_NUMBER_CHARS or not math.isfinite(number):
        raise ValueError(text)
    return number


def _within_limits(data: Any) -> bool:
    """Whether a JSON value keeps the YAML rules: at most MAX_DEPTH levels and MAX_VALUES
    values (keys counted, as YAML counts them), and no text with half a surrogate pair."""
    values, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        values += 1
        if level > MAX_DEPTH or values > MAX_VALUES:
            return False
        if isinstance(value, dict):
            for key, item in value.items():
                values += 1
                if _SURROGATE.search(key):
                    return False
                stack.append((item, level + 1))
        elif isinstance(value, list):
            stack += [(item, level + 1) for item in value]
        elif isinstance(value, str) and _SURROGATE.search(value):
            return False
    return values <= MAX_VALUES


def _strict_json(text: str) -> Any:
    """The value of a document that is strict JSON and keeps every rule, or _NOT_JSON.

    JSON is YAML 1.2 and gives the same values; the standard library reads it faster than any
    YAML parser and joins the surrogate pairs (``"\\ud83e\\ude7a"``) that JSON writers use for
    characters past U+FFFF, which libyaml, a YAML 1.1 parser, refuses. A document that is not
    JSON, or that breaks a rule (a duplicate key, a long or infinite number, NaN, too deep, too
    many values), is read as YAML instead, which refuses it and says where."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                          parse_int=_bounded_int, parse_float=_bounded_float)
    except (InputError, ValueError, RecursionError):
        return _NOT_JSON
    return data if _within_limits(data) else _NOT_JSON


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
    from pydantic import BaseModel

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
