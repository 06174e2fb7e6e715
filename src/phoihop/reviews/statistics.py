"""Statistics of a period, computed in the database from the dossiers.

The counts follow the definitions a review conference uses:

* a joint criminal case is *cleared* when its dossier is in category kind
  "joint criminal case", has a foreign counterpart, reached status "resolved",
  and its end date falls in the period;
* a border incident is *resolved* likewise for category kind "border incident";
* a person is *verified* when a verification request about them was answered
  within the period with "identity confirmed" or "record found"; each person counts
  once, however many answers.

Resolved dossiers are also counted by the quarter and by the month of their end
date (`by_quarter`, `by_month`). Timeliness (`timeliness`) looks at deadlines that
fall in the period:

* a task counts when its due date (set from the clause's working-day deadline when
  the dossier is opened, or given when the task is added) falls in the period; it
  is *on time* when done on or before that date, *late* when done after it, and
  *open overdue* when not done and due before the period's end (or before today,
  when the period reaches past today);
* a verification request counts when its reply deadline falls in the period; it is
  *on time* when answered on or before that date, *late* when answered after it or
  closed as not answered in time.

The period is inclusive at both ends. Every figure is counted in the database over
the dossiers the actor may aggregate (the access policy's "aggregate" action), in
five queries (plus three over the small reference tables), not one per breakdown:

* one grouped count of the dossiers that ended in the period, by category, status,
  crime type, lead agency, counterpart and month; every breakdown of ended dossiers
  (category, crime type, lead agency, outcome, counterpart, year, quarter, month) and
  the headline counts are sums over its rows, which are at most a few thousand
  (one per combination that occurs), whatever the number of dossiers;
* one count of the dossiers opened in the period and of those still open at its end;
* one count over the tasks due in the period, one over the verification requests
  answered or due in it, and one of the persons verified per requested agency;
* one count of the foreign-affairs activities that ended in the period (see
  `_activity_figures`).

The result holds only JSON types (str, int, float, None, lists and dicts): it is
frozen as it stands into a review's JSON field.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency
from phoihop.activities.choices import (  # activities (issue 9)
    ActivityKind,
    ActivityStatus,
    Opinion,
)
from phoihop.activities.models import Activity  # activities (issue 9)
from phoihop.core import policy
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier, Task
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Category, CrimeType, Regulation
from phoihop.subjects.choices import VERIFIED_OUTCOMES, VerificationOutcome
from phoihop.subjects.models import Verification

# -- activities: statistics (issue 9) --
# An activity counts once the Police's opinion went back or it closed (not a refusal).
SECURED_STATUSES = (ActivityStatus.ANSWERED, ActivityStatus.CLOSED)
# The activity kinds the review counts as international events.
EVENT_KINDS = (
    ActivityKind.EVENT,
    ActivityKind.NGO,
    ActivityKind.PRESS,
    ActivityKind.BORDER_VISIT,
)
# -- end activities: statistics --


def _today() -> dt.date:
    return timezone.localdate()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _sorted_rows(counts: Counter, make, key) -> list[dict[str, Any]]:
    """One output row per counted key, made by `make(key)`, sorted by `key(row)`."""
    return sorted(({**make(k), "count": n} for k, n in counts.items() if n), key=key)


def _ended_cube(ended) -> list[dict[str, Any]]:
    """The dossiers that ended in the period, counted per combination of the dimensions
    every breakdown uses; at most one row per combination that occurs."""
    rows = list(
        ended.annotate(month=TruncMonth("resolved_on"))
        .values(
            "category_id", "status", "crime_type_id", "lead_agency_id", "counterpart_id", "month"
        )
        .annotate(n=Count("*"))
        .order_by()
    )
    for row in rows:
        row["year"], row["month"] = row["month"].year, row["month"].month
    return rows


def _lookups(cube) -> tuple[dict, dict, dict]:
    """The categories, crime types and agencies the cube's rows name, by id."""
    category_ids = {r["category_id"] for r in cube}
    crime_ids = {r["crime_type_id"] for r in cube} - {None}
    agency_ids = {r["lead_agency_id"] for r in cube} | {r["counterpart_id"] for r in cube}
    categories = {
        c["pk"]: c
        for c in Category.objects.filter(pk__in=category_ids).values("pk", "code", "name", "kind")
    }
    crimes = {
        c["pk"]: c
        for c in CrimeType.objects.filter(pk__in=crime_ids).values(
            "pk", "code", "name", "penal_code_article"
        )
    }
    agencies = {
        a["pk"]: a
        for a in Agency.objects.filter(pk__in=agency_ids - {None}).values(
            "pk", "code", "name", "short_name", "kind"
        )
    }
    return categories, crimes, agencies


def _breakdowns(cube) -> dict[str, Any]:
    """Every breakdown of the ended dossiers, summed over the cube's rows."""
    categories, crimes, agencies = _lookups(cube)
    none = {"code": None, "name": None, "short_name": None, "kind": None}
    by_category, by_lead, by_outcome = Counter(), Counter(), Counter()
    by_crime, by_counterpart = Counter(), Counter()
    by_year, by_quarter, by_month = Counter(), Counter(), Counter()
    headline = Counter()
    for r in cube:
        n, status = r["n"], r["status"]
        kind = categories[r["category_id"]]["kind"]
        by_category[(r["category_id"], status)] += n
        by_lead[(r["lead_agency_id"], status)] += n
        by_outcome[status] += n
        if status == DossierStatus.CLOSED_NO_RESULT:
            headline["closed_no_result"] += n
        if status != DossierStatus.RESOLVED:
            continue
        counterpart = agencies.get(r["counterpart_id"], none)
        headline["resolved"] += n
        if kind == CategoryKind.BORDER_INCIDENT:
            headline["border"] += n
        if kind == CategoryKind.JOINT_CRIMINAL and counterpart["kind"] == AgencyKind.FOREIGN:
            headline["joint"] += n
            by_crime[r["crime_type_id"]] += n
        if r["counterpart_id"] is not None:
            by_counterpart[r["counterpart_id"]] += n
        by_year[(r["year"], kind)] += n
        by_quarter[(r["year"], (r["month"] - 1) // 3 + 1)] += n
        by_month[(r["year"], r["month"])] += n

    def category(key):
        c = categories[key[0]]
        return {"category": c["code"], "name": c["name"], "kind": c["kind"], "status": key[1]}

    def crime(pk):
        c = crimes.get(pk, none)
        return {
            "crime_type": c["code"],
            "name": c["name"],
            "penal_code_article": c.get("penal_code_article"),
        }

    def lead(key):
        a = agencies.get(key[0], none)
        return {"agency": a["code"], "name": a["short_name"], "status": key[1]}

    def counterpart(pk):
        a = agencies[pk]
        return {"counterpart": a["code"], "name": a["name"]}

    def nulls_last(value):
        return (value is None, value or "")

    return {
        "headline": headline,
        "by_category": _sorted_rows(by_category, category, lambda r: (r["category"], r["status"])),
        "by_crime_type": _sorted_rows(
            by_crime, crime, lambda r: (-r["count"], nulls_last(r["crime_type"]))
        ),
        "by_lead_agency": _sorted_rows(
            by_lead, lead, lambda r: (nulls_last(r["agency"]), r["status"])
        ),
        "by_outcome": _sorted_rows(by_outcome, lambda s: {"status": s}, lambda r: r["status"]),
        "by_counterpart": _sorted_rows(
            by_counterpart, counterpart, lambda r: (-r["count"], r["counterpart"])
        ),
        "by_year": _sorted_rows(
            by_year, lambda k: {"year": k[0], "kind": k[1]}, lambda r: (r["year"], r["kind"])
        ),
        "by_quarter": _sorted_rows(
            by_quarter,
            lambda k: {"year": k[0], "quarter": k[1]},
            lambda r: (r["year"], r["quarter"]),
        ),
        "by_month": _sorted_rows(
            by_month, lambda k: {"year": k[0], "month": k[1]}, lambda r: (r["year"], r["month"])
        ),
    }


# -- activities: statistics (issue 9) --------------------------------------------------------
def _activity_figures(dossiers, incident_scope, date_from: dt.date, date_to: dt.date) -> dict:
    """The foreign-affairs activities that ENDED in the period (`ends_on` within it) and
    were not cancelled, counted through their dossier (so with the dossiers' scoping):

    * incoming delegations *secured*: kind "incoming" with the Police's opinion sent
      (status answered) or closed with an after-action report;
    * outgoing delegations: kind "outgoing";
    * international events: kinds "event", "ngo", "press" and "border_visit";
    * incidents during activities: distinct dossiers linked to those activities as
      incidents, among the dossiers the actor may aggregate.

    `activities_by_kind` breaks the counted activities down by kind (every kind, in the
    order of the choices), so that its counts add up to the three activity figures.
    One query: the counts are conditional over the activities joined to their incidents.
    """
    # Worked through: the Police's opinion went back (or the activity closed), and it was
    # not a refusal. An activity never notified, or refused, was not secured.
    worked = Q(status__in=SECURED_STATUSES) & ~Q(opinion=Opinion.DISAGREE)
    counts = {
        kind: Count("pk", distinct=True, filter=Q(kind=kind) & worked)
        for kind in ActivityKind.values
    }
    incidents = Q(incidents__isnull=False)
    if incident_scope is not None:
        incidents &= Q(incidents__in=incident_scope.values("pk"))
    row = (
        Activity.objects.filter(
            dossier__in=dossiers.values("pk"), ends_on__gte=date_from, ends_on__lte=date_to
        )
        .exclude(status=ActivityStatus.CANCELLED)
        .aggregate(**counts, incidents=Count("incidents", distinct=True, filter=incidents))
    )
    by_kind = [
        {"kind": kind, "label": str(label), "count": row[kind]}
        for kind, label in ActivityKind.choices
    ]
    return {
        "activities_incoming_secured": row[ActivityKind.INCOMING],
        "activities_outgoing": row[ActivityKind.OUTGOING],
        "activities_events": sum(row[k] for k in EVENT_KINDS),
        "activity_incidents": row["incidents"],
        "activities_by_kind": by_kind,
    }


# -- end activities: statistics --------------------------------------------------------------


def compute_statistics(
    *, actor, date_from: dt.date, date_to: dt.date, regulation: Regulation | None = None
) -> dict[str, Any]:
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    dossiers = policy.restrict(Dossier.objects.all(), actor, policy.AGGREGATE)
    tasks = policy.restrict(Task.objects.all(), actor, policy.AGGREGATE)
    verifications = policy.restrict(Verification.objects.all(), actor, policy.AGGREGATE)
    if regulation is not None:
        # Tasks and requests carry their dossier's category: no join through the dossiers.
        categories = regulation.categories.values("pk")
        dossiers = dossiers.filter(category__in=categories)
        tasks = tasks.filter(category__in=categories)
        verifications = verifications.filter(category__in=categories)

    cube = _ended_cube(dossiers.filter(resolved_on__gte=date_from, resolved_on__lte=date_to))
    ended = _breakdowns(cube)
    headline = ended["headline"]
    # Counting a column of the covering index that the filter makes non-null counts the
    # rows without reading the table (COUNT(*) cannot take a filter in the ORM).
    activity = dossiers.filter(opened_on__lte=date_to).aggregate(
        opened=Count("opened_on", filter=Q(opened_on__gte=date_from)),
        open_at_end=Count(
            "opened_on", filter=Q(resolved_on__isnull=True) | Q(resolved_on__gt=date_to)
        ),
    )

    # Tasks whose deadline falls in the period; "open overdue" is judged at the period's
    # end, or today when the period reaches past today.
    overdue_before = min(date_to, _today())
    due_in_period = Q(due_on__gte=date_from, due_on__lte=date_to)
    task_counts = tasks.filter(due_in_period).aggregate(
        due=Count("due_on"),
        on_time=Count("due_on", filter=Q(done_on__lte=F("due_on"))),
        late=Count("due_on", filter=Q(done_on__gt=F("due_on"))),
        open_overdue=Count("due_on", filter=Q(done_on__isnull=True, due_on__lt=overdue_before)),
    )

    # The requests answered in the period and those due in it, each counted from its own
    # covering index (one scan over "answered or due" would read the table).
    answered_q = Q(answered_on__gte=date_from, answered_on__lte=date_to)
    verified = Q(outcome__in=VERIFIED_OUTCOMES)
    clarified_q = answered_q & verified
    answered = verifications.filter(answered_q).aggregate(
        answered=Count("answered_on"),
        clarified=Count("answered_on", filter=verified),
        subjects=Count("subject", filter=verified, distinct=True),
    )
    due = verifications.filter(due_in_period).aggregate(
        due=Count("due_on"),
        on_time=Count("due_on", filter=Q(answered_on__lte=F("due_on"))),
        late=Count(
            "due_on",
            filter=Q(answered_on__gt=F("due_on")) | Q(outcome=VerificationOutcome.NOT_ANSWERED),
        ),
    )
    verification_counts = answered | due
    verified_by_agency = [
        {"agency": row["requested_of__code"], "name": row["requested_of__name"], "count": row["n"]}
        for row in verifications.filter(clarified_q)
        .values("requested_of__code", "requested_of__name")
        .annotate(n=Count("subject", distinct=True))
        .order_by("-n", "requested_of__code")
    ]
    timeliness = {
        "tasks_due": task_counts["due"],
        "tasks_on_time": task_counts["on_time"],
        "tasks_late": task_counts["late"],
        "tasks_open_overdue": task_counts["open_overdue"],
        "tasks_on_time_share": _share(task_counts["on_time"], task_counts["due"]),
        "verifications_due": verification_counts["due"],
        "verifications_on_time": verification_counts["on_time"],
        "verifications_late": verification_counts["late"],
        "verifications_on_time_share": _share(
            verification_counts["on_time"], verification_counts["due"]
        ),
    }
    # -- activities: statistics (issue 9) --
    # The incidents count among the dossiers the actor may aggregate, of any regulation.
    activities = _activity_figures(
        dossiers,
        None
        if policy.is_system(actor)
        else policy.restrict(Dossier.objects.all(), actor, policy.AGGREGATE),
        date_from,
        date_to,
    )
    # -- end activities: statistics --
    status_labels = dict(DossierStatus.choices)
    for row in ended["by_category"] + ended["by_lead_agency"] + ended["by_outcome"]:
        row["status_label"] = str(status_labels.get(row["status"], row["status"]))
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "regulation": regulation.code if regulation else None,
        "joint_criminal_cases_cleared": headline["joint"],
        "border_incidents_resolved": headline["border"],
        "subjects_verified": verification_counts["subjects"],
        "dossiers_resolved": headline["resolved"],
        "dossiers_closed_no_result": headline["closed_no_result"],
        "dossiers_opened": activity["opened"],
        "dossiers_open_at_end": activity["open_at_end"],
        "verifications_answered": verification_counts["answered"],
        "verifications_clarified": verification_counts["clarified"],
        "by_category": ended["by_category"],
        "by_crime_type": ended["by_crime_type"],
        "by_lead_agency": ended["by_lead_agency"],
        "by_outcome": ended["by_outcome"],
        "by_counterpart": ended["by_counterpart"],
        "by_year": ended["by_year"],
        "by_quarter": ended["by_quarter"],
        "by_month": ended["by_month"],
        "subjects_verified_by_agency": verified_by_agency,
        "timeliness": timeliness,
        **activities,  # activities: statistics (issue 9)
    }
