"""Batch screening: a table of intakes in, one screened row per intake out.

Column scheme
-------------
One column per answer of the `Intake` model, named by its dotted path (``age``,
``safety.fever_or_unwell``, ``movement.hip_ir_degrees.left``, ...). The columns are derived
from the pydantic model, so a field added to `Intake` becomes a column without touching this
module. An optional ``id`` column names the row; without it the row id is the input's index.

Cells:

* an empty cell means "not given": a movement test left out was not tested; a safety question
  left out is answered no when the row gives any safety answer (as in an intake's `safety`
  block), and a row that gives none was not asked the safety questions (never self-care:
  docs/design.md, "Not asked is not 'no'"); a safety cell ``not asked`` says so for one question;
  anything else takes the model's default;
* yes/no answers accept ``true``/``false``, ``yes``/``no``, ``1``/``0`` (any case);
* choices and list items are ids as in docs/design.md (matched case-insensitively);
* lists are ``;``-separated (``running;lifting``); in ``movement.hinge_faults`` the single
  word ``none`` means "tested, a clean hinge", which differs from an empty cell (not tested).

Output columns (`OUTPUT_COLUMNS`, dtypes in `SCREEN_FRAME_META`):

* ``id`` -- the row id;
* ``triage``, ``action`` -- the triage level and what to do, in words;
* ``deficits`` -- ``id:side:confidence:certainty`` joined by ``;``, e.g.
  ``hip_stability_deficit:right:likely:0.72;hinge_pattern_deficit:both:possible:0.40``;
* ``drills`` -- the plan in order as ``drill:side`` joined by ``;``, e.g.
  ``single_leg_stability:right;single_leg_hip_hinge:right`` (the drill id is the one in the
  plan, so a swapped-in variant such as ``supported_single_leg_stability`` appears by its own id);
* ``rules_fired`` -- how many rules fired;
* ``error`` -- empty when the row was screened; otherwise every problem of the row, each
  naming its column and what was expected, joined by `` | ``. A row with an error keeps its
  place and the other rows are still screened;
* ``red_flags`` -- the ids of the red flags met, joined by ``;``.

A red flag always wins (docs/design.md, Safety): a row with an error is still read for its red
flags (`hipscreen.screening.screen_safety_first`: a bad safety cell is "not asked", any other
bad cell is left out) and carries that salvaged ``triage``, ``action`` and ``red_flags`` beside
its ``error`` whenever a red flag is met (its ``deficits``, ``drills`` stay empty and
``rules_fired`` 0). A bad or missing age leaves out the red flags that need an age.

A column the intake does not know is an error on every row (nothing is silently ignored).
"""

from __future__ import annotations

import difflib
import itertools
import math
import multiprocessing
import os
import re
import sys
import time
import typing
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from hipscreen.documents import (
    FieldProblem,
    InputError,
    clip,
    decode,
    field_problems,
    load_json,
    shorten,
)
from hipscreen.knowledge.catalogue import TRIAGE_ORDER
from hipscreen.knowledge.intake import Intake, choices_of, strip_optional

if TYPE_CHECKING:  # pandas is imported where a table is built; a worker process never needs it
    import pandas as pd

    from hipscreen.result import Result

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "ERROR_SEPARATOR",
    "ID_COLUMN",
    "OUTPUT_COLUMNS",
    "OUTPUT_DTYPES",
    "SCREEN_FRAME_META",
    "TABLE_FORMATS",
    "BatchInputError",
    "BatchSummary",
    "Column",
    "RowError",
    "format_result",
    "intake_from_row",
    "read_table",
    "row_from_intake",
    "screen_file",
    "screen_frame",
    "template_frame",
    "write_table",
    "write_template",
]

ID_COLUMN = "id"
READ_ERROR_COLUMN = "(read error)"  # set by the JSONL reader on a line it could not use
SALVAGE_COLUMN = "(readable answers)"  # beside a read error: what a refused FHIR line still says
LIST_SEPARATOR = ";"
ERROR_SEPARATOR = " | "
EMPTY_LIST = "none"
MAX_LIST_ITEMS = 50
WHOLE_NUMBER = re.compile(r"[-+]?[0-9]{1,20}(\.0{0,20})?")  # ASCII digits; "34.0" from a spreadsheet is 34
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})
NOT_ASKED_WORD = "not asked"  # a safety cell: the question was never asked (None), never a no
NOT_ASKED_WORDS = frozenset({NOT_ASKED_WORD, "not_asked"})
TABLE_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class BatchInputError(Exception):
    """The batch cannot run at all: the input cannot be read (missing file, unknown extension,
    unparseable content), the output path cannot be used (the message names the path), or the
    number of jobs is not a positive number."""


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
_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
_BY_PATH: dict[tuple[str, ...], Column] = {c.path: c for c in COLUMNS}
_GROUPS: frozenset[str] = frozenset(".".join(c.path[:i]) for c in COLUMNS for i in range(1, len(c.path)))


# -- cells -> Intake ---------------------------------------------------------------------------


class _CellError(ValueError):
    pass


def _clean(value: Any) -> Any:
    """A plain cell (see `_plain`) as None (not given), a stripped string, a list, or a scalar."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _plain(value: Any) -> Any:
    """A cell of a pandas frame as plain Python: a NumPy scalar as its Python value, an array as
    a list, a missing value (NaN, None, pd.NA, NaT) as None. Rows travel to the worker processes
    as plain values, so a worker never imports pandas or NumPy."""
    if type(value) in _PLAIN_TYPES or isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple)):
        return value if all(type(v) in _PLAIN_TYPES for v in value) else [_plain(v) for v in value]
    import pandas as pd

    if hasattr(value, "tolist") and not isinstance(value, pd.Timestamp):  # NumPy scalar or array
        value = value.tolist()
        return [_plain(v) for v in value] if isinstance(value, list) else value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


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
    items = [str(i).strip().lower() for i in items if _clean(i) is not None]
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


class _Layout(typing.NamedTuple):
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
def _layout(labels: tuple[Any, ...]) -> _Layout:
    at = {label: i for i, label in enumerate(labels)}  # a label given twice: the last one, as in a dict
    return _Layout(
        known=tuple((column, at[column.name], _parser_of(column))
                    for column in COLUMNS if column.name in at),
        unknown=tuple((i, _unknown_column_message(str(label))) for label, i in at.items()
                      if label not in _BY_NAME
                      and label not in (ID_COLUMN, READ_ERROR_COLUMN, SALVAGE_COLUMN)),
        id_at=at.get(ID_COLUMN), read_error_at=at.get(READ_ERROR_COLUMN), age_at=at.get("age"),
        salvage_at=at.get(SALVAGE_COLUMN))


def _intake_from_cells(layout: _Layout, cells: Sequence[Any]) -> Intake:
    """`intake_from_row` for a row given as plain cells in `layout`'s order."""
    unknown = [message for i, message in layout.unknown if not _absent(cells[i])]
    found: list[tuple[str | None, str]] = []  # (column name, None for the row; message)
    data: dict[str, Any] = {}
    for column, i, parse in layout.known:
        cell = cells[i]
        cell = (cell.strip() or None) if type(cell) is str else _clean(cell)
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
        raw = {column.name: cells[i] for column, i, _ in layout.known if _clean(cells[i]) is not None}
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
    return _intake_from_cells(_layout(tuple(label for label, _ in items)),
                              [_plain(cell) for _, cell in items])


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


# -- screening a frame -------------------------------------------------------------------------

OUTPUT_COLUMNS: tuple[str, ...] = ("id", "triage", "action", "deficits", "drills", "rules_fired", "error",
                                   "red_flags")
_ERROR_AT = OUTPUT_COLUMNS.index("error")
_TRIAGE_AT = OUTPUT_COLUMNS.index("triage")


def __getattr__(name: str) -> Any:
    # OUTPUT_DTYPES and SCREEN_FRAME_META are pandas objects: made on first use, so that importing
    # this module (as every worker process does) does not import pandas.
    if name == "OUTPUT_DTYPES":
        import numpy as np
        import pandas as pd

        value: Any = {**{n: pd.StringDtype() for n in OUTPUT_COLUMNS}, "rules_fired": np.dtype("int64")}
    elif name == "SCREEN_FRAME_META":
        import pandas as pd

        value = pd.DataFrame({n: pd.Series(dtype=dtype) for n, dtype in __getattr__("OUTPUT_DTYPES").items()})
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


if TYPE_CHECKING:
    OUTPUT_DTYPES: dict[str, Any]
    """The dtype of each output column: pandas' string dtype, int64 for ``rules_fired``."""
    SCREEN_FRAME_META: pd.DataFrame
    """An empty frame with `screen_frame`'s output columns and dtypes (Dask ``meta=``)."""


def screen(intake: Intake, **options: Any) -> Result:
    """`hipscreen.screening.screen`, imported on first use: the process that only reads and
    writes the tables (``jobs`` > 1) never loads the rule engine."""
    from hipscreen.screening import screen as run

    return run(intake, **options)


def _result_cells(result: Result) -> tuple[str, str, str, str, int]:
    """triage, action, deficits, drills, rules_fired of one screened intake (red_flags: see
    `_red_flag_cell`)."""
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


def _red_flag_cell(result: Result) -> str:
    return LIST_SEPARATOR.join(f.id for f in result.triage.red_flags)


def format_result(result: Result) -> dict[str, Any]:
    """The output cells of one screened intake (without ``id``)."""
    return {**dict(zip(OUTPUT_COLUMNS[1:6], _result_cells(result), strict=True)), "error": "",
            "red_flags": _red_flag_cell(result)}


def _salvage(answers: dict[str, Any] | None) -> dict[str, str] | None:
    """The triage a bad row's readable answers still raise (its red flags, level and action),
    or None when they raise no red flag (or the row gave no answer at all)."""
    if not answers:
        return None
    from hipscreen.screening import screen_safety_first

    try:
        result, _ = screen_safety_first(answers)
    except Exception:  # the row's own error is reported whatever happens here
        return None
    if result is None or not result.triage.red_flags:
        return None
    return {"triage": result.triage.level, "action": result.triage.action,
            "red_flags": _red_flag_cell(result)}


def _error_row(row_id: str, error: str, salvaged: Any = None) -> tuple[Any, ...]:
    """The output row of a row with an error: its salvaged triage, if any, beside the error."""
    if not isinstance(salvaged, dict):
        return (row_id, "", "", "", "", 0, error, "")
    return (row_id, str(salvaged.get("triage", "")), str(salvaged.get("action", "")), "", "", 0,
            error, str(salvaged.get("red_flags", "")))


def _answers_of_cells(layout: _Layout, cells: Sequence[Any]) -> dict[str, Any] | None:
    """What the readable cells of a row give (None when none is readable), for the salvage."""
    try:
        _intake_from_cells(layout, cells)
    except RowError as exc:
        return exc.answers
    except Exception:
        return None
    return None


def _row_id(index_value: Any, cell: Any, has_ids: bool) -> str:
    """The row's id; the index when the table has no id column. A row left without an id in a
    table that has them gets an empty id: a row number there could be another row's real id."""
    if not has_ids:
        return str(index_value)
    cell = _clean(cell)
    if cell is None or isinstance(cell, list | dict):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell)


def _screen_cells(layout: _Layout, cells: Sequence[Any], row_id: str) -> tuple[Any, ...]:
    """The output row of one input row; every problem stays in its row's error cell."""
    read_error = _clean(cells[layout.read_error_at]) if layout.read_error_at is not None else None
    if read_error is not None:
        answers = cells[layout.salvage_at] if layout.salvage_at is not None else None
        if not isinstance(answers, dict):  # the line's other cells, read as a row
            answers = _answers_of_cells(layout, cells)
        return _error_row(row_id, str(read_error), _salvage(answers))
    if layout.age_at is not None and cells[layout.age_at] == _BY_NAME["age"].allowed:
        return _error_row(row_id, "the template's allowed-values line, not an intake: delete it")
    try:
        result = screen(_intake_from_cells(layout, cells), trace=False)
        return (row_id, *_result_cells(result), "", _red_flag_cell(result))
    except RowError as exc:
        return _error_row(row_id, str(exc), _salvage(exc.answers))
    except Exception as exc:  # an engine failure must not sink the other rows
        return _error_row(row_id, f"screening failed: {type(exc).__name__}: {clip(str(exc))}")


def _screen_rows(labels: tuple[Any, ...], rows: Sequence[Sequence[Any]], ids: Sequence[str]
                 ) -> list[tuple[Any, ...]]:
    """Screen plain rows (the work of one chunk, in a worker process or this one)."""
    layout = _layout(labels)
    return [_screen_cells(layout, cells, row_id) for cells, row_id in zip(rows, ids, strict=True)]


class _Table(typing.NamedTuple):
    """A frame as its column labels, each column's values (a NumPy or pandas array, which
    slices without copying) and its index; rows are made from it a chunk at a time."""

    labels: tuple[Any, ...]
    arrays: list[Any]
    index: Any


def _table(df: pd.DataFrame) -> _Table:
    import numpy as np

    arrays = [series.to_numpy() if isinstance(series.dtype, np.dtype) else series.array
              for series in (df.iloc[:, i] for i in range(df.shape[1]))]
    return _Table(tuple(df.columns), arrays, df.index)


def _chunk(table: _Table, start: int, end: int) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Rows start..end of a table as plain cells (see `_plain`), and their ids."""
    columns = []
    for array in table.arrays:
        values = array[start:end].tolist()  # a NumPy array gives Python scalars (NaN for a gap)
        if not set(map(type, values)) <= _PLAIN_TYPES:
            values = [v if type(v) in _PLAIN_TYPES else _plain(v) for v in values]
        columns.append(values)
    rows = list(zip(*columns, strict=True)) if columns else [()] * (end - start)
    at = _layout(table.labels).id_at
    if at is not None:
        return rows, [_row_id(None, cells[at], True) for cells in rows]
    return rows, [str(index_value) for index_value in table.index[start:end].tolist()]


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _output_frame(rows: Sequence[Sequence[Any]], index: Any = None) -> pd.DataFrame:
    """Output rows as a frame with the columns and dtypes of `SCREEN_FRAME_META`."""
    import numpy as np
    import pandas as pd

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(OUTPUT_COLUMNS)
    data = {name: np.array(values, dtype=np.int64) if name == "rules_fired"
            else pd.array(list(values), dtype=pd.StringDtype())
            for name, values in zip(OUTPUT_COLUMNS, columns, strict=True)}
    return pd.DataFrame(data, index=index if index is not None else pd.RangeIndex(len(rows)))


def screen_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Screen every row of a frame of intakes (columns as in the module docstring).

    One output row per input row, same order and index, columns `OUTPUT_COLUMNS` with the
    dtypes of `SCREEN_FRAME_META`. Pure: no I/O, the input is not changed.
    """
    return _output_frame(_screen_rows(tuple(df.columns), *_chunk(_table(df), 0, len(df))),
                         index=df.index)


# -- tables on disk ----------------------------------------------------------------------------


def _table_format(path: Path) -> str:
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"{path}: unknown table format {path.suffix or '(no extension)'!r}; "
            f"use {', '.join(TABLE_FORMATS)}"
        )
    return fmt


def _flatten(record: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """A JSON object as dotted columns, and the problems of this row: a key given twice (as a
    dotted key and inside an object), an object where one answer goes."""
    flat: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            if name in _BY_NAME or name == ID_COLUMN:
                expected = _BY_NAME[name].expected if name in _BY_NAME else "a value"
                problems.append(f"{name}: expected {expected}; got an object {shorten(value)}")
                flat[name] = value  # kept, unreadable: a bad cell (a safety one is not asked)
                continue
            inner, inner_problems = _flatten(value, f"{name}.")
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


def _jsonl_row(line: str, where: str) -> dict[str, Any]:
    """One JSONL line as a row of dotted columns; a line that cannot be used becomes a row that
    carries its reason in `READ_ERROR_COLUMN` (and keeps its place)."""
    try:
        record = load_json(line, where)
    except InputError as exc:
        return {READ_ERROR_COLUMN: str(exc)}
    if not isinstance(record, dict):
        return {READ_ERROR_COLUMN: f"{where}: expected a JSON object; got {shorten(record)}"}
    if "resourceType" in record:  # a FHIR QuestionnaireResponse (NDJSON): read via the Intake
        from hipscreen.fhir import response_row

        return response_row(record, where)
    flat, problems = _flatten(record)
    if record.get("safety") == {}:  # asked, nothing ticked: every question no (never "not asked")
        for column in COLUMNS:
            if column.path[0] == "safety":
                flat.setdefault(column.name, column.default)
    if problems:  # the other keys stay, read only for the red flags they raise
        return {**flat, READ_ERROR_COLUMN: ERROR_SEPARATOR.join(problems)}
    return flat


def _read_jsonl(path: Path) -> pd.DataFrame:
    import pandas as pd

    text = decode(path.read_bytes(), str(path))  # a byte-order mark is allowed, as in CSV
    rows = [_jsonl_row(line, f"line {lineno}")
            for lineno, line in enumerate(text.splitlines(), start=1) if line.strip()]
    # object dtype keeps JSON's own types: 1 stays an integer (a yes), 1.0 a float (refused)
    return pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a table of intakes by extension (.csv, .jsonl, .parquet).

    CSV cells are read as text with no NA guessing, so validation is ours; JSONL keeps JSON's
    own types and flattens nested objects to dotted columns; Parquet keeps its column types.
    Raises `BatchInputError` (naming the path) when the file cannot be read.
    """
    import pandas as pd

    path = Path(path)
    fmt = _table_format(path)
    if not path.is_file():
        raise BatchInputError(f"{path}: no such file")
    try:
        if fmt == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if fmt == "jsonl":
            return _read_jsonl(path)
        return pd.read_parquet(path)
    except BatchInputError:
        raise
    except InputError as exc:
        raise BatchInputError(str(exc)) from None
    except pd.errors.EmptyDataError as exc:
        raise BatchInputError(f"{path}: empty file, expected a header line") from exc
    except Exception as exc:  # parser, decoding, Arrow and OS errors alike
        raise BatchInputError(f"{path}: cannot read as {fmt}: {exc}") from exc


def _defuse_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @ ...) get a leading
    apostrophe, so an id such as =HYPERLINK(...) is shown, never run (CSV injection)."""
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return out


def _check_writable(path: Path, inputs: Sequence[str | os.PathLike[str] | None] = ()) -> None:
    """Fail now, not after every row was screened, when the output must not be written (it is an
    input, a symlink or a folder) or cannot be (its folder is missing or read-only). Creates
    nothing."""
    from hipscreen.outfile import OutputPathError, check_output

    try:
        check_output(path, inputs)
    except OutputPathError as exc:
        raise BatchInputError(str(exc)) from None
    folder = path.parent
    if not folder.is_dir():
        raise BatchInputError(f"{path}: cannot write the output (no folder {folder})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BatchInputError(f"{path}: cannot write the output (permission denied)")


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], *,
                inputs: Sequence[str | os.PathLike[str] | None] = (), private: bool = True) -> None:
    """Write a frame by extension (.csv, .jsonl, .parquet), without the index, atomically
    (`hipscreen.outfile`): a temporary file in the same folder renamed into place, never onto one
    of `inputs` or through a symlink, owner-only (0600) unless `private` is False."""
    from hipscreen.outfile import OutputPathError, atomic_path

    path = Path(path)
    fmt = _table_format(path)
    try:
        with atomic_path(path, inputs=inputs, private=private) as temp:
            if fmt == "csv":
                _defuse_formulas(df).to_csv(temp, index=False)
            elif fmt == "jsonl":
                df.to_json(temp, orient="records", lines=True, force_ascii=False)
            else:
                df.to_parquet(temp, index=False)
    except OutputPathError as exc:
        raise BatchInputError(str(exc)) from None
    except OSError as exc:
        raise BatchInputError(f"{path}: cannot write: {exc}") from exc


# -- the batch command -------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    rows: int
    screened: int
    errors: int
    by_triage: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors_by_triage: dict[str, int] = field(default_factory=dict)
    """Rows with an error whose readable answers still raise a red flag, by that triage."""

    @property
    def exit_code(self) -> int:
        """0 when every row was screened, 1 when some rows had errors."""
        return 1 if self.errors else 0


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress_bar(total: int, show: bool) -> Any:
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="intake", file=sys.stderr, desc="screening")


WORKER_MODULES = ("hipscreen.batch", "hipscreen.screening")
"""What each worker process runs; the fork server imports it once, before it forks a worker."""


def _pool_context() -> multiprocessing.context.BaseContext:
    """The fork server where there is one (fork is unsafe once Arrow or other libraries have
    started threads; the fork server forks from a clean process of its own), else spawn. The
    fork server imports `WORKER_MODULES` once, so a worker starts with the rule engine loaded
    and without pandas; started early, it does that while this process reads the table."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    from multiprocessing import forkserver

    preload = list(getattr(forkserver._forkserver, "_preload_modules", ["__main__"]))
    if not set(WORKER_MODULES) <= set(preload):  # once the server runs, this is too late: harmless
        context.set_forkserver_preload([*preload, *(m for m in WORKER_MODULES if m not in preload)])
    forkserver.ensure_running()
    return context


def _chunk_size(rows: int, jobs: int) -> int:
    """About 8 chunks per worker, at most 250 rows: a chunk costs well under a millisecond to
    send, and small ones leave little work to one worker at the end while the others wait."""
    return max(1, min(250, math.ceil(rows / (jobs * 8))))


def _screen_table(table: _Table, bounds: list[tuple[int, int]], jobs: int,
                  context: multiprocessing.context.BaseContext | None, bar: Any) -> list[tuple[Any, ...]]:
    """The output rows of every chunk of a table, in order: in this process, or on `jobs`
    worker processes."""
    results: list[list[tuple[Any, ...]]] = [[] for _ in bounds]
    if jobs == 1 or len(bounds) <= 1:
        for i, (start, end) in enumerate(bounds):
            results[i] = _screen_rows(table.labels, *_chunk(table, start, end))
            bar.update(end - start)
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(bounds)), mp_context=context) as pool:
            # a few chunks per worker in flight: the workers never wait, and the rows of a chunk
            # are made (and held) only shortly before it is screened
            waiting = iter(enumerate(bounds))
            running: dict[Any, int] = {}

            def send(count: int) -> None:
                for i, (start, end) in itertools.islice(waiting, count):
                    running[pool.submit(_screen_rows, table.labels, *_chunk(table, start, end))] = i

            send(3 * jobs)
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    i = running.pop(future)
                    results[i] = future.result()
                    bar.update(bounds[i][1] - bounds[i][0])
                send(len(done))
    return [row for chunk in results for row in chunk]


def screen_file(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    jobs: int | None = None,
    progress: bool = True,
    chunk_size: int | None = None,
) -> BatchSummary:
    """Screen every intake of `in_path` and write one row per intake to `out_path`.

    The rows are screened in chunks on `jobs` worker processes (default: one per CPU;
    ``jobs=1`` screens in this process) and written in input order. A tqdm progress bar is
    shown on stderr when `progress` is set and stderr is a terminal. Raises `BatchInputError`
    when the input cannot be read or the output path cannot be used.
    """
    started = time.perf_counter()
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise BatchInputError(f"jobs must be at least 1, got {jobs}")
    _table_format(Path(out_path))  # a bad output path fails before any work
    if _table_format(Path(in_path)) and not Path(in_path).is_file():
        raise BatchInputError(f"{Path(in_path)}: no such file")
    _check_writable(Path(out_path), [in_path])  # never onto its own input, never via a symlink
    context = _pool_context() if jobs > 1 else None  # the workers' imports run while we read
    df = read_table(in_path)
    table, index = _table(df), df.index
    del df
    size = chunk_size or _chunk_size(len(index), jobs)
    bounds = [(start, min(start + size, len(index))) for start in range(0, len(index), size)]
    with _progress_bar(len(index), progress and sys.stderr.isatty()) as bar:
        out_rows = _screen_table(table, bounds, jobs, context, bar)
    del table  # the input's memory is free for the output's
    write_table(_output_frame(out_rows, index=index), out_path, inputs=[in_path])
    errors = sum(1 for row in out_rows if row[_ERROR_AT])
    counts = Counter(row[_TRIAGE_AT] for row in out_rows if not row[_ERROR_AT])
    flagged = Counter(row[_TRIAGE_AT] for row in out_rows if row[_ERROR_AT] and row[_TRIAGE_AT])
    return BatchSummary(
        rows=len(out_rows),
        screened=len(out_rows) - errors,
        errors=errors,
        by_triage={level: counts.get(level, 0) for level in TRIAGE_ORDER},
        seconds=time.perf_counter() - started,
        errors_by_triage={level: flagged[level] for level in TRIAGE_ORDER if flagged[level]},
    )


# -- template ----------------------------------------------------------------------------------


def template_frame() -> pd.DataFrame:
    """The batch template: every column, and one line with each column's allowed values."""
    import pandas as pd

    hints = {ID_COLUMN: "optional row id (empty = row number)"}
    hints.update({column.name: column.allowed for column in COLUMNS})
    return pd.DataFrame([hints], columns=[ID_COLUMN, *COLUMN_NAMES])


def write_template(path: str | os.PathLike[str]) -> None:
    """Write `template_frame` (by extension; .csv is the one meant for spreadsheets). It holds
    no one's data: created with the usual permissions."""
    write_table(template_frame(), path, private=False)
