"""The output formats of one screening, in one registry: `hipscreen screen --format NAME` takes
its choices and its renderer from `RENDERERS`, and a download names its file and media type from
the same entry.

Each renderer imports what it needs when it runs (typst for the PDF, graphviz for the SVG,
fhir.resources for FHIR), so importing this module costs nothing. A table of many screenings
(`hipscreen batch`) has its own formats, by extension: `hipscreen.tables.TABLE_FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hipscreen.result import Result

__all__ = ["RENDERERS", "Renderer", "render"]


@dataclass(frozen=True)
class Renderer:
    """One output format of a screening."""

    name: str
    function: Callable[..., str | bytes]
    """(result, **options) -> the output: text, or bytes when `binary`. Options a format does
    not use are ignored: report (pdf), release and person (fhir), record_id (json)."""
    media_type: str
    extension: str
    binary: bool = False
    """Bytes for a file (never printed to a terminal)."""

    def __call__(self, result: Result, **options: Any) -> str | bytes:
        return self.function(result, **options)

    def file_name(self, stem: str = "hipscreen-result") -> str:
        return f"{stem}{self.extension}"


def _text(result: Result, **_options: Any) -> str:
    from hipscreen.render import to_text

    return to_text(result)


def _markdown(result: Result, **_options: Any) -> str:
    from hipscreen.render import to_markdown

    return to_markdown(result)


def _json(result: Result, *, record_id: int | str | None = None, **_options: Any) -> str:
    text = result.model_dump_json(indent=2)
    if record_id is not None:  # the saved record's id leads the result
        text = json.dumps({"record_id": record_id, **json.loads(text)}, indent=2)
    return text


def _svg(result: Result, **_options: Any) -> str:
    from hipscreen.picture import reasoning_svg

    return reasoning_svg(result)


def _fhir(result: Result, *, release: str = "R4B", person: str | None = None,
          **_options: Any) -> str:
    from hipscreen.fhir.bundle import bundle_json

    return bundle_json(result, release=release, person=person)


def _pdf(result: Result, *, report: str = "clinician", **_options: Any) -> bytes:
    from hipscreen.pdf import report_pdf

    return report_pdf(result, report)


RENDERERS: dict[str, Renderer] = {r.name: r for r in (
    Renderer("text", _text, "text/plain; charset=utf-8", ".txt"),
    Renderer("json", _json, "application/json", ".json"),
    Renderer("markdown", _markdown, "text/markdown; charset=utf-8", ".md"),
    Renderer("pdf", _pdf, "application/pdf", ".pdf", binary=True),
    Renderer("svg", _svg, "image/svg+xml", ".svg"),
    Renderer("fhir", _fhir, "application/fhir+json", ".fhir.json"),
)}
"""Format name -> renderer, in the order `hipscreen screen --format` lists them."""


def render(result: Result, format: str, **options: Any) -> str | bytes:
    """`result` in the format named `format` (a key of `RENDERERS`)."""
    try:
        renderer = RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(RENDERERS)}") from None
    return renderer(result, **options)
