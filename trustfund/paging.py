"""What the pager macro (macros.html) reads of a page, besides `page` and `pages`:
shared by every page object that is not Flask-SQLAlchemy's own Pagination."""
from __future__ import annotations

from flask import current_app


def per_page() -> int:
    """Rows on a page of a list (PAGE_SIZE)."""
    return current_app.config.get("PAGE_SIZE", 50)


class Pager:
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate(select, per_page: int, total: int | None = None):
    """Flask-SQLAlchemy's page of `select` as the request asks for it (?page=), a page
    past the last one shown as the last (a link kept from a longer list, a number
    typed): "No grants match." above totals of two grants, "No deposit yet." to a
    donor with deposits, were the page after the end. `total`: the rows counted
    already (the pager then counts nothing)."""
    from .extensions import db

    def fetch(number: int | None = None):
        found = db.paginate(select, page=number, per_page=per_page, error_out=False, count=total is None)
        if total is not None:
            found.total = total
        return found

    found = fetch()
    if found.pages and found.page > found.pages:
        found = fetch(found.pages)
    return found
