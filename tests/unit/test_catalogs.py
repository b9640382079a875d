"""Every message in the code and templates has a non-empty translation in each of
the five catalogs, with the same placeholders as its source; every count goes
through ngettext with all the plural forms of the language (Arabic 6, Russian 3);
the glossary's terms are translated with the glossary's words."""
import csv
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fr", "es", "ar", "zh", "ru"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
            "lazy_pgettext": ((1, "c"), 2)}
GLOSSARY = ROOT / "trustfund" / "translations" / "glossary.csv"
METHOD_MAP = [("trustfund/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
# The names a number of things takes in a message: such a message is plural-aware
# (ngettext), or «1 jours», «7 يوما» follow. Ordinals take other names (row, number,
# n for the position of an instalment).
COUNT_PLACEHOLDERS = {"num", "count", "days"}


def source_messages() -> set[str]:
    messages = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {}}):
        if isinstance(message, tuple | list):
            # A plural message: the catalog keys it by its singular; keep both
            # forms to compare placeholders.
            messages.add(Plural(tuple(m for m in message if m), context))
        elif message:
            messages.add(Contextual(message, context) if context else message)
    return messages


class Plural(tuple):
    """The singular and plural of an ngettext/npgettext message, with its context."""

    def __new__(cls, forms: tuple, context: str | None):
        plural = super().__new__(cls, forms)
        plural.context = context
        return plural

    def __eq__(self, other):
        return tuple.__eq__(self, other) and getattr(other, "context", None) == self.context

    def __hash__(self):
        return hash((tuple(self), self.context))


class Contextual(str):
    """A message with its pgettext context: the catalog keys it by both."""

    def __new__(cls, message: str, context: str):
        text = super().__new__(cls, message)
        text.context = context
        return text

    def __eq__(self, other):
        return str.__eq__(self, other) and getattr(other, "context", None) == self.context

    def __hash__(self):
        return hash((str(self), self.context))


@pytest.fixture(scope="module")
def messages():
    found = source_messages()
    assert len(found) > 50
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_with_matching_placeholders(messages, lang):
    path = ROOT / "trustfund" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalog for {lang}"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing, empty, fuzzy, mismatched, forms = [], [], [], [], []
    for message in sorted(messages, key=str):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(str(msgid), context=getattr(message, "context", None))
        if entry is None:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple | list) else [entry.string]
        if isinstance(message, tuple) and len(strings) != catalog.num_plurals:
            forms.append((msgid, len(strings)))
        if not all(s and s.strip() for s in strings):
            empty.append(msgid)
            continue
        if entry.fuzzy:
            fuzzy.append(msgid)
        source_ph = sorted(PLACEHOLDER.findall(message[-1] if isinstance(message, tuple) else msgid))
        for s in strings:
            if sorted(PLACEHOLDER.findall(s)) != source_ph:
                mismatched.append((msgid, s))
    assert not missing, f"{lang}: {len(missing)} messages missing, e.g. {missing[:5]}"
    assert not empty, f"{lang}: {len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not mismatched, f"{lang}: placeholders differ: {mismatched[:5]}"
    assert not forms, f"{lang}: plural messages without the {catalog.num_plurals} forms: {forms[:5]}"


def test_every_count_goes_through_ngettext(messages):
    singular_only = sorted(str(m) for m in messages if not isinstance(m, tuple)
                           and COUNT_PLACEHOLDERS & set(PLACEHOLDER.findall(m)))
    assert not singular_only, ("a count in a message without plural forms: use ngettext with the "
                               f"raw integer: {singular_only[:5]}")


def glossary() -> list[dict[str, str]]:
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_glossary_names_messages_of_the_app_in_six_languages(messages):
    rows = glossary()
    assert len(rows) >= 20
    assert list(rows[0]) == ["en", "context", *LANGUAGES]
    blank = [row["en"] for row in rows if not all(row[lang].strip() for lang in LANGUAGES)]
    assert not blank, f"glossary terms without a word in every language: {blank}"
    stale = [(row["en"], row["context"]) for row in rows
             if (Contextual(row["en"], row["context"]) if row["context"] else row["en"]) not in messages]
    assert not stale, f"glossary terms that are no message of the app (msgid, msgctxt): {stale}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_terms_are_translated_with_the_glossary_words(lang):
    path = ROOT / "trustfund" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    wrong = []
    for row in glossary():
        entry = catalog.get(row["en"], context=row["context"] or None)
        found = entry.string if entry is not None else None
        if found != row[lang]:
            wrong.append((row["en"], row["context"], found, row[lang]))
    assert not wrong, f"{lang}: not the glossary's word (msgid, msgctxt, now, glossary): {wrong}"


def test_un_terminology_for_least_developed_countries():
    expected = {"fr": "pays les moins avancés", "es": "países menos adelantados",
                "ar": "أقل البلدان نموا", "zh": "最不发达国家", "ru": "наименее развитые страны"}
    for lang, term in expected.items():
        path = ROOT / "trustfund" / "translations" / lang / "LC_MESSAGES" / "messages.po"
        text = path.read_text(encoding="utf-8").lower()
        assert term.lower() in text.replace("نمواً", "نموا"), (lang, term)


def test_french_punctuation_holds_to_its_word():
    """French sets a space before « : ; ! ? % » and inside guillemets: a no-break one, or
    a line may begin with a colon or a lone guillemet (« Solde » split after «). No
    translation has a plain space there."""
    with open(ROOT / "trustfund/translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po, locale="fr")
    loose = re.compile(r" [:;!?]|« | »|\d %(?![(sdif])")  # "1 %": a percent sign, not a placeholder
    found = [m.id for m in catalog if m.id
             for text in (m.string if isinstance(m.string, tuple) else (m.string,))
             if text and loose.search(text)]
    assert found == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_compiled_catalog_is_its_po_compiled(lang):
    """A package built from the repository (`pip install .`, the README's production
    steps) ships the .mo files as committed: one missing or older than its .po serves
    the pages in English, or in yesterday's words. (Found by a colleague's review: the
    .mo files were build output of `make`, and a production install spoke English only.)
    `make translations` compiles them; commit them with the .po."""
    import io

    from babel.messages.mofile import write_mo

    po = ROOT / f"trustfund/translations/{lang}/LC_MESSAGES/messages.po"
    with open(po, "rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=True)  # as `pybabel compile -f` writes it
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make translations and commit it"
    assert mo.read_bytes() == compiled.getvalue(), f"{mo} is not {po.name} compiled: run make translations"
