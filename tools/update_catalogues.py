"""Write the message templates and merge new message ids into each language's catalogues.

    uv run python tools/update_catalogues.py                    # every domain, every language
    uv run python tools/update_catalogues.py --domain knowledge --lang es
    uv run python tools/update_catalogues.py --lang fr          # start a new language

For each domain (knowledge, hipscreen, followup, app) it writes the template
`src/hipscreen/locale/templates/<domain>.pot` (every message id, extracted by
`hipscreen.messages`), then merges it into `src/hipscreen/locale/<lang>/LC_MESSAGES/<domain>.po`
with Babel's `Catalog.update`: new ids come in untranslated, ids no longer used become obsolete
(`#~`), translations already made stay. No fuzzy guesses are made (a guess would be shown as
if it were right; `hipscreen lint` refuses fuzzy entries anyway). A `#. no settled translation:
...` note on an entry is kept across updates.

To add a language: run it with `--lang <code>`, translate every empty msgstr, add the language to
`hipscreen.i18n.LANGUAGES`, and run `uv run hipscreen lint` until it passes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from hipscreen.i18n import DOMAINS, LANGUAGES, SOURCE_LANGUAGE
from hipscreen.messages import template

LOCALE = Path(__file__).resolve().parents[1] / "src" / "hipscreen" / "locale"
KEPT_NOTE = "no settled translation"

HEADER = {"es": "Plural-Forms: nplurals=2; plural=(n != 1);"}


def _with_contexts_of(pot: Catalog, cat: Catalog) -> Catalog:
    """The template with each message id the catalogue holds only under contexts (gettext's
    msgctxt, e.g. "clinician" or "decision": the extractor cannot see `_(..., context=...)`)
    listed under those contexts, so the merge keeps them instead of making them obsolete."""
    contexts: dict[str, set[str]] = {}
    plain: set[str] = set()
    for message in cat:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.context:
            contexts.setdefault(key, set()).add(message.context)
        else:
            plain.add(key)
    out = Catalog(project=pot.project, domain=pot.domain, fuzzy=False)
    for message in pot:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        for context in sorted(contexts.get(key, ())) or [None]:
            out.add(message.id, locations=message.locations, context=context)
        if key in contexts and key in plain:
            out.add(message.id, locations=message.locations)
    return out


def update(domain: str, lang: str, locale: Path = LOCALE) -> tuple[Path, int, int]:
    """Write `domain`'s template and merge it into `lang`'s catalogue; return the catalogue's
    path, its number of messages and how many of them have no translation yet."""
    pot = template(domain)
    templates = locale / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    with (templates / f"{domain}.pot").open("wb") as handle:
        write_po(handle, pot, width=100, sort_output=False)
    path = locale / lang / "LC_MESSAGES" / f"{domain}.po"
    if path.is_file():
        with path.open("rb") as handle:
            cat = read_po(handle, locale=lang, domain=domain)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        cat = Catalog(locale=lang, domain=domain, project="hipscreen", fuzzy=False)
    # a note may have been wrapped over several "#." lines: keep them all
    notes = {m.id: list(m.auto_comments) for m in cat
             if m.id and any(c.startswith(KEPT_NOTE) for c in m.auto_comments)}
    pot = _with_contexts_of(pot, cat)
    cat.update(pot, no_fuzzy_matching=True, update_header_comment=False)
    # An id the extractor no longer sees may still be read: code translates some texts held in
    # variables (translate(label)). Keep every translation; a maintainer removes one by hand.
    for message in list(cat.obsolete.values()):
        cat.add(message.id, message.string, auto_comments=message.auto_comments,
                user_comments=message.user_comments, flags=message.flags,
                context=message.context)
    cat.obsolete.clear()
    for message in cat:
        kept = notes.get(message.id) or []
        message.auto_comments = list(dict.fromkeys([*message.auto_comments, *kept]))
    with path.open("wb") as handle:
        write_po(handle, cat, width=100, sort_output=False, include_previous=False)
    total = sum(1 for m in cat if m.id)
    missing = sum(1 for m in cat if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,)))
    return path, total, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", action="append", choices=DOMAINS,
                        help="a message domain (repeatable; default: all)")
    parser.add_argument("--lang", action="append",
                        help="a language code (repeatable; default: every language but English)")
    args = parser.parse_args(argv)
    langs = args.lang or [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
    if SOURCE_LANGUAGE in langs:
        parser.error(f"{SOURCE_LANGUAGE} is the source language: it has no catalogue")
    for domain in args.domain or DOMAINS:
        for lang in langs:
            path, total, missing = update(domain, lang)
            print(f"{path.relative_to(LOCALE.parent)}: {total} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
