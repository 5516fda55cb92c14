"""Row conversion for batch screening: a table row (flat cells under dotted column names)
<-> an Intake, and a screened intake as its output cells.

The column scheme and what each cell may hold are described in `hipscreen.batch`. Nothing here
reads or writes a file (`hipscreen.tables`) or runs the rule engine (`hipscreen.batch`), and
nothing here imports pandas at import time: the worker processes convert rows without it.
"""

from __future__ import annotations

import difflib
import math
import re
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from hipscreen.documents import FieldProblem, field_problems, shorten
from hipscreen.knowledge.intake import Intake, choices_of, strip_optional

if TYPE_CHECKING:
    from hipscreen.result import Result

__all__ = [
    "COLUMNS",
    "COLUMN_BY_NAME",
    "COLUMN_NAMES",
    "EMPTY_LIST",
    "ERROR_SEPARATOR",
    "ID_COLUMN",
    "LIST_SEPARATOR",
    "NOT_ASKED_WORD",
    "OUTPUT_COLUMNS",
    "PLAIN_TYPES",
    "READ_ERROR_COLUMN",
    "SALVAGE_COLUMN",
    "Column",
    "Layout",
    "RowError",
    "clean_cell",
    "flatten_record",
    "format_result",
    "intake_from_cells",
    "intake_from_row",
    "layout_of",
    "plain_cell",
    "red_flag_cell",
    "result_cells",
    "row_from_intake",
]

ID_COLUMN = "id"
READ_ERROR_COLUMN = "(read error)"  # set by the JSONL reader on a line it could not use
SALVAGE_COLUMN = "(readable answers)"  # beside a read error: what a refused FHIR line still says
LIST_SEPARATOR = ";"
ERROR_SEPARATOR = " | "
EMPTY_LIST = "none"
MAX_LIST_ITEMS = 50
WHOLE_NUMBER = re.compile(r"[-+]?[0-9]{1,20}(\.0{0,20})?")  # ASCII digits; "34.0" from a spreadsheet is 34
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
NOT_ASKED_WORD = "not asked"  # a safety cell: the question was never asked (None), never a no
NOT_ASKED_WORDS = frozenset({NOT_ASKED_WORD, "not_asked"})


class RowError(ValueError):
    """One row does not make a valid intake; `errors` holds one message per problem, and
    `answers` what the row's readable cells give (a bad safety cell as None, not asked), for
    `hipscreen.screening.screen_safety_first`."""

    def __init__(self, errors: Sequence[str], answers: dict[str, Any] | None = None) -> None:
        self.errors = list(errors)
        self.answers = answers
        super().__init__(ERROR_SEPARATOR.join(self.errors))


# -- the column scheme, derived from the Intake model ----------------------------------------

Kind = Literal["bool", "int", "choice", "list"]


@dataclass(frozen=True)
class Column:
    """One flattened intake answer."""

    name: str
    path: tuple[str, ...]
    kind: Kind
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    nullable: bool = False
    required: bool = False
    default: Any = None
    group_optional: bool = False
    description: str = ""

    @property
    def expected(self) -> str:
        """What a cell may hold, for error messages."""
        if self.kind == "bool":
            return "true or false (or yes/no, 1/0)"
        if self.kind == "int":
            return f"a whole number {self.low}..{self.high}"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        text = f"values separated by '{LIST_SEPARATOR}' from " + ", ".join(self.choices)
        if self.nullable:
            text += f", or '{EMPTY_LIST}' when tested and none found"
        return text

    @property
    def allowed(self) -> str:
        """The template's allowed-values cell."""
        if self.kind == "bool":
            values = "true|false"
            if self.path[0] == "safety" and self.nullable:
                values += f"|{NOT_ASKED_WORD}"
        elif self.kind == "int":
            values = f"{self.low}..{self.high}"
        elif self.kind == "choice":
            values = "|".join(self.choices)
        else:
            values = f"{LIST_SEPARATOR}-separated: " + "|".join(self.choices)
            if self.nullable:
                values += f" or {EMPTY_LIST}"
        return f"{values} ({self._empty_means()})"

    def _empty_means(self) -> str:
        if self.group_optional:  # a required part of an optional group, e.g. IR degrees
            given = "not tested" if self.path[0] == "movement" else "not given"
            return f"empty = {given}; fill every {'.'.join(self.path[:-1])}.* column or none"
        if self.required:
            return "required"
        if self.path[0] == "movement":
            return "empty = not tested"
        if self.path[0] == "safety":
            return "empty = no if the row answers any safety question, else not asked"
        if self.kind == "list":
            return "empty = none"
        if self.default is None:
            return "empty = not given"
        if isinstance(self.default, bool):
            return f"empty = {str(self.default).lower()}"
        return f"empty = {self.default}"


def _columns(
    model: type[BaseModel], prefix: tuple[str, ...] = (), group_optional: bool = False
) -> Iterable[Column]:
    for name, info in model.model_fields.items():
        annotation, nullable = strip_optional(info.annotation)
        path = (*prefix, name)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _columns(annotation, path, group_optional=nullable)
            continue
        common = {
            "name": ".".join(path),
            "path": path,
            "nullable": nullable,
            "required": info.is_required(),
            "default": None if info.is_required() else info.get_default(),
            "group_optional": group_optional,
            "description": info.description or "",
        }
        if annotation is bool:
            yield Column(kind="bool", **common)
        elif annotation is int:
            low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
            high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
            yield Column(kind="int", low=low, high=high, **common)
        elif (choices := choices_of(annotation)) is not None:
            yield Column(kind="choice", choices=choices, **common)
        elif (
            typing.get_origin(annotation) is tuple
            and (item_choices := choices_of(typing.get_args(annotation)[0])) is not None
        ):
            yield Column(kind="list", choices=item_choices, **common)
        else:  # a new kind of field: fail at import rather than guess
            raise TypeError(f"batch: no column rule for {'.'.join(path)} ({annotation!r})")


COLUMNS: tuple[Column, ...] = tuple(_columns(Intake))
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
COLUMN_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
_BY_PATH: dict[tuple[str, ...], Column] = {c.path: c for c in COLUMNS}
_GROUPS: frozenset[str] = frozenset(".".join(c.path[:i]) for c in COLUMNS for i in range(1, len(c.path)))


# -- cells -> Intake ---------------------------------------------------------------------------


class _CellError(ValueError):
    pass


def clean_cell(value: Any) -> Any:
    """A plain cell (see `plain_cell`) as None (not given), a stripped string, a list, or a scalar."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def plain_cell(value: Any) -> Any:
    """A cell of a pandas frame as plain Python: a NumPy scalar as its Python value, an array as
    a list, a missing value (NaN, None, pd.NA, NaT) as None. Rows travel to the worker processes
    as plain values, so a worker never imports pandas or NumPy."""
    if type(value) in PLAIN_TYPES or isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple)):
        return value if all(type(v) in PLAIN_TYPES for v in value) else [plain_cell(v) for v in value]
    import pandas as pd

    if hasattr(value, "tolist") and not isinstance(value, pd.Timestamp):  # NumPy scalar or array
        value = value.tolist()
        return [plain_cell(v) for v in value] if isinstance(value, list) else value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _parse_bool(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    # 1/0 as JSON or Parquet integers; a float such as 1.0 is refused, as it is in CSV
    word = str(cell) if isinstance(cell, int) and cell in (0, 1) else cell
    if isinstance(word, str):
        if word.lower() in TRUE_WORDS:
            return True
        if word.lower() in FALSE_WORDS:
            return False
    raise _CellError


def _parse_int(cell: Any) -> int:
    if isinstance(cell, bool):
        raise _CellError
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):  # Parquet and JSON numbers; a column with gaps is float
        if not math.isfinite(cell) or not cell.is_integer():
            raise _CellError
        return int(cell)
    if not isinstance(cell, str) or not WHOLE_NUMBER.fullmatch(cell):
        raise _CellError
    return int(cell.partition(".")[0])


def _parse_choice(cell: Any) -> Any:
    return cell.lower() if isinstance(cell, str) else cell


def _parse_list(cell: Any) -> list[str]:
    items = cell if isinstance(cell, list) else str(cell).split(LIST_SEPARATOR, MAX_LIST_ITEMS)
    if len(items) > MAX_LIST_ITEMS:  # a list names each choice at most once
        raise _CellError
    items = [str(i).strip().lower() for i in items if clean_cell(i) is not None]
    return [] if items == [EMPTY_LIST] else items


def _not_asked_or(parse: Any) -> Any:
    """A safety cell's parser: `not asked` is None (the question was never asked)."""
    def parse_safety(cell: Any) -> Any:
        if isinstance(cell, str) and cell.strip().lower() in NOT_ASKED_WORDS:
            return None
        return parse(cell)
    return parse_safety


def _parser_of(column: Column) -> Any:
    parse = _PARSERS[column.kind]
    return _not_asked_or(parse) if column.path[0] == "safety" and column.nullable else parse


_PARSERS: dict[str, Any] = {"bool": _parse_bool, "int": _parse_int, "choice": _parse_choice,
                            "list": _parse_list}


def _parse(column: Column, cell: Any) -> Any:
    """The answer a cleaned cell gives for `column`; _CellError when it cannot be read."""
    return _parser_of(column)(cell)


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


@lru_cache(maxsize=256)
def _unknown_column_message(name: str) -> str:
    if len(name) > 100:
        return f"unknown column {shorten(name)} (not an intake answer)"
    if name in _GROUPS:
        return (
            f"{name}: a group, not an answer; give its answers as columns such as "
            f"{next(c.name for c in COLUMNS if c.name.startswith(name + '.'))}"
        )
    hint = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
    return f"unknown column {name!r}" + (
        f" (did you mean {hint[0]!r}?)" if hint else " (not an intake answer)"
    )


def _column_of(loc: tuple[int | str, ...]) -> Column | None:
    for length in range(len(loc), 0, -1):
        if (column := _BY_PATH.get(tuple(loc[:length]))) is not None:
            return column
    return None


def _message(problem: FieldProblem, raw: Mapping[str, Any]) -> tuple[str | None, str]:
    """A validation problem as (column name or None, message naming the column)."""
    column = _column_of(problem.loc)
    if column is None:
        return None, (f"{problem.field}: {problem.what}" if problem.loc else problem.what)
    if problem.kind == "missing":
        text = f"{column.name}: missing; expected {column.expected}"
        if column.group_optional:
            group = ".".join(column.path[:-1])
            text += f" (every {group}.* column is needed once one of them is given)"
        return column.name, text
    if problem.kind == "value_error":  # a check across answers says what it expected itself
        return column.name, f"{column.name}: {problem.what}"
    got = problem.given if len(problem.loc) > len(column.path) else raw.get(column.name)
    return column.name, f"{column.name}: expected {column.expected}; got {shorten(got)}"


def _absent(cell: Any) -> bool:
    """A key this row does not have: JSON null, or the gap pandas leaves where another JSONL row
    had the key. A CSV cell is never absent (an empty one is ""), so an unknown CSV column is an
    error on every row; an unknown JSONL key only on the rows that give it."""
    return cell is None or (isinstance(cell, float) and math.isnan(cell))


class Layout(typing.NamedTuple):
    """Where the columns of a table sit in each of its rows (a tuple of cells), worked out once
    per table rather than once per row."""

    known: tuple[tuple[Column, int, Any], ...]  # the intake's columns present, in COLUMNS order,
    # each with its position and its parser
    unknown: tuple[tuple[int, str], ...]  # (position, message) of every other column
    id_at: int | None
    read_error_at: int | None
    age_at: int | None
    salvage_at: int | None = None


@lru_cache(maxsize=64)
def layout_of(labels: tuple[Any, ...]) -> Layout:
    at = {label: i for i, label in enumerate(labels)}  # a label given twice: the last one, as in a dict
    return Layout(
        known=tuple((column, at[column.name], _parser_of(column))
                    for column in COLUMNS if column.name in at),
        unknown=tuple((i, _unknown_column_message(str(label))) for label, i in at.items()
                      if label not in COLUMN_BY_NAME
                      and label not in (ID_COLUMN, READ_ERROR_COLUMN, SALVAGE_COLUMN)),
        id_at=at.get(ID_COLUMN), read_error_at=at.get(READ_ERROR_COLUMN), age_at=at.get("age"),
        salvage_at=at.get(SALVAGE_COLUMN))


def intake_from_cells(layout: Layout, cells: Sequence[Any]) -> Intake:
    """`intake_from_row` for a row given as plain cells in `layout`'s order."""
    unknown = [message for i, message in layout.unknown if not _absent(cells[i])]
    found: list[tuple[str | None, str]] = []  # (column name, None for the row; message)
    data: dict[str, Any] = {}
    for column, i, parse in layout.known:
        cell = cells[i]
        cell = (cell.strip() or None) if type(cell) is str else clean_cell(cell)
        if cell is None:  # not given
            continue
        try:
            value = parse(cell)
        except _CellError:
            found.append((column.name, f"{column.name}: expected {column.expected}; "
                                        f"got {shorten(cells[i])}"))
            if column.path[0] == "safety":  # a bad answer is not an answer: not asked
                _set(data, column.path, None)
            continue
        path = column.path
        if len(path) == 1:
            data[path[0]] = value
        else:
            _set(data, path, value)
    try:
        intake = Intake.model_validate(data)
    except ValidationError as exc:
        raw = {column.name: cells[i] for column, i, _ in layout.known if clean_cell(cells[i]) is not None}
        unreadable = {name for name, _ in found}  # left out above: not "missing" again
        messages = (_message(problem, raw) for problem in field_problems(exc))
        found += [(name, text) for name, text in messages if name not in unreadable]
    if unknown or found:
        found.sort(key=lambda m: _ORDER.get(m[0], len(_ORDER)) if m[0] else len(_ORDER))
        raise RowError(unknown + [message for _, message in found], data)
    return intake


_ORDER: dict[str, int] = {name: i for i, name in enumerate(COLUMN_NAMES)}


def intake_from_row(row: Mapping[str, Any]) -> Intake:
    """Build the Intake of one flat row (a dict or a Series keyed by column name).

    Raises `RowError` listing every problem: unknown columns, unreadable cells, and the
    model's validation errors translated back to column names.
    """
    items = list(row.items())
    return intake_from_cells(layout_of(tuple(label for label, _ in items)),
                              [plain_cell(cell) for _, cell in items])


def _format_value(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if value == NOT_ASKED_WORD:  # a safety question never asked, in an asked block
        return NOT_ASKED_WORD
    if column.kind == "bool":
        return "true" if value else "false"
    if column.kind == "list":
        if not value:
            return EMPTY_LIST if column.nullable else ""
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def row_from_intake(intake: Intake) -> dict[str, str]:
    """The flat row of an intake: every column, answers not given as empty cells; when the
    safety questions were asked, every safety answer is written out (a question never asked as
    `not asked`), so that "asked, nothing ticked" stays apart from "not asked".

    `intake_from_row(row_from_intake(x)) == x`.
    """
    given = intake.model_dump(exclude_unset=True)
    if "safety" in intake.model_fields_set:
        given["safety"] = {name: NOT_ASKED_WORD if value is None else value
                           for name, value in intake.safety.model_dump().items()}
    row: dict[str, str] = {}
    for column in COLUMNS:
        value: Any = given
        for key in column.path:
            value = value.get(key) if isinstance(value, dict) else None
        row[column.name] = _format_value(column, value)
    return row


# -- a screened intake as output cells ---------------------------------------------------------

OUTPUT_COLUMNS: tuple[str, ...] = ("id", "triage", "action", "deficits", "drills", "rules_fired", "error",
                                   "red_flags")


def result_cells(result: Result) -> tuple[str, str, str, str, int]:
    """triage, action, deficits, drills, rules_fired of one screened intake (red_flags: see
    `red_flag_cell`)."""
    plan = result.plan
    if any(a.order > b.order for a, b in zip(plan, plan[1:], strict=False)):
        plan = sorted(plan, key=lambda p: p.order)
    return (
        result.triage.level,
        result.triage.action,
        LIST_SEPARATOR.join(f"{d.id}:{d.side}:{d.confidence}:{d.certainty:.2f}" for d in result.deficits),
        LIST_SEPARATOR.join(f"{p.drill}:{p.side}" for p in plan),
        len(result.rules_fired),
    )


def red_flag_cell(result: Result) -> str:
    return LIST_SEPARATOR.join(f.id for f in result.triage.red_flags)


def format_result(result: Result) -> dict[str, Any]:
    """The output cells of one screened intake (without ``id``)."""
    return {**dict(zip(OUTPUT_COLUMNS[1:6], result_cells(result), strict=True)), "error": "",
            "red_flags": red_flag_cell(result)}


# -- a JSON object as a row -------------------------------------------------------------------


def flatten_record(record: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """A JSON object as dotted columns, and the problems of this row: a key given twice (as a
    dotted key and inside an object), an object where one answer goes."""
    flat: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if name in COLUMN_BY_NAME or name == ID_COLUMN:
                expected = COLUMN_BY_NAME[name].expected if name in COLUMN_BY_NAME else "a value"
                problems.append(f"{name}: expected {expected}; got an object {shorten(value)}")
                flat[name] = value  # kept, unreadable: a bad cell (a safety one is not asked)
                continue
            inner, inner_problems = flatten_record(value, f"{name}.")
            problems += inner_problems
            items = inner.items()
        else:
            items = [(name, value)]
        for column, cell in items:
            if column in flat:
                problems.append(f"{column}: given twice in this row; each answer may appear once")
                cell = {"given twice": [flat[column], cell]}  # unreadable: neither answer counts
            flat[column] = cell
    return flat, problems
