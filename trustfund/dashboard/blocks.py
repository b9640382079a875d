"""A dashboard block: one table of figures, optionally drawn as a chart.

The page's table, the chart's JSON and the .xlsx sheet are all made from the same
Block, so the three cannot disagree: the chart draws some of the table's columns
(`Chart.series`), labelled by one of them (`Chart.label`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from .. import formatting
from ..exports import Col, Sheet

# Column kinds: text, int, money (with a currency or a row key holding it), percent,
# date, month (a date shown as its month), datetime.
XLSX_KIND = {"text": "text", "int": "int", "money": "money", "percent": "money", "date": "date",
             "month": "date", "datetime": "datetime"}


@dataclass
class Column:
    key: str
    header: str
    kind: str = "text"
    currency: str | None = None
    currency_key: str | None = None  # the row's key holding its currency
    # The page's header when it differs from the .xlsx's: a moment is shown in the
    # reader's time zone, named in the cell, and written in UTC in the .xlsx.
    page_header: str | None = None

    def currency_of(self, row: dict) -> str | None:
        return row.get(self.currency_key) if self.currency_key else self.currency

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "money", "percent")


@dataclass
class Chart:
    label: str  # the column whose values name the bars
    series: list[str]  # the columns drawn, one dataset each
    unit: str = "USD"  # "USD" or "count"
    stacked: bool = False
    horizontal: bool = False
    title: str = ""  # the chart's accessible name


# A dashboard is a summary: a table that grows with the data shows this many rows,
# says how many more there are and links to the full list; its chart, its totals and
# the .xlsx keep every row.
TABLE_ROWS = 10


class MoreLink(NamedTuple):
    """A link below a capped table to the page listing every row."""

    endpoint: str
    text: str
    args: dict


@dataclass
class Block:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict]
    totals: dict | None = None
    chart: Chart | None = None
    note: str = ""
    empty: str = ""
    link: tuple[str, str] | None = None  # (endpoint, text) of the page with the details
    wide: bool = False
    sheet_title: str = ""  # at most 31 characters (Excel); the title if empty
    # A table growing with the data: at most `cap` rows on the page (the last ones
    # if `cap_last`), then `more` (how many are left out, translated) and links to
    # the full lists (layout._capped sets these).
    cap: int | None = None
    cap_last: bool = False
    count: int | None = None  # every row there is, when `rows` holds fewer (the .xlsx has all)
    more: str = ""
    more_links: list[MoreLink] = field(default_factory=list)
    # The label of the page's total row when the table shows fewer rows than it sums.
    totals_label: str = ""

    @property
    def table_rows(self) -> list[dict]:
        """The rows the page's table shows."""
        if self.cap is None or len(self.rows) <= self.cap:
            return self.rows
        return self.rows[-self.cap:] if self.cap_last else self.rows[:self.cap]

    @property
    def more_count(self) -> int:
        """How many rows the page's table leaves out."""
        total = len(self.rows) if self.count is None else max(self.count, len(self.rows))
        return total - len(self.table_rows)

    def table_cells(self) -> list[list[tuple[Column, Any]]]:
        """The page's table rows as the page writes them: (column, text) for each cell
        (a function call per cell, not a template macro: a dashboard has hundreds)."""
        columns = self.columns
        return [[(c, cell_text(c, row, row[c.key])) for c in columns] for row in self.table_rows]

    def totals_cells(self) -> list[tuple[Column, Any]]:
        """The total row as the page writes it (money without a currency: USD)."""
        totals = self.totals or {}
        return [(c, cell_text(c, {}, totals.get(c.key))) for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def has_chart(self) -> bool:
        """A chart is drawn when there is something to draw: not for an empty table,
        nor for one whose charted figures are all zero (the table says so)."""
        return self.chart is not None and any(
            row[key] for row in self.rows for key in self.chart.series)

    def chart_data(self) -> dict[str, Any] | None:
        """The chart as JSON-ready data: numbers as exact decimal strings."""
        if not self.has_chart:
            return None
        return {
            "title": self.chart.title or self.title,
            "unit": self.chart.unit,
            "stacked": self.chart.stacked,
            "horizontal": self.chart.horizontal,
            # Between a series' name and its value in the tooltip, as the language writes it.
            "separator": formatting.colon(),
            "labels": [str(row[self.chart.label]) for row in self.rows],
            "datasets": [{"key": key, "label": self.column(key).header,
                          "data": [_plain(row[key]) for row in self.rows]}
                         for key in self.chart.series],
        }

    def sheet(self) -> Sheet:
        # Every row holds every column's key (layout builds them so): a plain item
        # lookup per cell, tens of thousands in the auditor's .xlsx.
        cols = [Col(c.header, itemgetter(c.key), XLSX_KIND.get(c.kind, "text"), currency=c.currency,
                    currency_of=(_getter(c.currency_key) if c.currency_key else None))
                for c in self.columns]
        totals = [self.totals.get(c.key) for c in self.columns] if self.totals else None
        return Sheet(self.sheet_title or self.title, cols, self.rows, totals=totals)


# How the page writes a value of each kind but money and text (the template filters
# of the same names).
_WRITERS = {"int": formatting.number, "percent": formatting.number, "date": formatting.date,
            "month": formatting.month, "datetime": formatting.datetime}


def cell_text(column: Column, row: dict, value: Any) -> Any:
    """A value as a dashboard table shows it: nothing for None, money with its
    currency's decimals (USD when the row names none), numbers, dates and moments in
    the reader's locale and time zone; text as it is (the template escapes it)."""
    if value is None:
        return ""
    if column.kind == "money":
        return formatting.amount(value, column.currency_of(row) or "USD")
    write = _WRITERS.get(column.kind)
    return value if write is None else write(value)


def _getter(key: str) -> Callable[[dict], Any]:
    return lambda row: None if row is None else row.get(key)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class Tile:
    """A headline figure above the blocks (also in the tables below it)."""

    label: str
    value: Any
    kind: str = "money"  # money (USD) or int
    detail: str = ""


@dataclass
class Dashboard:
    """The blocks one role sees, with the headline figures for the tiles."""

    role: str
    sections: list[tuple[str, list[Block]]] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [block for _, blocks in self.sections for block in blocks]
