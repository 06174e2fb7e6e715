"""Commendations: nominate with evidence, the emulation council, consent, the head's decision."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import Role
from phoihop.accounts.models import Agency, Unit, User
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.awards.choices import NominationStatus, NomineeKind
from phoihop.awards.models import DisciplineFlag, Nomination
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier, DossierParty, Task
from phoihop.reviews.models import Review

STATUS_FIELDS = [
    "status",
    "council_note",
    "partner_consent_by",
    "decided_by",
    "decision_number",
    "decision_date",
]


def _is(actor, *roles) -> bool:
    return policy.is_system(actor) or (policy.is_active_user(actor) and actor.role in roles)


def pending_discipline(*, user: User | None = None, unit: Unit | None = None) -> bool:
    flags = DisciplineFlag.objects.filter(closed_on__isnull=True)
    if user is not None:
        return flags.filter(user=user).exists()
    return flags.filter(unit=unit).exists()


def contribution_of(nomination_agency_id: int, unit_id: int | None, dossier_ids: list[int]) -> dict:
    """What the evidence shows the nominee did, counted in the database."""
    dossiers = Dossier.objects.filter(pk__in=dossier_ids)
    totals = dossiers.aggregate(
        dossiers=Count("pk"),
        resolved=Count("pk", filter=Q(status=DossierStatus.RESOLVED)),
        led=Count("pk", filter=Q(lead_agency_id=nomination_agency_id)),
    )
    by_kind = {
        row["category__kind"]: row["n"]
        for row in dossiers.values("category__kind").annotate(n=Count("pk")).order_by()
    }
    tasks = Task.objects.filter(dossier_id__in=dossier_ids, agency_id=nomination_agency_id)
    if unit_id is not None:
        tasks = tasks.filter(unit_id=unit_id)
    task_totals = tasks.aggregate(
        tasks=Count("pk"),
        done=Count("pk", filter=Q(done_on__isnull=False)),
        on_time=Count(
            "pk", filter=Q(done_on__isnull=False, due_on__isnull=False, done_on__lte=F("due_on"))
        ),
    )
    return {**totals, "by_kind": by_kind, **task_totals}


@transaction.atomic
def nomination_create(
    *,
    actor,
    review: Review,
    kind: str,
    awarding_agency: Agency,
    reason: str,
    evidence: list[Dossier],
    nominee_user: User | None = None,
    nominee_unit: Unit | None = None,
) -> Nomination:
    """Propose a commendation; the dossiers given as evidence must show the nominee's part."""
    if not _is(actor, Role.LEADER, Role.SECRETARIAT):
        raise policy.NotFound
    review = Review.objects.select_related("regulation").get(pk=review.pk)
    errors = {}
    if review.is_closed:
        raise ServiceError(_("Đợt sơ kết, tổng kết đã kết thúc, không nhận đề nghị mới."))
    if kind == NomineeKind.INDIVIDUAL and nominee_user is not None and nominee_unit is None:
        nominee_agency_id = nominee_user.agency_id
        unit_id = nominee_user.unit_id
        if pending_discipline(user=nominee_user):
            errors["nominee_user"] = _("Người này đang có vụ việc kỷ luật chưa kết thúc.")
    elif kind == NomineeKind.COLLECTIVE and nominee_unit is not None and nominee_user is None:
        nominee_agency_id = nominee_unit.agency_id
        unit_id = nominee_unit.pk
        if pending_discipline(unit=nominee_unit):
            errors["nominee_unit"] = _("Tập thể này đang có vụ việc kỷ luật chưa kết thúc.")
    else:
        raise ServiceError({"kind": _("Chọn một cá nhân hoặc một tập thể được đề nghị.")})
    parties = set(review.regulation.parties.values_list("pk", flat=True))
    if awarding_agency.pk not in parties:
        errors["awarding_agency"] = _("Cơ quan khen thưởng phải là một bên của quy chế.")
    if nominee_agency_id not in parties:
        errors["kind"] = _("Người hoặc tập thể được đề nghị phải thuộc một bên của quy chế.")
    ids = sorted({d.pk for d in evidence})
    if not ids:
        errors["evidence"] = _("Cần ít nhất một hồ sơ làm minh chứng.")
    else:
        usable = policy.restrict(Dossier.objects.filter(pk__in=ids), actor).filter(
            pk__in=DossierParty.objects.filter(agency_id=nominee_agency_id).values("dossier_id")
        )
        if usable.count() != len(ids):
            errors["evidence"] = _(
                "Hồ sơ minh chứng phải là hồ sơ bạn được xem và có cơ quan của người được đề nghị tham gia."
            )
    if not nfc(reason):
        errors["reason"] = _("Cần nêu thành tích.")
    if errors:
        raise ServiceError(errors)
    nomination = Nomination.objects.create(
        review=review,
        kind=kind,
        nominee_user=nominee_user,
        nominee_unit=nominee_unit,
        nominee_agency_id=nominee_agency_id,
        awarding_agency=awarding_agency,
        reason=nfc(reason),
        contribution=contribution_of(
            nominee_agency_id, unit_id if kind == NomineeKind.COLLECTIVE else None, ids
        ),
        proposed_by=None if policy.is_system(actor) else actor,
    )
    nomination.evidence.set(ids)
    audit_record(
        actor=actor,
        action="nomination.create",
        obj=nomination,
        changes={**snapshot(nomination), "evidence": ids},
        scope=("reviews.review", review.pk),
    )
    return nomination


def _locked(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update().get(pk=nomination.pk)


def _record(actor, action, nomination, before):
    audit_record(
        actor=actor,
        action=action,
        obj=nomination,
        changes=diff(before, snapshot(nomination, STATUS_FIELDS)),
        scope=("reviews.review", nomination.review_id),
    )


@transaction.atomic
def nomination_council(
    *, actor, nomination: Nomination, recommend: bool, note: str = ""
) -> Nomination:
    """The emulation council (through its office, the secretariat) recommends or not."""
    if not _is(actor, Role.SECRETARIAT):
        raise policy.NotFound
    nomination = _locked(nomination)
    if nomination.status != NominationStatus.PROPOSED:
        raise ServiceError(_("Đề nghị này đã qua hội đồng thi đua."))
    before = snapshot(nomination, STATUS_FIELDS)
    nomination.status = (
        NominationStatus.RECOMMENDED if recommend else NominationStatus.NOT_RECOMMENDED
    )
    nomination.council_note = nfc(note)[:500]
    nomination.save()
    _record(actor, "nomination.council", nomination, before)
    return nomination


def _is_head_of(actor, agency_id: int) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role == Role.LEADER and actor.agency_id == agency_id
    )


@transaction.atomic
def nomination_consent(*, actor, nomination: Nomination) -> Nomination:
    """The partner agency's head agrees that its staff be commended by the other agency."""
    nomination = _locked(nomination)
    if not nomination.needs_partner_consent or not _is_head_of(actor, nomination.nominee_agency_id):
        raise policy.NotFound
    if nomination.partner_consent_at is not None:
        raise ServiceError(_("Cơ quan quản lý đã đồng ý."))
    before = snapshot(nomination, STATUS_FIELDS)
    nomination.partner_consent_by = None if policy.is_system(actor) else actor
    nomination.partner_consent_at = timezone.now()
    nomination.save()
    _record(actor, "nomination.consent", nomination, before)
    return nomination


@transaction.atomic
def nomination_decide(
    *,
    actor,
    nomination: Nomination,
    approve: bool,
    decision_number: str = "",
    decision_date: dt.date | None = None,
) -> Nomination:
    """The awarding agency's head decides; the decision carries its number and date."""
    nomination = _locked(nomination)
    if not _is_head_of(actor, nomination.awarding_agency_id):
        raise policy.NotFound
    if nomination.status != NominationStatus.RECOMMENDED:
        raise ServiceError(_("Chỉ quyết định đề nghị đã được hội đồng thi đua đề nghị khen."))
    errors = {}
    if approve:
        if nomination.needs_partner_consent and nomination.partner_consent_at is None:
            raise ServiceError(_("Cần cơ quan quản lý người được khen đồng ý trước."))
        nominee = (
            {"user": nomination.nominee_user}
            if nomination.nominee_user_id
            else {"unit": nomination.nominee_unit}
        )
        if pending_discipline(**nominee):
            raise ServiceError(
                _("Người hoặc tập thể được đề nghị đang có vụ việc kỷ luật chưa kết thúc.")
            )
        if not nfc(decision_number):
            errors["decision_number"] = _("Cần nhập số quyết định.")
        if decision_date is None:
            errors["decision_date"] = _("Cần nhập ngày quyết định.")
        if errors:
            raise ServiceError(errors)
    before = snapshot(nomination, STATUS_FIELDS)
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REFUSED
    nomination.decided_by = None if policy.is_system(actor) else actor
    nomination.decision_number = nfc(decision_number)[:64] if approve else ""
    nomination.decision_date = decision_date if approve else None
    nomination.save()
    _record(actor, "nomination.decide", nomination, before)
    return nomination
