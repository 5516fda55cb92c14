"""Table I/O for batch screening: a table of intakes read from, and output rows written to,
CSV, JSONL (NDJSON, FHIR QuestionnaireResponses included) or Parquet, by extension; and the
batch template.

pandas is imported where a table is read or written, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipscreen.documents import InputError, decode, load_json, shorten
from hipscreen.rows import (
    COLUMN_NAMES,
    COLUMNS,
    ERROR_SEPARATOR,
    ID_COLUMN,
    READ_ERROR_COLUMN,
    flatten_record,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_STARTS",
    "TABLE_FORMATS",
    "BatchInputError",
    "check_writable",
    "read_table",
    "table_format",
    "template_frame",
    "write_table",
    "write_template",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula
TABLE_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class BatchInputError(Exception):
    """The batch cannot run at all: the input cannot be read (missing file, unknown extension,
    unparseable content), the output path cannot be used (the message names the path), or the
    number of jobs is not a positive number."""


# -- tables on disk ----------------------------------------------------------------------------


def table_format(path: Path) -> str:
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"{path}: unknown table format {path.suffix or '(no extension)'!r}; "
            f"use {', '.join(TABLE_FORMATS)}"
        )
    return fmt


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
        from hipscreen.fhir.response import response_row

        return response_row(record, where)
    flat, problems = flatten_record(record)
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
    fmt = table_format(path)
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


def check_writable(path: Path, inputs: Sequence[str | os.PathLike[str] | None] = ()) -> None:
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
    fmt = table_format(path)
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
