"""Agencies merge and are renamed: one agency is succeeded by another.

As in the 2025 reform, when Hà Giang joined Tuyên Quang and the two provinces' police and
foreign-affairs departments became one each, an agency's ongoing work passes to its
successor while its past stays under its own name. `agency_succeed`, in one transaction:

* records the succession on the agency (`successor`, `succeeded_on`); the agency's row
  stays, for the history that names it;
* moves its **open** dossiers (status not resolved or closed) to the successor: the lead
  agency, the counterpart (for a foreign agency), the party rows (merged when the successor
  already takes part: one row, and "lead" when either was the lead) and the tasks not yet
  done; each dossier's timeline says so. Closed dossiers keep the old agency: they are the
  record of what it did;
* moves its users to the successor, and its units with them (a unit keeps its users, so a
  user's unit still belongs to the user's agency; a division of the merged agency becomes a
  division of the successor, as it does in a real merger). A unit whose code the successor
  already uses gets the old agency's code appended, and its name the old agency's short name;
* adds the successor to the parties of the regulations the agency is party to that have not
  ended (superseded or expired) by today, and flags those already finalised or signed as
  needing re-signing, naming the merger (a draft has no signature to redo);
* writes the audit events: one for the succession with the counts and the ids of what
  moved, one on each dossier, user and regulation changed (their own histories show it).

Refused, with the field named: the successor is the agency itself; either agency has
already been succeeded (a chain is not followed silently: the message names the agency
the successor passed to, to choose that one instead); a foreign agency with a domestic one;
no date, or a date still to come (the dossiers would move before the merger). Only
administrators and the system actor may do it; anyone else gets NotFound.

`agency_succession_preview` counts what would move, with the same checks and the same
queries, for the confirmation page and `--dry-run`.

This module reaches up into the domain apps (dossiers, regulations) whose rows the
succession moves: it is the one place in `accounts` that does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency, Unit, User
from phoihop.accounts.services import require_administrator
from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc

NOTE_MAX = 500


@dataclass(frozen=True)
class SuccessionCounts:
    """What a succession moves (or moved)."""

    dossiers: int  # open dossiers the agency leads, supports or is the counterpart of
    parties_merged: int  # of those, dossiers where the successor already took part
    tasks: int  # open tasks of the agency in those dossiers
    users: int
    units: int
    regulations: int  # regulations not ended that get the successor as a party
    regulations_flagged: int  # of those, finalised or signed ones to be signed again

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def final_successor(agency: Agency) -> Agency:
    """The agency that `agency`'s work has passed to in the end (itself if none)."""
    seen = {agency.pk}
    while agency.successor_id is not None and agency.successor_id not in seen:
        seen.add(agency.successor_id)
        agency = agency.successor
    return agency


def lineage_ids(agency: Agency) -> set[int]:
    """`agency` and every agency that passed to it, directly or through others: whose
    closed dossiers its users may need to read (for the dossiers' policy to use)."""
    ids, frontier = {agency.pk}, {agency.pk}
    while frontier:
        frontier = set(
            Agency.objects.filter(successor_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids |= frontier
    return ids


def _check(agency: Agency, successor: Agency, on: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = _("Cần nhập ngày hợp nhất, đổi tên.")
    elif on > timezone.localdate():
        errors["on"] = _(
            "Ngày hợp nhất, đổi tên chưa đến: hồ sơ và người dùng chỉ chuyển khi việc hợp "
            "nhất đã diễn ra."
        )
    if agency.successor_id is not None:
        errors["agency"] = _("%(agency)s đã được hợp nhất vào %(successor)s ngày %(on)s.") % {
            "agency": agency.name,
            "successor": agency.successor.name,
            "on": agency.succeeded_on.strftime("%d/%m/%Y") if agency.succeeded_on else "—",
        }
    if successor.pk == agency.pk:
        errors["successor"] = _("Cơ quan kế thừa phải khác cơ quan được hợp nhất.")
    elif successor.successor_id is not None:
        errors["successor"] = _(
            "%(successor)s đã được hợp nhất vào %(final)s; hãy chọn %(final)s làm cơ quan kế thừa."
        ) % {"successor": successor.name, "final": final_successor(successor).name}
    elif successor.is_foreign != agency.is_foreign:
        errors["successor"] = _(
            "Cơ quan trong nước chỉ được hợp nhất vào cơ quan trong nước, cơ quan nước ngoài "
            "vào cơ quan nước ngoài."
        )
    if errors:
        raise ServiceError(errors)


class _Scope:
    """The rows a succession moves, as querysets; the preview counts them, the change
    moves them."""

    def __init__(self, agency: Agency, successor: Agency) -> None:
        from phoihop.dossiers.choices import OPEN_STATUSES
        from phoihop.dossiers.models import Dossier, DossierParty, Task
        from phoihop.regulations.choices import RegulationStatus
        from phoihop.regulations.models import Regulation

        self.agency, self.successor = agency, successor
        involved = Q(lead_agency=agency) | Q(counterpart=agency) | Q(parties__agency=agency)
        self.dossier_ids = sorted(
            set(
                Dossier.objects.filter(involved, status__in=OPEN_STATUSES).values_list(
                    "pk", flat=True
                )
            )
        )
        self.dossiers = Dossier.objects.filter(pk__in=self.dossier_ids)
        self.parties = DossierParty.objects.filter(dossier_id__in=self.dossier_ids)
        self.shared_ids = set(
            self.parties.filter(agency=successor).values_list("dossier_id", flat=True)
        ) & set(self.parties.filter(agency=agency).values_list("dossier_id", flat=True))
        self.tasks = Task.objects.filter(
            dossier_id__in=self.dossier_ids, agency=agency, done_on__isnull=True
        )
        self.users = User.objects.filter(agency=agency)
        self.units = Unit.objects.filter(agency=agency)
        # Not ended by today: a signed version whose last day is past is superseded or
        # expired (Regulation.state_on); every other one may still be signed or in force.
        today = timezone.localdate()
        self.regulations = (
            Regulation.objects.filter(parties=agency)
            .exclude(status=RegulationStatus.SIGNED, effective_to__lt=today)
            .order_by("pk")
        )
        self.signed_statuses = (RegulationStatus.FINAL, RegulationStatus.SIGNED)

    def counts(self) -> SuccessionCounts:
        regulations = list(self.regulations.values_list("status", flat=True))
        return SuccessionCounts(
            dossiers=len(self.dossier_ids),
            parties_merged=len(self.shared_ids),
            tasks=self.tasks.count(),
            users=self.users.count(),
            units=self.units.count(),
            regulations=len(regulations),
            regulations_flagged=sum(1 for s in regulations if s in self.signed_statuses),
        )


def _lock(actor, agency: Agency, successor: Agency) -> tuple[Agency, Agency]:
    rows = policy.restrict(
        Agency.objects.select_for_update().filter(pk__in=[agency.pk, successor.pk]),
        actor,
        policy.CHANGE,
    ).order_by("pk")
    by_pk = {a.pk: a for a in rows}
    if agency.pk not in by_pk or successor.pk not in by_pk:
        raise policy.NotFound
    return by_pk[agency.pk], by_pk[successor.pk]


def agency_succession_preview(
    *, actor, agency: Agency, successor: Agency, on: dt.date | None
) -> SuccessionCounts:
    """What `agency_succeed` would move, after the same checks; nothing is changed."""
    require_administrator(actor)
    agency = policy.get_or_404(Agency.objects.all(), actor, policy.CHANGE, pk=agency.pk)
    successor = policy.get_or_404(Agency.objects.all(), actor, policy.CHANGE, pk=successor.pk)
    _check(agency, successor, on)
    return _Scope(agency, successor).counts()


@transaction.atomic
def agency_succeed(
    *, actor, agency: Agency, successor: Agency, on: dt.date | None, note: str = ""
) -> SuccessionCounts:
    """Record that `successor` took over `agency` on `on`, and move its ongoing work."""
    from phoihop.dossiers.choices import PartyRole, TimelineKind
    from phoihop.dossiers.services import timeline_add

    require_administrator(actor)
    agency, successor = _lock(actor, agency, successor)
    _check(agency, successor, on)
    note = nfc(note).strip()
    if len(note) > NOTE_MAX:
        raise ServiceError({"note": _("Ghi chú dài quá %(n)s ký tự.") % {"n": NOTE_MAX}})
    scope = _Scope(agency, successor)
    counts = scope.counts()
    day = on.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    reason = _("%(agency)s đã hợp nhất vào %(successor)s từ ngày %(on)s.") % {
        "agency": agency.name,
        "successor": successor.name,
        "on": day,
    }

    # Dossiers: lock them, then move the lead, the counterpart, the parties and the tasks.
    dossiers = list(scope.dossiers.select_for_update().order_by("pk"))
    parties = {
        (p.dossier_id, p.agency_id): p
        for p in scope.parties.filter(agency__in=[agency, successor]).select_for_update()
    }
    task_counts: dict[int, int] = {}
    for dossier_id in scope.tasks.values_list("dossier_id", flat=True):
        task_counts[dossier_id] = task_counts.get(dossier_id, 0) + 1
    scope.tasks.update(agency=successor, updated_at=timezone.now())
    for dossier in dossiers:
        changes: dict = {}
        if dossier.lead_agency_id == agency.pk:
            dossier.lead_agency = successor
            changes["lead_agency_id"] = [agency.pk, successor.pk]
        if dossier.counterpart_id == agency.pk:
            dossier.counterpart = successor
            changes["counterpart_id"] = [agency.pk, successor.pk]
        old = parties.get((dossier.pk, agency.pk))
        if old is not None:
            kept = parties.get((dossier.pk, successor.pk))
            if kept is None:
                old.agency = successor
                old.save(update_fields=["agency"])
                changes["party"] = [agency.pk, successor.pk]
            else:
                role = PartyRole.LEAD if PartyRole.LEAD in (old.role, kept.role) else kept.role
                if role != kept.role:
                    kept.role = role
                    kept.save(update_fields=["role"])
                old.delete()
                changes["party_merged"] = [[agency.pk, old.role], [successor.pk, role]]
        if task_counts.get(dossier.pk):
            changes["tasks"] = task_counts[dossier.pk]
        dossier.save(update_fields=["lead_agency", "counterpart", "updated_at"])
        timeline_add(
            actor=actor,
            dossier=dossier,
            kind=TimelineKind.UPDATED,
            text=_("%(reason)s Hồ sơ chuyển cho %(successor)s.")
            % {"reason": reason, "successor": successor.name},
            on=on,
        )
        audit_record(actor=actor, action="dossier.agency_succession", obj=dossier, changes=changes)

    # Users, and their units with them.
    user_ids = list(scope.users.order_by("pk").values_list("pk", flat=True))
    taken_codes = set(Unit.objects.filter(agency=successor).values_list("code", flat=True))
    moved_units = []
    for unit in scope.units.select_for_update().order_by("pk"):
        before = {"agency_id": unit.agency_id, "code": unit.code, "name": unit.name}
        if unit.code in taken_codes:
            unit.code = _free_code(f"{unit.code}-{agency.code}", taken_codes)
            unit.name = f"{unit.name} ({agency.short_name})"[:255]
        taken_codes.add(unit.code)
        unit.agency = successor
        unit.save(update_fields=["agency", "code", "name"])
        moved_units.append({"id": unit.pk, "before": before, "code": unit.code})
    User.objects.filter(pk__in=user_ids).update(agency=successor)
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        audit_record(
            actor=actor,
            action="account.agency_succession",
            obj=user,
            changes={"agency_id": [agency.pk, successor.pk]},
        )

    # Regulations: the successor becomes a party; signed ones are to be signed again.
    regulation_ids = []
    for regulation in scope.regulations.select_for_update():
        regulation_ids.append(regulation.pk)
        changes = {}
        if not regulation.parties.filter(pk=successor.pk).exists():
            regulation.parties.add(successor)
            changes["parties"] = {"added": successor.pk}
        if regulation.status in scope.signed_statuses:
            before = [regulation.needs_resigning, regulation.resigning_reason]
            reasons = [r for r in (regulation.resigning_reason, reason) if r]
            regulation.needs_resigning = True
            regulation.resigning_reason = " ".join(dict.fromkeys(reasons))[:500]
            regulation.save(update_fields=["needs_resigning", "resigning_reason", "updated_at"])
            changes["needs_resigning"] = [before[0], True]
            changes["resigning_reason"] = [before[1], regulation.resigning_reason]
        if changes:
            audit_record(
                actor=actor, action="regulation.agency_succession", obj=regulation, changes=changes
            )

    # The succession itself.
    agency.successor, agency.succeeded_on = successor, on
    agency.save(update_fields=["successor", "succeeded_on"])
    audit_record(
        actor=actor,
        action="account.agency_succeed",
        obj=agency,
        changes={
            "successor_id": [None, successor.pk],
            "succeeded_on": [None, on],
            "note": note,
            **counts.as_dict(),
            "dossier_ids": scope.dossier_ids,
            "user_ids": user_ids,
            "units": moved_units,
            "regulation_ids": regulation_ids,
        },
    )
    return counts


def _free_code(code: str, taken: set[str]) -> str:
    """`code` cut to the field's 32 characters, with a number added until it is free."""
    candidate, n = code[:32], 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = code[: 32 - len(suffix)] + suffix, n + 1
    return candidate
