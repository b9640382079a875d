"""Countries and their least developed country (LDC) periods. Reference data from
trustfund/data/countries.json (sources named there), editable by an admin."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..country_names import un_name
from ..extensions import db


class Country(db.Model):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)  # ISO 3166-1 alpha-2
    name: Mapped[str] = mapped_column(sa.String(120))  # English name, used where Babel has none
    un_member: Mapped[bool] = mapped_column(default=True)
    observer: Mapped[bool] = mapped_column(default=False)
    developing: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    ldc_periods = relationship(
        "LdcPeriod", back_populates="country", order_by="LdcPeriod.start_on",
        cascade="all, delete-orphan",
    )
    __mapper_args__ = {"version_id_col": version}

    def ldc_on(self, on: dt.date) -> bool:
        """Whether the country was a least developed country on that date."""
        return any(p.covers(on) for p in self.ldc_periods)

    def developing_on(self, on: dt.date) -> bool:
        """LDCs are developing countries by definition; otherwise the flag decides."""
        return self.developing or self.ldc_on(on)

    @property
    def local_name(self) -> str:
        return localized_country_name(self.code, self.name)


def localized_country_name(code: str, fallback: str = "") -> str:
    """The country's name in the user's language: in English its record's (the UN's
    short name, as an admin keeps it), in the other languages the UN's short name
    (country_names: "État de Palestine", not CLDR's "Territoires palestiniens")."""
    locale = get_locale()
    if fallback and (locale is None or locale.language == "en"):
        return fallback
    if locale is not None:
        name = un_name(code, locale) or locale.territories.get(code)
        if name:
            return name
    return fallback or code


class LdcPeriod(db.Model):
    """A period during which a country was on the UN list of LDCs; end_on is the
    graduation date (the country is no longer an LDC from that day)."""

    __tablename__ = "ldc_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    start_on: Mapped[dt.date]
    end_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")

    country = relationship("Country", back_populates="ldc_periods")

    __table_args__ = (
        sa.CheckConstraint("end_on IS NULL OR end_on > start_on", name="dates_in_order"),
    )

    def covers(self, on: dt.date) -> bool:
        return self.start_on <= on and (self.end_on is None or on < self.end_on)
