"""Which currencies the pages offer (issue 17): those the fund uses first, then every
current ISO 4217 currency, and no withdrawn one.

Babel's list_currencies() holds every code CLDR has ever named, the East German mark
(DDM) and the Deutsche Mark among them: right for reading old amounts (money.py keeps
it for precisions), wrong for a list to choose from. A currency is current when some
territory has it as legal tender today, by CLDR's territory currency data (with its
start and end dates), which is how Babel's get_territory_currencies() answers.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from . import clock
from .money import CURRENCIES, USD


@functools.lru_cache(maxsize=4)
def current_on(day: dt.date) -> frozenset[str]:
    """The ISO 4217 currencies that are legal tender in some territory on `day`."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=day, end_date=day, tender=True))
    return frozenset(code for code in codes if code in CURRENCIES)


def current() -> frozenset[str]:
    return current_on(clock.today())


def is_current(code: str) -> bool:
    return code in current()


def label(code: str) -> str:
    """"EUR — Euro", the name in the user's language."""
    locale = get_locale() or "en"
    try:
        return f"{code} — {get_currency_name(code, locale=locale)}"
    except (LookupError, ValueError):  # a locale without the currency's name
        return code


FUND_GROUP = _l("Currencies of the fund")
OTHER_GROUP = _l("Other current currencies")


def grouped_choices(fund: Iterable[str], *, include_usd: bool = True,
                    blank: str | None = "—") -> dict[str, list[tuple[str, str]]]:
    """The choices of a currency select, as groups (forms.GroupedSelect renders them):
    the fund's own currencies (`fund`: those of its commitments, pledges and rates,
    withdrawn ones included, since its records hold them), then every other current
    currency, each by code with its name. The group "" holds the blank choice."""
    own = sorted({code for code in fund if code in CURRENCIES and (include_usd or code != USD)})
    others = sorted(code for code in current() if code not in own and (include_usd or code != USD))
    groups: dict[str, list[tuple[str, str]]] = {}
    if blank is not None:
        groups[""] = [("", blank)]
    if own:
        groups[str(FUND_GROUP)] = [(code, label(code)) for code in own]
    groups[str(OTHER_GROUP) if own else str(_l("Current currencies"))] = [(code, label(code))
                                                                         for code in others]
    return groups


def offered(fund: Iterable[str], *, include_usd: bool = True) -> frozenset[str]:
    """The codes grouped_choices() offers."""
    fund = {code for code in fund if code in CURRENCIES}
    codes = fund | current()
    return frozenset(codes if include_usd else codes - {USD})
