"""A person's words as text, never markup.

Streamlit draws Markdown in st.markdown, st.write, captions, headers, alerts, expander and widget
labels. Anything a person typed (a label, a PSFS activity, a status note, initials, a case file's
title) or that quotes it (an error message) goes through `md` before it is put into one of those:
every ASCII punctuation character is backslash-escaped (CommonMark lets each of them be escaped,
and an escaped one is always a literal), so no image is fetched, no link, heading, list, emphasis,
code, maths, HTML, `:colour[...]` directive, `:material/...:` icon or `:emoji:` shortcode is
made; line breaks become spaces; and a WORD JOINER (U+2060, invisible) is put inside `://`,
`www.` and after `@`, which GFM would otherwise turn into a link after parsing. Where the text
stands on its own, st.text, st.code or a table cell (plain text) is used instead.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_WORD_JOINER = "\u2060"
# after escaping: "http\:\/\/", "www\.", "a\@b" -> GFM's autolink literals no longer match
_AUTOLINKS = re.compile(r"(?<=\\:)(?=\\/\\/)|(?i:(?<=www)(?=\\\.))|(?<=\\@)")


def md(text: object) -> str:
    """`text` as Markdown that Streamlit draws as exactly this text, on one line."""
    flat = " ".join(str(text).split())
    return _AUTOLINKS.sub(_WORD_JOINER, _PUNCTUATION.sub(r"\\\1", flat))


def quoted(text: object) -> str:
    """`md(text)` in single quotes, for a label inside a sentence: 'runner-17'."""
    return f"'{md(text)}'"
