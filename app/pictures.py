"""Pictures as images for a page: a knowledge-base picture's SVG, and the reasoning picture as an
<img> that fetches nothing."""

from __future__ import annotations

import base64
import functools
import html
import re
from importlib import resources
from pathlib import PurePosixPath

from hipscreen.app.reasoning import reasoning_words
from hipscreen.picture import PictureError, dot_to_svg, reasoning_dot
from hipscreen.result import Result


@functools.cache
def _shipped_picture(name: str) -> str | None:
    path = resources.files("hipscreen.knowledge") / "data" / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def picture_svg(name: str) -> str | None:
    """A picture of the knowledge base as SVG text ("pictures/hip_airplane.svg", relative to
    knowledge/data); None when there is no such file. Only .svg files inside the data folder."""
    rel = PurePosixPath(name)
    if rel.suffix != ".svg" or rel.is_absolute() or ".." in rel.parts:
        return None
    return _shipped_picture(str(rel))


@functools.lru_cache(maxsize=64)
def _reasoning_svg(dot: str) -> str | None:
    try:
        return dot_to_svg(dot)
    except PictureError:
        return None


def reasoning_picture_img(result: Result, *, alt: str, clinician: bool = False) -> str | None:
    """The reasoning picture as an <img> of its SVG (a data URI, so nothing is fetched), at its
    own size so its text stays readable (11 pt) however narrow the screen; None when it cannot
    be drawn. The page puts it in a box that scrolls sideways."""
    svg = _reasoning_svg(reasoning_words(reasoning_dot(result), clinician=clinician))
    if svg is None:
        return None
    size = re.search(r'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', svg)
    width = f"{float(size[1]) * 4 / 3:.0f}px" if size else "100%"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" '
            f'style="width:{width}; max-width:none; height:auto; display:block">')
