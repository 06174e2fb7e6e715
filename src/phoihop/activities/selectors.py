"""Reads of foreign-affairs activities for the pages, the calendar and the statistics.

Everything a user sees goes through the dossier's policy. The vetting reasons
of a member are read only through `members_for`, which gives them to vetting
officers alone: the host side sees "cleared" or "needs attention", never why.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import ngettext

from phoihop.accounts.choices import CASEWORK_ROLES, AgencyKind
from phoihop.accounts.models import Agency
from phoihop.activities.choices import VettingResult
from phoihop.activities.models import Activity, ActivityMember
from phoihop.core import policy
from phoihop.dossiers.choices import PartyRole
from phoihop.dossiers.models import Dossier, DossierParty
from phoihop.regulations.choices import ResponsibilityRole
from phoihop.subjects.models import Verification


def visible_activities(actor) -> QuerySet[Activity]:
    """The activities `actor` may see (those whose dossier they see)."""
    return policy.restrict(
        Activity.objects.select_related("dossier", "host_unit", "dossier__lead_agency"),
        actor,
        policy.VIEW,
    )


def vetting_agency(activity: Activity) -> Agency | None:
    """The agency that vets the members and answers: the Police.

    Once notified, the agency of the vetting task. Before, the domestic supporting
    party named by the clause's supporting responsibility, or else the (first)
    domestic supporting party of the dossier.
    """
    if activity.vetting_task_id is not None:
        return activity.vetting_task.agency
    dossier = activity.dossier
    supporting = list(
        Agency.objects.filter(
            dossier_parties__dossier=dossier, dossier_parties__role=PartyRole.SUPPORT
        )
        .exclude(pk=dossier.lead_agency_id)
        .exclude(kind=AgencyKind.FOREIGN)
        .order_by("dossier_parties__id")
    )
    if not supporting:
        return None
    named = set(
        dossier.clause.responsibilities.filter(role=ResponsibilityRole.SUPPORT).values_list(
            "agency_id", flat=True
        )
    )
    for agency in supporting:
        if agency.pk in named:
            return agency
    return supporting[0]


def may_lead(actor, activity: Activity) -> bool:
    """Whether `actor` works the activity for its lead agency (registration, itinerary,
    members, notification, briefing, report)."""
    if policy.is_system(actor):
        return True
    return (
        policy.is_active_user(actor)
        and actor.role in CASEWORK_ROLES
        and actor.agency_id == activity.dossier.lead_agency_id
        and policy.allows(actor, policy.VIEW, activity)
    )


def may_vet(actor, activity: Activity) -> bool:
    """Whether `actor` is a vetting officer of the activity: a casework user of the
    vetting agency who may see its dossier. Only they read the vetting reasons."""
    if policy.is_system(actor):
        return True
    if not (policy.is_active_user(actor) and actor.role in CASEWORK_ROLES):
        return False
    agency = vetting_agency(activity)
    return (
        agency is not None
        and actor.agency_id == agency.pk
        and policy.allows(actor, policy.VIEW, activity)
    )


def may_work(actor, activity: Activity) -> bool:
    """Lead or vetting agency: may link and open incidents."""
    return may_lead(actor, activity) or may_vet(actor, activity)


def result_label(member: ActivityMember) -> str:
    return str(VettingResult(member.vetting).label)


def _readable_reasons(actor, members: list[ActivityMember]) -> dict[int, list[dict[str, Any]]]:
    """Each member's reasons that `actor` may read: a reason drawn from a dossier or a
    verification the actor may not see is left out, and counted in one closing line."""
    dossier_ids: set[int] = set()
    verification_ids: set[int] = set()
    for m in members:
        for r in m.vetting_reasons or []:
            if r.get("dossier"):
                dossier_ids.add(r["dossier"])
            if r.get("verification"):
                verification_ids.add(r["verification"])
    seen_dossiers = set(
        policy.restrict(Dossier.objects.filter(pk__in=dossier_ids), actor).values_list(
            "pk", flat=True
        )
    )
    seen_verifications = set(
        policy.restrict(Verification.objects.filter(pk__in=verification_ids), actor).values_list(
            "pk", flat=True
        )
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for m in members:
        shown, hidden = [], 0
        for r in m.vetting_reasons or []:
            if (r.get("dossier") and r["dossier"] not in seen_dossiers) or (
                r.get("verification") and r["verification"] not in seen_verifications
            ):
                hidden += 1
            else:
                shown.append(r)
        if hidden:
            shown.append(
                {
                    "kind": "hidden",
                    "text": ngettext(
                        "Còn %(n)d thông tin thuộc hồ sơ bạn không có quyền xem.",
                        "Còn %(n)d thông tin thuộc hồ sơ bạn không có quyền xem.",
                        hidden,
                    )
                    % {"n": hidden},
                }
            )
        out[m.pk] = shown
    return out


def members_for(actor, activity: Activity) -> list[tuple[ActivityMember, str, Any]]:
    """(member, result label, reasons or None) for each member of the activity.

    The reasons (a list of {"kind", "text", …}) only when `actor` may vet; None
    for everyone else, who see only the result's label.
    """
    policy.require(actor, policy.VIEW, activity)
    members = list(
        policy.restrict(ActivityMember.objects.filter(activity=activity), actor)
        .select_related("subject", "document", "vetted_by")
        .order_by("id")
    )
    if not may_vet(actor, activity):
        return [(m, result_label(m), None) for m in members]
    reasons = _readable_reasons(actor, members)
    return [(m, result_label(m), reasons[m.pk]) for m in members]


def party_agency_ids(activity: Activity) -> set[int]:
    return set(
        DossierParty.objects.filter(dossier_id=activity.dossier_id).values_list(
            "agency_id", flat=True
        )
    )
