"""Reads of regulations used by other apps and the pages."""

from django.db.models import Prefetch

from phoihop.core import policy
from phoihop.regulations.choices import RegulationStatus
from phoihop.regulations.models import Article, Chapter, Clause, Regulation, Responsibility


def regulations_for(actor):
    return policy.restrict(Regulation.objects.all(), actor).prefetch_related("parties")


def regulation_in_force(actor):
    return regulations_for(actor).filter(status=RegulationStatus.IN_FORCE).first()


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
