"""The house rules a reader cannot see at a glance, checked: every form derives from
the application's base forms (so no form skips the plain-text check), and no test
module imports another (shared builders live in tests/factories/, page readers in
tests/pages.py). The import contracts (.importlinter) and ruff run in `make test`."""
from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import wtforms

import trustfund
from trustfund.forms import BaseForm, SubForm

TESTS = Path(__file__).resolve().parents[1]


def _all_modules():
    for info in pkgutil.walk_packages(trustfund.__path__, "trustfund."):
        yield importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def forms_outside_the_base(package: str = "trustfund") -> list[str]:
    """Every form class of `package` that derives from neither BaseForm nor SubForm."""
    return sorted(f"{form.__module__}.{form.__qualname__}"
                  for form in set(_subclasses(wtforms.form.BaseForm))
                  if form.__module__.startswith(package + ".") and form.__module__ != "trustfund.forms"
                  and not issubclass(form, BaseForm | SubForm))


def test_every_form_derives_from_the_base_form():
    list(_all_modules())
    assert forms_outside_the_base() == []


def test_a_form_that_skips_the_base_form_is_found():
    from flask_wtf import FlaskForm
    from wtforms import StringField

    # In a package of their own, so that the test above never sees them.
    type("Rogue", (FlaskForm,), {"name": StringField(), "__module__": "rogue.forms"})
    type("RoguePart", (wtforms.Form,), {"__module__": "rogue.forms"})
    type("Good", (BaseForm,), {"__module__": "rogue.forms"})
    assert forms_outside_the_base("rogue") == ["rogue.forms.Rogue", "rogue.forms.RoguePart"]


def test_the_base_form_refuses_control_characters_in_a_sub_form(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import FieldList, FormField, StringField

    class Part(SubForm):
        text = StringField()

    class Whole(BaseForm):
        class Meta:
            csrf = False

        parts = FieldList(FormField(Part), min_entries=1)

    form = Whole(MultiDict({"parts-0-text": "a\x00b"}))
    assert not form.validate()
    assert "invisible control characters" in form.parts[0].text.errors[0]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for name in _imported_modules(path):
            last = name.rsplit(".", 1)[-1]
            if name.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                offenders.append(f"{path.relative_to(TESTS.parent)} imports {name}")
    assert offenders == []


def test_every_top_level_module_has_its_place_in_the_contracts():
    """A new module of trustfund/ is either a feature in the layers or part of the
    core that imports no feature: .importlinter says which, so none escapes it."""
    import configparser

    config = configparser.ConfigParser()
    config.read(TESTS.parent / ".importlinter")
    layers = {name.strip() for line in config["importlinter:contract:features"]["layers"].split("\n")
              for name in line.split("|") if name.strip()}
    core = {line.strip().removeprefix("trustfund.")
            for line in config["importlinter:contract:core"]["source_modules"].split("\n") if line.strip()}
    top = {info.name for info in pkgutil.iter_modules(trustfund.__path__)}
    assert top - layers - core == set()
    assert (layers | core) - top == set()


def test_the_language_changes_mid_request_only_through_language_speaking():
    """trustfund.language keeps the request's locale and catalog; Flask-Babel's
    force_locale or refresh anywhere else would leave them stale (a message in its
    recipient's language formatted in the reader's)."""
    offenders = []
    for path in sorted([*(TESTS.parent / "trustfund").rglob("*.py"), *TESTS.rglob("*.py")]):
        if path == TESTS.parent / "trustfund" / "language.py" or path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        app_code = TESTS not in path.parents
        if "force_locale" in text or app_code and ("import refresh" in text or "babel.refresh" in text):
            offenders.append(str(path.relative_to(TESTS.parent)))
    assert offenders == []


def _money_contracts() -> dict[str, set[str]]:
    """{protected module: its allowed importers} of the contracts that keep what moves
    money on one person's word to its two-person confirmations (.importlinter)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(TESTS.parent / ".importlinter")
    contracts = {}
    for section in config.sections():
        if section.startswith("importlinter:contract:") and section.endswith("-confirmed"):
            allowed = {line.strip() for line in config[section]["allowed_importers"].split("\n")
                       if line.strip()}
            for module in config[section]["protected_modules"].split("\n"):
                if module.strip():
                    contracts[module.strip()] = allowed
    return contracts


def money_movers_held_elsewhere() -> list[str]:
    """Every module attribute, outside the protected module, that is one of its money
    movers (its __all__) or the module itself: a way to reach it that import-linter,
    which sees modules, not names, would let pass (`from .rate_changes import
    set_rate`). The package holding a module as its submodule is not one: importing
    it from there is an import of the module, which the contract refuses."""
    modules = list(_all_modules())
    found = []
    for name in _money_contracts():
        protected = importlib.import_module(name)
        movers = {id(getattr(protected, mover)) for mover in protected.__all__}
        parent, _, leaf = name.rpartition(".")
        for module in modules:
            if module is protected:
                continue
            for attribute, value in vars(module).items():
                if module.__name__ == parent and attribute == leaf:
                    continue
                if id(value) in movers or value is protected:
                    found.append(f"{module.__name__}.{attribute}")
    return sorted(found)


def test_what_moves_money_on_one_word_is_reached_only_through_its_confirmation():
    """The money-moves contracts name five modules (a deposit's reversal, interest,
    transfers and rates; the fund's own entries; settings; closing decisions;
    write-offs); each
    lists what in it moves money, and no other module holds any of it: the allowed
    modules import it inside their confirming function."""
    assert set(_money_contracts()) == {"trustfund.contributions.confirmed",
                                       "trustfund.contributions.fund_entries",
                                       "trustfund.admin.confirmed_settings",
                                       "trustfund.closure.closing_decisions",
                                       "trustfund.closure.confirmed_write_offs"}
    for name in _money_contracts():
        protected = importlib.import_module(name)
        assert protected.__all__ and all(callable(getattr(protected, mover)) for mover in protected.__all__)
    assert money_movers_held_elsewhere() == []


def test_a_money_mover_held_by_another_module_is_found(monkeypatch):
    from trustfund.contributions import confirmed, rate_changes, transfer_changes

    monkeypatch.setattr(rate_changes, "set_rate", confirmed.set_rate, raising=False)
    monkeypatch.setattr(transfer_changes, "confirmed", confirmed, raising=False)
    assert money_movers_held_elsewhere() == ["trustfund.contributions.rate_changes.set_rate",
                                             "trustfund.contributions.transfer_changes.confirmed"]
