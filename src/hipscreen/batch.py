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

This module runs the rows, in this process or on worker processes; the row conversion (cells
<-> Intake, a result as output cells) lives in `hipscreen.rows`, reading and writing the
tables in `hipscreen.tables`. Both are re-exported here.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import sys
import time
import typing
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipscreen.documents import clip
from hipscreen.knowledge.catalogue import TRIAGE_ORDER
from hipscreen.knowledge.intake import Intake
from hipscreen.rows import (
    COLUMN_BY_NAME,
    COLUMN_NAMES,
    COLUMNS,
    ERROR_SEPARATOR,
    ID_COLUMN,
    OUTPUT_COLUMNS,
    PLAIN_TYPES,
    READ_ERROR_COLUMN,
    SALVAGE_COLUMN,
    Column,
    Layout,
    RowError,
    clean_cell,
    format_result,
    intake_from_cells,
    intake_from_row,
    layout_of,
    plain_cell,
    red_flag_cell,
    result_cells,
    row_from_intake,
)
from hipscreen.tables import (
    TABLE_FORMATS,
    BatchInputError,
    check_writable,
    read_table,
    table_format,
    template_frame,
    write_table,
    write_template,
)

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
    "READ_ERROR_COLUMN",
    "SALVAGE_COLUMN",
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


# -- screening a frame -------------------------------------------------------------------------

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
            "red_flags": red_flag_cell(result)}


def _error_row(row_id: str, error: str, salvaged: Any = None) -> tuple[Any, ...]:
    """The output row of a row with an error: its salvaged triage, if any, beside the error."""
    if not isinstance(salvaged, dict):
        return (row_id, "", "", "", "", 0, error, "")
    return (row_id, str(salvaged.get("triage", "")), str(salvaged.get("action", "")), "", "", 0,
            error, str(salvaged.get("red_flags", "")))


def _answers_of_cells(layout: Layout, cells: Sequence[Any]) -> dict[str, Any] | None:
    """What the readable cells of a row give (None when none is readable), for the salvage."""
    try:
        intake_from_cells(layout, cells)
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
    cell = clean_cell(cell)
    if cell is None or isinstance(cell, list | dict):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell)


def _screen_cells(layout: Layout, cells: Sequence[Any], row_id: str) -> tuple[Any, ...]:
    """The output row of one input row; every problem stays in its row's error cell."""
    read_error = clean_cell(cells[layout.read_error_at]) if layout.read_error_at is not None else None
    if read_error is not None:
        answers = cells[layout.salvage_at] if layout.salvage_at is not None else None
        if not isinstance(answers, dict):  # the line's other cells, read as a row
            answers = _answers_of_cells(layout, cells)
        return _error_row(row_id, str(read_error), _salvage(answers))
    if layout.age_at is not None and cells[layout.age_at] == COLUMN_BY_NAME["age"].allowed:
        return _error_row(row_id, "the template's allowed-values line, not an intake: delete it")
    try:
        result = screen(intake_from_cells(layout, cells), trace=False)
        return (row_id, *result_cells(result), "", red_flag_cell(result))
    except RowError as exc:
        return _error_row(row_id, str(exc), _salvage(exc.answers))
    except Exception as exc:  # an engine failure must not sink the other rows
        return _error_row(row_id, f"screening failed: {type(exc).__name__}: {clip(str(exc))}")


def _screen_rows(labels: tuple[Any, ...], rows: Sequence[Sequence[Any]], ids: Sequence[str]
                 ) -> list[tuple[Any, ...]]:
    """Screen plain rows (the work of one chunk, in a worker process or this one)."""
    layout = layout_of(labels)
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
    """Rows start..end of a table as plain cells (see `plain_cell`), and their ids."""
    columns = []
    for array in table.arrays:
        values = array[start:end].tolist()  # a NumPy array gives Python scalars (NaN for a gap)
        if not set(map(type, values)) <= PLAIN_TYPES:
            values = [v if type(v) in PLAIN_TYPES else plain_cell(v) for v in values]
        columns.append(values)
    rows = list(zip(*columns, strict=True)) if columns else [()] * (end - start)
    at = layout_of(table.labels).id_at
    if at is not None:
        return rows, [_row_id(None, cells[at], True) for cells in rows]
    return rows, [str(index_value) for index_value in table.index[start:end].tolist()]


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
    table_format(Path(out_path))  # a bad output path fails before any work
    if table_format(Path(in_path)) and not Path(in_path).is_file():
        raise BatchInputError(f"{Path(in_path)}: no such file")
    check_writable(Path(out_path), [in_path])  # never onto its own input, never via a symlink
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
