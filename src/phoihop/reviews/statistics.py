"""Statistics of a period, computed in the database from the dossiers.

The counts follow the definitions a review conference uses:

* a joint criminal case is *cleared* when its dossier is in category kind
  "joint criminal case", has a foreign counterpart, reached status "resolved",
  and its end date falls in the period;
* a border incident is *resolved* likewise for category kind "border incident";
* a person is *verified* when a verification request about them was answered
  "clarified" within the period; each person counts once, however many answers.

The period is inclusive at both ends. Every figure is one aggregate query over
the dossiers the actor may aggregate (the access policy's "aggregate" action).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from phoihop.accounts.choices import AgencyKind
from phoihop.core import policy
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Regulation
from phoihop.subjects.choices import VerificationOutcome
from phoihop.subjects.models import Verification


def _rows(queryset, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Rename ORM value keys to the stable output keys."""
    return [{out: row[src] for out, src in keys.items()} | {"count": row["n"]} for row in queryset]


def compute_statistics(
    *, actor, date_from: dt.date, date_to: dt.date, regulation: Regulation | None = None
) -> dict[str, Any]:
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    dossiers = policy.restrict(Dossier.objects.all(), actor, policy.AGGREGATE)
    if regulation is not None:
        dossiers = dossiers.filter(category__regulation=regulation)
    ended = dossiers.filter(resolved_on__gte=date_from, resolved_on__lte=date_to)
    resolved = ended.filter(status=DossierStatus.RESOLVED)
    joint_q = Q(category__kind=CategoryKind.JOINT_CRIMINAL, counterpart__kind=AgencyKind.FOREIGN)

    headline = resolved.aggregate(
        joint=Count("pk", filter=joint_q),
        border=Count("pk", filter=Q(category__kind=CategoryKind.BORDER_INCIDENT)),
        resolved=Count("pk"),
    )
    activity = dossiers.aggregate(
        opened=Count("pk", filter=Q(opened_on__gte=date_from, opened_on__lte=date_to)),
        open_at_end=Count(
            "pk",
            filter=Q(opened_on__lte=date_to)
            & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=date_to)),
        ),
        closed_no_result=Count(
            "pk",
            filter=Q(
                status=DossierStatus.CLOSED_NO_RESULT,
                resolved_on__gte=date_from,
                resolved_on__lte=date_to,
            ),
        ),
    )

    verifications = Verification.objects.filter(
        dossier__in=dossiers.values("pk"), answered_on__gte=date_from, answered_on__lte=date_to
    )
    clarified = verifications.filter(outcome=VerificationOutcome.CLARIFIED)
    verification_counts = verifications.aggregate(
        answered=Count("pk"),
        clarified=Count("pk", filter=Q(outcome=VerificationOutcome.CLARIFIED)),
        subjects=Count("subject", filter=Q(outcome=VerificationOutcome.CLARIFIED), distinct=True),
    )

    by_category = _rows(
        ended.values("category__code", "category__name", "category__kind", "status")
        .annotate(n=Count("pk"))
        .order_by("category__code", "status"),
        {
            "category": "category__code",
            "name": "category__name",
            "kind": "category__kind",
            "status": "status",
        },
    )
    by_crime_type = _rows(
        resolved.filter(joint_q)
        .values("crime_type__code", "crime_type__name", "crime_type__penal_code_article")
        .annotate(n=Count("pk"))
        .order_by("-n", "crime_type__code"),
        {
            "crime_type": "crime_type__code",
            "name": "crime_type__name",
            "penal_code_article": "crime_type__penal_code_article",
        },
    )
    by_lead_agency = _rows(
        ended.values("lead_agency__code", "lead_agency__short_name", "status")
        .annotate(n=Count("pk"))
        .order_by("lead_agency__code", "status"),
        {"agency": "lead_agency__code", "name": "lead_agency__short_name", "status": "status"},
    )
    by_outcome = _rows(
        ended.values("status").annotate(n=Count("pk")).order_by("status"), {"status": "status"}
    )
    by_counterpart = _rows(
        resolved.filter(counterpart__isnull=False)
        .values("counterpart__code", "counterpart__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "counterpart__code"),
        {"counterpart": "counterpart__code", "name": "counterpart__name"},
    )
    by_year = _rows(
        resolved.annotate(year=ExtractYear("resolved_on"))
        .values("year", "category__kind")
        .annotate(n=Count("pk"))
        .order_by("year", "category__kind"),
        {"year": "year", "kind": "category__kind"},
    )
    verified_by_agency = _rows(
        clarified.values("requested_of__code", "requested_of__name")
        .annotate(n=Count("subject", distinct=True))
        .order_by("-n", "requested_of__code"),
        {"agency": "requested_of__code", "name": "requested_of__name"},
    )
    status_labels = dict(DossierStatus.choices)
    for row in by_category + by_lead_agency + by_outcome:
        row["status_label"] = str(status_labels.get(row["status"], row["status"]))
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "regulation": regulation.code if regulation else None,
        "joint_criminal_cases_cleared": headline["joint"],
        "border_incidents_resolved": headline["border"],
        "subjects_verified": verification_counts["subjects"],
        "dossiers_resolved": headline["resolved"],
        "dossiers_closed_no_result": activity["closed_no_result"],
        "dossiers_opened": activity["opened"],
        "dossiers_open_at_end": activity["open_at_end"],
        "verifications_answered": verification_counts["answered"],
        "verifications_clarified": verification_counts["clarified"],
        "by_category": by_category,
        "by_crime_type": by_crime_type,
        "by_lead_agency": by_lead_agency,
        "by_outcome": by_outcome,
        "by_counterpart": by_counterpart,
        "by_year": by_year,
        "subjects_verified_by_agency": verified_by_agency,
    }
