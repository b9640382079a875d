"""Countries as the United Nations names them, in each of its six languages.

English: the UN's short names of data/countries.json (the Member States and the two
observer States). The other five: the UN's short names where they differ from the
Unicode CLDR names Babel ships (data/un_country_names.json, with its sources:
"État de Palestine", "Saint-Siège", "République-Unie de Tanzanie" where CLDR says
"Territoires palestiniens", "État de la Cité du Vatican", "Tanzanie"), else Babel's.
A territory that is neither a Member State nor an observer State has no UN country
name here (None): a time zone's place is then its city alone ("Taipei", "Hong Kong").
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from babel import Locale

DATA_DIR = Path(__file__).parent / "data"


@functools.cache
def _english() -> dict[str, str]:
    countries = json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))["countries"]
    return {country["code"]: country["name"] for country in countries}


@functools.cache
def _others() -> dict[str, dict[str, str]]:
    return json.loads((DATA_DIR / "un_country_names.json").read_text(encoding="utf-8"))["names"]


def un_name(code: str, locale: Locale) -> str | None:
    """The UN's short name of the country `code` in the locale's language, or None if
    it is neither a Member State nor an observer State."""
    english = _english().get(code)
    if english is None:
        return None
    if locale.language == "en":
        return english
    return _others().get(code, {}).get(locale.language) or locale.territories.get(code) or english
