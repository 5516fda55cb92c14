"""A person's words are text, never markup or terminal commands (issue 18, item 3).

* At input, `check_plain` refuses what no one types on purpose and what can hide or reorder text
  or drive a terminal: control characters (C0, DEL and C1: NUL, ESC, ...; a note may keep its
  line breaks and tabs), format characters (Unicode category Cf: the bidi embeddings, overrides
  and isolates U+202A-U+202E and U+2066-U+2069, zero-width characters, the BOM, ...), line and
  paragraph separators (U+2028, U+2029) and lone surrogates. The message names the field and
  the character, never the character itself.
* At output, `visible` shows any such character that is already stored (written by an older
  version) as an escape (``\\x1b``, ``\\u202e``), so a terminal never receives it raw, and
  `markdown_text` escapes a person's words for a Markdown note: every ASCII punctuation
  character is backslash-escaped (CommonMark makes each escaped one a literal), so no image is
  fetched and no link, HTML, emphasis, heading or directive is made; a WORD JOINER (U+2060) is
  put inside ``://``, ``www.`` and after ``@``, which GFM would otherwise turn into a link.

Light on purpose: the CLI checks its options with it before anything else is imported.
"""

from __future__ import annotations

import re
import string
import unicodedata

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_CHARS = frozenset("\n\t")  # kept in a note that may have lines (a status note, a reason)


def _hidden(char: str, *, lines: bool) -> bool:
    if lines and char in _LINE_CHARS:
        return False
    return unicodedata.category(char) in _REFUSED_CATEGORIES


def _name(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if not name:
        name = {"\x00": "NUL", "\x1b": "ESC", "\t": "TAB", "\n": "LINE FEED",
                "\r": "CARRIAGE RETURN", "\x7f": "DELETE"}.get(char, "a control character")
    return f"{code} ({name})"


def hidden_characters(text: str, *, lines: bool = False) -> list[str]:
    """The characters of `text` that `check_plain` refuses, each once, in order."""
    return list(dict.fromkeys(c for c in text if _hidden(c, lines=lines)))


def check_plain(text: str, field: str, *, lines: bool = False) -> str:
    """`text` unchanged when it holds no control, format (bidi, zero-width) or separator
    character (with `lines`, line breaks and tabs are allowed); else ValueError naming `field`
    and the characters."""
    found = hidden_characters(text, lines=lines)
    if found:
        shown = ", ".join(_name(c) for c in found[:3]) + (" ..." if len(found) > 3 else "")
        allowed = "line breaks and tabs are allowed" if lines else "one line of plain text"
        raise ValueError(f"{field}: contains {shown}: control, format (bidi, zero-width) and "
                         f"separator characters are not accepted ({allowed})")
    return text


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, lines: bool = True) -> str:
    """`text` for a terminal: every control, format or separator character written as an escape
    (``\\x1b``); line breaks and tabs kept when `lines` (else escaped too)."""
    return "".join(_escape(c) if _hidden(c, lines=lines) else c for c in str(text))


_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_WORD_JOINER = "\u2060"
# after escaping: "http\:\/\/", "www\.", "a\@b" -> GFM's autolink literals no longer match
_AUTOLINKS = re.compile(r"(?<=\\:)(?=\\/\\/)|(?i:(?<=www)(?=\\\.))|(?<=\\@)")


def markdown_text(text: object) -> str:
    """A person's words for a Markdown note: drawn as exactly these words, on one line, never
    as markup (see the module docstring). Hidden characters are shown as escapes."""
    flat = " ".join(visible(text, lines=False).split())
    return _AUTOLINKS.sub(_WORD_JOINER, _PUNCTUATION.sub(r"\\\1", flat))
