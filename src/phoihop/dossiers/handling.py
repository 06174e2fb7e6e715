"""Handling restrictions and the register of copies.

A dossier or a message may say: no copy to third parties, no export without a
leader's approval, no print without a leader's approval. These are enforced
here, not only shown: a print or export of something restricted needs an
approved request (a leader of the requester's agency who may see the dossier
approves; leaders of a party agency make copies without one), and every copy of something restricted or classified gets a
numbered line in the dossier's register of copies.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import Role
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import context, policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.dossiers.choices import CopyKind, CopyRequestStatus
from phoihop.dossiers.models import Attachment, CopyRecord, CopyRequest, Dossier, Message

RESTRICTION_FIELDS = ("no_third_party", "no_export", "print_needs_approval")
MAX_COPIES = 20


class CopyNotApproved(Exception):
    """The copy needs a leader's approval that the actor does not have."""


def _restricted(obj, kind: str) -> bool:
    if obj is None:
        return False
    return obj.print_needs_approval if kind == CopyKind.PRINT else obj.no_export


def needs_approval(dossier: Dossier, kind: str, message: Message | None = None) -> bool:
    if _restricted(dossier, kind) or _restricted(message, kind):
        return True
    # A print of the whole dossier reproduces every letter's summary.
    return (
        message is None
        and kind == CopyKind.PRINT
        and dossier.messages.filter(print_needs_approval=True).exists()
    )


def _is_approver(actor, dossier: Dossier) -> bool:
    """A leader who may see the dossier (hence of a party agency, cleared for it)."""
    return (
        not policy.is_system(actor)
        and actor.role == Role.LEADER
        and policy.allows(actor, policy.VIEW, dossier)
    )


@transaction.atomic
def dossier_set_restrictions(*, actor, dossier: Dossier, **flags: bool) -> Dossier:
    """Set or lift a dossier's handling restrictions: leaders of the lead agency only."""
    dossier = policy.get_or_404(
        Dossier.objects.select_for_update(), actor, policy.CHANGE, pk=dossier.pk
    )
    # The lead agency's leadership answers for its dossier's handling.
    if not policy.is_system(actor) and (
        actor.role != Role.LEADER or actor.agency_id != dossier.lead_agency_id
    ):
        raise policy.NotFound
    unknown = set(flags) - set(RESTRICTION_FIELDS)
    if unknown:
        raise ServiceError({f: _("Không được sửa trường này.") for f in sorted(unknown)})
    before = snapshot(dossier, list(RESTRICTION_FIELDS))
    for name, value in flags.items():
        setattr(dossier, name, bool(value))
    dossier.save(update_fields=[*flags, "updated_at"])
    changes = diff(before, snapshot(dossier, list(RESTRICTION_FIELDS)))
    if changes:
        audit_record(actor=actor, action="dossier.restrictions", obj=dossier, changes=changes)
    return dossier


@transaction.atomic
def copy_request(
    *,
    actor,
    dossier: Dossier,
    kind: str,
    reason: str,
    copies: int = 1,
    message: Message | None = None,
) -> CopyRequest:
    """Ask a leader's approval to print or export a restricted dossier or document."""
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.VIEW, pk=dossier.pk)
    if message is not None:
        message = policy.get_or_404(
            Message.objects.filter(dossier=dossier), actor, policy.VIEW, pk=message.pk
        )
    errors = {}
    if kind not in CopyKind.values:
        errors["kind"] = _("Hình thức không hợp lệ.")
    reason = nfc(reason)
    if not reason:
        errors["reason"] = _("Cần nêu lý do và nơi nhận bản sao.")
    if not 1 <= int(copies or 0) <= MAX_COPIES:
        errors["copies"] = _("Số bản từ 1 đến %(n)d.") % {"n": MAX_COPIES}
    if errors:
        raise ServiceError(errors)
    if not needs_approval(dossier, kind, message):
        raise ServiceError({"kind": _("Tài liệu này không cần duyệt để in hoặc xuất.")})
    request = CopyRequest.objects.create(
        dossier=dossier,
        message=message,
        kind=kind,
        copies=copies,
        reason=reason[:500],
        requested_by=actor,
        requested_at=timezone.now(),
    )
    audit_record(actor=actor, action="copy.request", obj=request, changes=snapshot(request))
    return request


@transaction.atomic
def copy_decide(*, actor, request: CopyRequest, approve: bool, note: str = "") -> CopyRequest:
    """A leader approves or refuses a pending request."""
    request = policy.get_or_404(
        CopyRequest.objects.select_for_update().select_related("dossier", "requested_by"),
        actor,
        policy.VIEW,
        pk=request.pk,
    )
    # The requester's own leadership answers for the copy: a leader of another
    # party agency may see the dossier but does not decide for this officer.
    if not _is_approver(actor, request.dossier) or (
        actor.agency_id != request.requested_by.agency_id
    ):
        raise policy.NotFound
    if request.status != CopyRequestStatus.PENDING:
        raise ServiceError(_("Đề nghị này đã được xử lý."))
    before = snapshot(request, ["status", "decided_by", "decided_at", "decision_note"])
    request.status = CopyRequestStatus.APPROVED if approve else CopyRequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = nfc(note)[:500]
    request.save()
    audit_record(
        actor=actor,
        action="copy.decide",
        obj=request,
        changes=diff(before, snapshot(request, list(before))),
    )
    return request


@transaction.atomic
def copy_make(
    *,
    actor,
    dossier: Dossier,
    kind: str,
    message: Message | None = None,
    attachment: Attachment | None = None,
) -> CopyRecord | None:
    """Authorise one print or export and enter it in the register when it must be.

    Raises CopyNotApproved when the item is restricted and the actor holds no
    approval with a copy left (leaders of a party agency need none). Returns the
    register line, or None for an unrestricted, unclassified item.
    """
    # Locking the dossier row serialises the copy numbers of one dossier.
    dossier = policy.get_or_404(
        Dossier.objects.select_for_update(), actor, policy.VIEW, pk=dossier.pk
    )
    if attachment is not None:
        message = attachment.message
    level = max(dossier.classification, message.classification if message else 0)
    approval = None
    if needs_approval(dossier, kind, message) and not _is_approver(actor, dossier):
        approvals = CopyRequest.objects.select_for_update().filter(
            dossier=dossier, kind=kind, requested_by=actor, status=CopyRequestStatus.APPROVED
        )
        # An approval for the whole dossier covers its documents too.
        scope = Q(message__isnull=True) | Q(message=message) if message else Q(message__isnull=True)
        approval = approvals.filter(scope).order_by("decided_at", "id").first()
        if approval is None:
            raise CopyNotApproved
        approval.used += 1
        if approval.used >= approval.copies:
            approval.status = CopyRequestStatus.USED
        approval.save(update_fields=["used", "status"])
    if (
        approval is None
        and level < Classification.MAT
        and not needs_approval(dossier, kind, message)
    ):
        return None
    last = CopyRecord.objects.filter(dossier=dossier).aggregate(n=Max("number"))["n"] or 0
    record = CopyRecord.objects.create(
        dossier=dossier,
        message=message,
        attachment=attachment,
        kind=kind,
        number=last + 1,
        classification=level,
        request=approval,
        made_by=actor,
        made_at=timezone.now(),
        ip=context.current().ip,
    )
    audit_record(actor=actor, action="copy.made", obj=record, changes=snapshot(record))
    return record
