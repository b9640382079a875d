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
