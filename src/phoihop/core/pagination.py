"""Pagination for long lists: count only as far as a person reads, page on past that.

Counting every row of a large list costs as much as reading all of them, and on a list
restricted by the access policy the policy is evaluated for each row counted. A person
needs the exact number while it is small; past that, "more than 1,000, narrow it down"
says as much. `CappedPaginator` counts up to `cap` rows: below it everything is exact, as
with Django's paginator; above it the count stops, `capped` is true, and the pages go on
as long as there are rows, each page reading one row more than it shows to know whether
another follows.

The cap is a measured choice (docs/performance.md): what the count costs grows with it,
and with the policy each counted row costs a lookup more than without. At 1,000 that is
a fraction of a millisecond; at 10,000 it put every list request past 1.2× the time of
the same request without the policy.
"""

from __future__ import annotations

import copy
import inspect

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models.query import ModelIterable, QuerySet
from django.utils.functional import cached_property
from django.utils.inspect import method_has_no_args

COUNT_CAP = 1_000


class CappedPage(Page):
    """A page past the counted rows: whether a next one exists was read, not computed."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` (see the module docstring)."""

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        """The number of rows, counting no further than one past the cap."""
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.is_sliced:
            # Which rows make up the window does not change how many there are; without
            # the ORDER BY the database may count them in whatever order is cheapest.
            rows = rows.order_by()
        window = rows[: self.cap + 1]
        c = getattr(window, "count", None)
        if callable(c) and not inspect.isbuiltin(c) and method_has_no_args(c):
            return c()
        return len(window)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than `count` says."""
        return self._counted > self.cap

    def _as_number(self, number) -> int:
        """The page number as Django's paginator reads it, before any count."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def validate_number(self, number):
        number = self._as_number(number)
        if self.capped:
            # Past the counted rows there may be more pages; `page` reads whether there are.
            return number
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.capped:
            # The exact count bounds the read: on the last page the LIMIT is the number of
            # rows left, so the scan for a rare search term stops at its last match.
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        rows = self._rows(bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)

    def _rows(self, bottom: int, top: int) -> list:
        """Rows `bottom` to `top` of the list, read in one query."""
        if top <= bottom:
            return []
        rows = self.object_list
        if not _can_defer_join(rows):
            return list(rows[bottom:top])
        if bottom == 0 and not self.capped and self.count <= self.per_page:
            # The whole list is this page. Its few rows, found in whatever order is
            # cheapest and then sorted, cost one pass over the table at most; walking the
            # sort's index to the last of them can cost a lookup for every row of the table
            # (a rare search term, on SQLite, which has no statistics to tell).
            return list(_by_keys(rows, rows.order_by().values("pk"))[:top])
        return list(_by_keys(rows, rows.values("pk")[bottom:top]))

    def get_page(self, number):
        """Like Django's: a number that is not one gives the first page, a number out of
        range the last page that was counted."""
        try:
            number = self._as_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        try:
            return self.page(number)
        except EmptyPage:
            return self.page(self.num_pages)


def _can_defer_join(queryset) -> bool:
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
        return False
    query = queryset.query
    return not (query.annotations or query.distinct or query.extra or query.combinator)


def _by_keys(queryset: QuerySet, keys: QuerySet) -> QuerySet:
    """The rows of `queryset` whose keys are in `keys`, with its joins and order, found
    by key alone (a "deferred join").

    The window of keys is one subquery carrying all of the list's filters and its order;
    the outer query joins the related tables for those few rows only. The planner then
    weighs the filters (the access policy's EXISTS among them) against the list's own
    table rather than against every joined table as well, and a deep page skips its
    offset over narrow index entries instead of over joined rows.
    """
    outer = queryset.model._base_manager.using(queryset.db).filter(pk__in=keys)
    outer.query.select_related = copy.deepcopy(queryset.query.select_related)
    outer.query.deferred_loading = queryset.query.deferred_loading
    outer._prefetch_related_lookups = queryset._prefetch_related_lookups
    if queryset.query.order_by:
        outer = outer.order_by(*queryset.query.order_by)
    elif not queryset.query.default_ordering:
        outer = outer.order_by()
    return outer
