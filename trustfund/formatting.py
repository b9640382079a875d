"""Locale-aware formatting of money, numbers and dates (Babel, via Flask-Babel)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_currency as babel_format_currency
from babel.numbers import get_currency_name
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from .money import precision


def money(amount: Decimal | None, currency: str = "USD") -> str:
    """EUR 1,234,567.89 as the user's locale writes it, with the currency's decimals."""
    if amount is None:
        return ""
    locale = get_locale() or "en"
    return babel_format_currency(Decimal(amount), currency, locale=locale,
                                 currency_digits=True, format_type="standard")


def amount(value: Decimal | None, currency: str = "USD") -> str:
    """A number with the currency's decimals, no symbol (for table columns)."""
    if value is None:
        return ""
    places = precision(currency)
    fmt = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(value), format=fmt)


def number(value) -> str:
    return "" if value is None else format_decimal(value)


def date(value: dt.date | None, style: str = "medium") -> str:
    return "" if value is None else format_date(value, style)


def datetime(value: dt.datetime | None, style: str = "medium") -> str:
    return "" if value is None else format_datetime(value, style)


def currency_name(code: str) -> str:
    return get_currency_name(code, locale=get_locale() or "en")


def register(app) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(amount, "amount")
    app.add_template_filter(number, "number")
    app.add_template_filter(date, "date")
    app.add_template_filter(datetime, "datetime")
    app.add_template_filter(currency_name, "currency_name")
