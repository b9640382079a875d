"""The fund's own words in the reader's language: the texts an admin or SRSG staff
member enters per language (an objective's title, an event's name), English being
the fallback.

A record keeps its English text in its own column (`title`) and the other languages
in a JSON column beside it ({"fr": "...", "ar": "..."}); pick() gives the reader's:

- on a page, in the language of the page (Flask-Babel's locale: the user's choice);
- in a download from a page, the same: the whole workbook is written in its user's
  language (headers, labels, and these texts);
- where there is no reader (`flask export`, the demo data, a command), English.

An empty or missing translation falls back to English, so a page never shows an
empty title. Pools are labelled by their objective, so they follow.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from .language import locale as request_locale

ENGLISH = "en"
# The languages besides English, as the forms name them.
OTHER_LANGUAGES = {
    "fr": _l("French"),
    "es": _l("Spanish"),
    "ar": _l("Arabic"),
    "zh": _l("Chinese"),
    "ru": _l("Russian"),
}
ENGLISH_TITLE_HELP = _l("In English; shown wherever no title is given in the reader's language.")
TITLE_LABELS = {
    "fr": _l("Title in French"),
    "es": _l("Title in Spanish"),
    "ar": _l("Title in Arabic"),
    "zh": _l("Title in Chinese"),
    "ru": _l("Title in Russian"),
}


def reader_language() -> str:
    """The language of the page being written ("en" where there is no reader)."""
    try:
        locale = request_locale()
    except RuntimeError:  # outside any app context
        return ENGLISH
    return str(locale.language) if locale is not None else ENGLISH


def pick(english: str, translations: Mapping | None, language: str | None = None) -> str:
    """The text in `language` (the reader's), or the English one when it has none."""
    language = language or reader_language()
    if language != ENGLISH and translations:
        text = translations.get(language)
        if isinstance(text, str) and text.strip():
            return text
    return english


def cleaned(values: Mapping | None) -> dict[str, str]:
    """The translations worth keeping: known languages, trimmed, none empty."""
    kept = {}
    for language in OTHER_LANGUAGES:
        text = (values or {}).get(language)
        if isinstance(text, str) and text.strip():
            kept[language] = " ".join(text.split())
    return kept


def described(translations: Mapping | None) -> str:
    """The translations in one line, for the audit trail ("French: …; Arabic: …")."""
    kept = cleaned(translations)
    return "; ".join(f"{OTHER_LANGUAGES[language]}: {text}" for language, text in kept.items())


# --- The forms' fields --------------------------------------------------------------

def title_field(language: str, max_length: int) -> StringField:
    """An optional field for the title in `language` (named title_<language> in the
    form), written in its own direction (Arabic right to left)."""
    return StringField(TITLE_LABELS[language], validators=[Optional(), Length(max=max_length)],
                       render_kw={"lang": language, "dir": "auto"})


def title_fields_of(form) -> list:
    return [getattr(form, f"title_{language}") for language in OTHER_LANGUAGES]


def translations_from(form) -> dict[str, str]:
    """The titles the form's title_<language> fields hold."""
    return cleaned({language: getattr(form, f"title_{language}").data for language in OTHER_LANGUAGES})


def fill(form, translations: Mapping | None) -> None:
    """Put a record's translations into its edit form (on a GET)."""
    for language in OTHER_LANGUAGES:
        getattr(form, f"title_{language}").data = (translations or {}).get(language, "")


def sort_key(text: str) -> str:
    """A key that sorts names as people expect in every language: accents and case
    ignored ("Éthiopie" between "Érythrée"... and "Fidji", not after "Zimbabwe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
