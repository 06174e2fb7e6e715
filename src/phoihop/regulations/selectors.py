"""Reads of regulations used by other apps and the pages."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from phoihop.core import policy
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    Regulation,
    Responsibility,
)


def regulations_for(actor):
    return policy.restrict(Regulation.objects.all(), actor).prefetch_related("parties")


def regulation_in_force(actor, on: dt.date | None = None):
    """The version in force on `on` (today by default); the latest to take effect first."""
    on = on or timezone.localdate()
    return regulations_for(actor).in_force(on).order_by("-effective_from", "-version").first()


def category_in_force(category: Category, on: dt.date) -> Category:
    """The category with the same code in the version of the same regulation in force on
    `on`: a dossier opened that day follows that version's clause and deadlines. The
    category itself when no version of its regulation is in force that day."""
    version = (
        Regulation.objects.in_force(on)
        .filter(series=category.regulation.series)
        .order_by("-effective_from", "-version")
        .first()
    )
    if version is None or version.pk == category.regulation_id:
        return category
    return (
        version.categories.select_related("clause", "regulation").filter(code=category.code).first()
        or category
    )


def regulation_tree(regulation: Regulation):
    """Chapters with articles, clauses, points and responsibilities: 6 queries in all."""
    clauses = Clause.objects.prefetch_related(
        "points",
        Prefetch("responsibilities", Responsibility.objects.select_related("agency")),
    )
    articles = Article.objects.prefetch_related(Prefetch("clauses", clauses))
    return Chapter.objects.filter(regulation=regulation).prefetch_related(
        Prefetch("articles", articles)
    )
