"""The words a person or a clinician reads, in their language: gettext catalogues read with Babel.

English is the source language: a message id is the English text itself, so English needs no
catalogue and a missing translation can only fall back to English, never to an id. The other
languages live in `hipscreen/locale/<lang>/LC_MESSAGES/<domain>.po`, one file per domain:

- `knowledge`: the texts of `knowledge/data/*.yaml` (labels, actions, steps, cues...);
- `hipscreen`: sentences written in `src/hipscreen` (words, render, pdf, cli, screening);
- `followup`: the check-in review (`review*.py`) and the FHIR forms (`hipscreen/fhir`);
- `app`: what the Streamlit pages write.

A message may carry a context (gettext's msgctxt): `"clinician"` for the clinician's wording of
something the person reads in other words. Nothing here guesses a language from the machine:
the language is set by the caller (`--lang`, the app's `?lang=`) for the current thread or task,
and is English otherwise.

    with use_language("es"):
        print(_("What to do now"))            # "Qué hacer ahora"
        print(_("You are {age}", age=44))     # placeholders are named and filled after lookup
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Babel is imported when a language other than English is first read
    from babel import support
    from babel.messages.catalog import Catalog

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
"""Each language hipscreen speaks, by its code, named in its own language."""

SOURCE_LANGUAGE = "en"
DOMAINS = ("knowledge", "hipscreen", "followup", "app")
KEYWORDS: dict[str, object] = {"_": None, "N_": None, "translate": None, "ngettext": (1, 2)}
"""The calls whose first string argument(s) Babel extracts as message ids (`hipscreen.messages`):
`_`, `translate` and `N_` (a text marked where it is written and translated where it is read),
`ngettext` (singular, plural)."""

_language: ContextVar[str] = ContextVar("hipscreen_language", default=SOURCE_LANGUAGE)


class LanguageError(ValueError):
    """A language hipscreen does not speak."""


def check_language(lang: str) -> str:
    """The language code, or a clear error naming the ones there are."""
    if lang not in LANGUAGES:
        known = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise LanguageError(f"unknown language {lang!r}: expected one of {known}")
    return lang


def current_language() -> str:
    return _language.get()


def set_language(lang: str) -> None:
    """Use `lang` from here on in this thread or task (the app sets it at the top of each run)."""
    _language.set(check_language(lang))


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Use `lang` inside the block, then the language before it."""
    token = _language.set(check_language(lang))
    try:
        yield lang
    finally:
        _language.reset(token)


def catalogue_path(lang: str, domain: str):
    return resources.files("hipscreen") / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def read_catalogue(lang: str, domain: str) -> Catalog | None:
    """One domain's catalogue for one language, or None when there is none."""
    from babel.messages.pofile import read_po

    path = catalogue_path(lang, domain)
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


@cache
def translations(lang: str) -> support.Translations | support.NullTranslations:
    """Every domain of `lang` as one gettext translation (Babel compiles each .po in memory;
    fuzzy and empty entries are left out, so they read as English). A message id in more than
    one domain is read as the first of DOMAINS has it (knowledge, then hipscreen, ...)."""
    from babel import support
    from babel.messages.mofile import write_mo

    merged: support.Translations | None = None
    for domain in reversed(DOMAINS):  # a message in two domains reads as the earlier one has it
        cat = read_catalogue(lang, domain)
        if cat is None:
            continue
        buffer = io.BytesIO()
        write_mo(buffer, cat, use_fuzzy=False)
        buffer.seek(0)
        one = support.Translations(buffer, domain=domain)
        merged = one if merged is None else merged.merge(one)
    return merged if merged is not None else support.NullTranslations()


def translate(text: str, *, context: str | None = None, lang: str | None = None) -> str:
    """`text` (English) in the current language (or `lang`); English when there is no
    translation. A clinician-context message falls back to the plain one, then to English."""
    lang = lang or current_language()
    if lang == SOURCE_LANGUAGE or not text:
        return text
    table = translations(lang)
    if context is not None:
        out = table.pgettext(context, text)
        if out != text:
            return out
    return table.gettext(text)


def _(text: str, /, *, context: str | None = None, **values: object) -> str:
    """Translate `text`, then fill its `{named}` placeholders with `values`."""
    out = translate(text, context=context)
    return out.format(**values) if values else out


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural form for `n` in the current language, with `{n}` and `values`
    filled (the language's own plural rule, from its catalogue header)."""
    lang = current_language()
    if lang == SOURCE_LANGUAGE:
        out = singular if n == 1 else plural
    else:
        out = translations(lang).ngettext(singular, plural, n)
    return out.format(n=n, **values)


def N_(text: str, /) -> str:
    """Mark `text` as a message without translating it here (a table's words, a constant): it
    is translated where it is read, in the language of that moment (see `Words`)."""
    return text


class Words(Mapping[str, str]):
    """A table of words (id -> English text, each marked with `N_`) read in the current
    language: `LOCATION_LABELS["belly"]` is "Belly" in English and "Barriga" in Spanish, decided
    when it is read, never when the module was imported."""

    def __init__(self, table: Mapping, *, context: str | None = None) -> None:
        self._table = dict(table)
        self._context = context

    def __getitem__(self, key):
        return translate(self._table[key], context=self._context)

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key) -> bool:
        try:
            return key in self._table
        except TypeError:  # an unhashable key is in no table
            return False

    def source(self) -> dict:
        """The table in English (the message ids)."""
        return dict(self._table)

    def __repr__(self) -> str:
        return f"Words({self._table!r})"


def decimal(value: float, places: int = 2) -> str:
    """A number with `places` decimals as the current language writes it ("0.86", "0,86")."""
    if current_language() == SOURCE_LANGUAGE:
        return f"{value:.{places}f}"
    from babel.numbers import format_decimal

    return format_decimal(value, format="0." + "0" * places, locale=current_language())
