"""Filtering, searching and sorting the dossier list, in the query."""

from django.db.models import Exists, OuterRef, QuerySet

from phoihop.core.text import fold
from phoihop.dossiers.choices import OPEN_STATUSES
from phoihop.dossiers.models import DossierParty

SORTS = {
    "reference": ("reference",),
    "-reference": ("-reference",),
    "opened": ("opened_on", "id"),
    "-opened": ("-opened_on", "-id"),
    "resolved": ("resolved_on", "id"),
    "-resolved": ("-resolved_on", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}
DEFAULT_SORT = "-opened"


def filter_dossiers(queryset: QuerySet, data: dict) -> QuerySet:
    """Apply the cleaned data of a DossierFilterForm."""
    if q := fold(data.get("q")):
        for word in q.split()[:8]:
            queryset = queryset.filter(search_text__contains=word)
    if data.get("category"):
        queryset = queryset.filter(category=data["category"])
    status = data.get("status")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if data.get("agency"):
        queryset = queryset.filter(
            Exists(DossierParty.objects.filter(dossier=OuterRef("pk"), agency=data["agency"]))
        )
    if data.get("classification") is not None:
        queryset = queryset.filter(classification=data["classification"])
    if data.get("date_from"):
        queryset = queryset.filter(opened_on__gte=data["date_from"])
    if data.get("date_to"):
        queryset = queryset.filter(opened_on__lte=data["date_to"])
    return queryset


def sort_dossiers(queryset: QuerySet, sort: str | None) -> tuple[QuerySet, str]:
    key = sort if sort in SORTS else DEFAULT_SORT
    return queryset.order_by(*SORTS[key]), key
