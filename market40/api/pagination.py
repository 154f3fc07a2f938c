"""flask-smorest pagination over SQLAlchemy ``select()`` statements."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Page

from market40.extensions import db
from market40.models.base import MAX_ID


class SelectPage(Page):
    """Counts and slices a ``select()`` in the database instead of in memory."""

    @property
    def items(self) -> list:
        if self.page_params.first_item > MAX_ID:
            # No table gets this far; a larger OFFSET does not fit the driver's integer
            # (SQLite raised OverflowError: a 500 for ?page=10**20). Past the end: empty.
            return []
        statement = self.collection.limit(self.page_params.page_size).offset(
            self.page_params.first_item
        )
        return list(db.session.scalars(statement))

    @property
    def item_count(self) -> int:
        counted = sa.select(sa.func.count()).select_from(self.collection.order_by(None).subquery())
        return db.session.scalar(counted) or 0


PAGE_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}
