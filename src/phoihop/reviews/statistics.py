"""Statistics of a period, computed in the database from the dossiers.

The counts follow the definitions a review conference uses:

* a joint criminal case is *cleared* when its dossier is in category kind
  "joint criminal case", has a foreign counterpart, reached status "resolved",
  and its end date falls in the period;
* a border incident is *resolved* likewise for category kind "border incident";
* a person is *verified* when a verification request about them was answered
  "clarified" within the period; each person counts once, however many answers.

Resolved dossiers are also counted by the quarter and by the month of their end
date (`by_quarter`, `by_month`). Timeliness (`timeliness`) looks at deadlines that
fall in the period:

* a task counts when its due date (set from the clause's working-day deadline when
  the dossier is opened, or given when the task is added) falls in the period; it
  is *on time* when done on or before that date, *late* when done after it, and
  *open overdue* when not done and due before the period's end (or before today,
  when the period reaches past today);
* a verification request counts when its reply deadline falls in the period; it is
  *on time* when answered on or before that date, *late* when answered after it.

The period is inclusive at both ends. Every figure is one aggregate query over
the dossiers the actor may aggregate (the access policy's "aggregate" action).
The result holds only JSON types (str, int, float, None, lists and dicts): it is
frozen as it stands into a review's JSON field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear
from django.utils import timezone

from phoihop.accounts.choices import AgencyKind
from phoihop.core import policy
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier, Task
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Regulation
from phoihop.subjects.choices import VerificationOutcome
from phoihop.subjects.models import Verification


def _rows(queryset, keys: dict[str, str]) -> list[dict[str, Any]]:
    """Rename ORM value keys to the stable output keys."""
    return [{out: row[src] for out, src in keys.items()} | {"count": row["n"]} for row in queryset]


def _today() -> dt.date:
    return timezone.localdate()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


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

    # Tasks whose deadline falls in the period; "open overdue" is judged at the period's
    # end, or today when the period reaches past today.
    overdue_before = min(date_to, _today())
    due_in_period = Q(due_on__gte=date_from, due_on__lte=date_to)
    tasks = Task.objects.filter(due_in_period, dossier__in=dossiers.values("pk")).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(done_on__gt=F("due_on"))),
        open_overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=overdue_before)),
    )

    # One pass over the requests either answered or due in the period: the answered
    # figures and the timeliness figures are conditional counts of the same scan.
    answered_q = Q(answered_on__gte=date_from, answered_on__lte=date_to)
    clarified_q = answered_q & Q(outcome=VerificationOutcome.CLARIFIED)
    verification_counts = Verification.objects.filter(
        answered_q | due_in_period, dossier__in=dossiers.values("pk")
    ).aggregate(
        answered=Count("pk", filter=answered_q),
        clarified=Count("pk", filter=clarified_q),
        subjects=Count("subject", filter=clarified_q, distinct=True),
        due=Count("pk", filter=due_in_period),
        on_time=Count("pk", filter=due_in_period & Q(answered_on__lte=F("due_on"))),
        late=Count("pk", filter=due_in_period & Q(answered_on__gt=F("due_on"))),
    )
    clarified = Verification.objects.filter(clarified_q, dossier__in=dossiers.values("pk"))

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
    by_quarter = _rows(
        resolved.annotate(year=ExtractYear("resolved_on"), quarter=ExtractQuarter("resolved_on"))
        .values("year", "quarter")
        .annotate(n=Count("pk"))
        .order_by("year", "quarter"),
        {"year": "year", "quarter": "quarter"},
    )
    by_month = _rows(
        resolved.annotate(year=ExtractYear("resolved_on"), month=ExtractMonth("resolved_on"))
        .values("year", "month")
        .annotate(n=Count("pk"))
        .order_by("year", "month"),
        {"year": "year", "month": "month"},
    )
    timeliness = {
        "tasks_due": tasks["due"],
        "tasks_on_time": tasks["on_time"],
        "tasks_late": tasks["late"],
        "tasks_open_overdue": tasks["open_overdue"],
        "tasks_on_time_share": _share(tasks["on_time"], tasks["due"]),
        "verifications_due": verification_counts["due"],
        "verifications_on_time": verification_counts["on_time"],
        "verifications_late": verification_counts["late"],
        "verifications_on_time_share": _share(
            verification_counts["on_time"], verification_counts["due"]
        ),
    }
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
        "by_quarter": by_quarter,
        "by_month": by_month,
        "subjects_verified_by_agency": verified_by_agency,
        "timeliness": timeliness,
    }
