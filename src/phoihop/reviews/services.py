"""Opening, recomputing and closing a periodic review."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES, Role
from phoihop.accounts.models import Unit
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.regulations.choices import AmendmentOrigin, AmendmentStatus, RegulationStatus
from phoihop.regulations.models import Clause, Regulation
from phoihop.reviews.choices import (
    HEADLINE_KEYS,
    AssessmentStatus,
    ProposalStatus,
    ReviewKind,
    ReviewStatus,
)
from phoihop.reviews.models import AmendmentProposal, Assessment, Conference, Review
from phoihop.reviews.statistics import compute_statistics


def may_manage(actor) -> bool:
    """Reviews are run by the secretariat."""
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role == Role.SECRETARIAT
    )


def regulation_warnings(regulation: Regulation, date_from: dt.date, date_to: dt.date) -> list[str]:
    """Why the period may not fit the regulation: kept with the review and shown on it."""
    warnings = []
    if regulation.status != RegulationStatus.SIGNED:
        warnings.append(_("Quy chế chưa được các bên ký, chưa có hiệu lực."))
    if regulation.effective_from and date_from < regulation.effective_from:
        warnings.append(
            _("Kỳ bắt đầu trước ngày quy chế có hiệu lực (%(d)s).")
            % {"d": regulation.effective_from.strftime("%d/%m/%Y")}
        )
    if regulation.effective_to and date_to > regulation.effective_to:
        warnings.append(
            _("Kỳ kết thúc sau ngày quy chế hết hiệu lực (%(d)s).")
            % {"d": regulation.effective_to.strftime("%d/%m/%Y")}
        )
    return warnings


def _compute(actor, regulation, date_from, date_to) -> dict:
    # The review counts every dossier of the regulation: the secretariat holds the
    # aggregate right, and the figures carry no dossier content.
    return compute_statistics(
        actor=actor, date_from=date_from, date_to=date_to, regulation=regulation
    )


def headline(statistics: dict) -> dict:
    return {key: statistics.get(key) for key in HEADLINE_KEYS}


@transaction.atomic
def review_open(
    *,
    actor,
    regulation: Regulation,
    date_from: dt.date,
    date_to: dt.date,
    kind: str = ReviewKind.INTERIM,
    title: str = "",
    classification: int = Classification.THUONG,
) -> Review:
    """Open a review of `regulation` over a period; its statistics are computed and frozen."""
    if not may_manage(actor):
        raise policy.NotFound
    errors = {}
    if kind not in ReviewKind.values:
        errors["kind"] = _("Loại không hợp lệ.")
    if classification not in Classification.values:
        errors["classification"] = _("Độ mật không hợp lệ.")
    elif not policy.is_system(actor) and classification > actor.clearance:
        errors["classification"] = _(
            "Độ mật cao hơn tiêu chuẩn của bạn: bạn sẽ không đọc được đợt này."
        )
    if date_to < date_from:
        errors["date_to"] = _("Ngày cuối kỳ phải sau ngày đầu kỳ.")
    if errors:
        raise ServiceError(errors)
    title = nfc(title) or _("%(kind)s thực hiện %(reg)s, %(a)s – %(b)s") % {
        "kind": ReviewKind(kind).label,
        "reg": regulation.number_symbol or regulation.code,
        "a": date_from.strftime("%d/%m/%Y"),
        "b": date_to.strftime("%d/%m/%Y"),
    }
    review = Review.objects.create(
        regulation=regulation,
        kind=kind,
        title=title[:255],
        period_from=date_from,
        period_to=date_to,
        statistics=_compute(actor, regulation, date_from, date_to),
        computed_at=timezone.now(),
        computed_by=None if policy.is_system(actor) else actor,
        warnings=regulation_warnings(regulation, date_from, date_to),
        classification=classification,
        created_by=None if policy.is_system(actor) else actor,
    )
    audit_record(
        actor=actor,
        action="review.open",
        obj=review,
        changes={
            **snapshot(
                review,
                ["regulation", "kind", "title", "period_from", "period_to", "classification"],
            ),
            "headline": headline(review.statistics),
        },
    )
    return review


def _open_review_for_change(actor, review: Review) -> Review:
    if not may_manage(actor):
        raise policy.NotFound
    review = policy.get_or_404(
        Review.objects.select_for_update(), actor, policy.CHANGE, pk=review.pk
    )
    if review.is_closed:
        raise ServiceError(_("Đợt sơ kết, tổng kết đã kết thúc, không sửa được."))
    return review


@transaction.atomic
def review_recompute(*, actor, review: Review) -> Review:
    """Recompute the frozen statistics from today's data; the change is audited."""
    review = _open_review_for_change(actor, review)
    before = headline(review.statistics)
    review.statistics = _compute(actor, review.regulation, review.period_from, review.period_to)
    review.computed_at = timezone.now()
    review.computed_by = None if policy.is_system(actor) else actor
    review.save(update_fields=["statistics", "computed_at", "computed_by", "updated_at"])
    after = headline(review.statistics)
    audit_record(
        actor=actor,
        action="review.recompute",
        obj=review,
        changes={
            k: [before.get(k), after.get(k)] for k in HEADLINE_KEYS if before.get(k) != after.get(k)
        },
    )
    return review


@transaction.atomic
def review_close(*, actor, review: Review) -> Review:
    """End the review: from then on its figures and parts are read-only."""
    review = _open_review_for_change(actor, review)
    review.status = ReviewStatus.CLOSED
    review.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="review.close",
        obj=review,
        changes={"status": [ReviewStatus.OPEN, ReviewStatus.CLOSED]},
    )
    return review


def previous_review(review: Review) -> Review | None:
    """The latest review of the same regulation that ended before this one began."""
    return (
        Review.objects.filter(regulation=review.regulation, period_to__lt=review.period_from)
        .order_by("-period_to", "-id")
        .first()
    )


def comparison(review: Review, previous: Review | None) -> list[dict]:
    """Each headline figure with the previous review's and the difference."""
    now = headline(review.statistics)
    then = headline(previous.statistics) if previous else {}
    rows = []
    for key in HEADLINE_KEYS:
        value, old = now.get(key), then.get(key)
        rows.append(
            {
                "key": key,
                "value": value,
                "previous": old,
                "delta": None if old is None or value is None else value - old,
            }
        )
    return rows


# --- the units' assessments, the proposals, the conference -----------------------------------

ASSESSMENT_FIELDS = ("results", "shortcomings", "causes", "lessons", "directions")


def expected_units(review: Review):
    """The units that owe an assessment: every unit of every domestic party to the regulation."""
    return (
        Unit.objects.filter(agency__in=review.regulation.parties.all(), agency__kind="domestic")
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def review_for_unit_member(actor, pk) -> Review:
    """The review as a unit's member reaches it: their agency must be a party to its regulation."""
    if policy.is_system(actor):
        return Review.objects.select_related("regulation").get(pk=pk)
    if not policy.is_active_user(actor) or actor.agency_id is None:
        raise policy.NotFound
    review = (
        Review.objects.select_related("regulation")
        .filter(pk=pk, regulation__parties=actor.agency_id)
        .first()
    )
    if review is None:
        review = policy.get_or_404(Review.objects.select_related("regulation"), actor, pk=pk)
    return review


def _may_write_for(actor, unit: Unit) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role in CASEWORK_ROLES and actor.unit_id == unit.pk
    )


def _writable(actor, review: Review, unit: Unit) -> Review:
    if not _may_write_for(actor, unit):
        raise policy.NotFound
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.is_closed:
        raise ServiceError(_("Đợt sơ kết, tổng kết đã kết thúc, không sửa được."))
    if not expected_units(review).filter(pk=unit.pk).exists():
        raise policy.NotFound
    return review


@transaction.atomic
def assessment_save(
    *, actor, review: Review, unit: Unit, submit: bool = False, **fields: str
) -> Assessment:
    """Save a unit's assessment as a draft or submit it; a new submission replaces the old."""
    review = _writable(actor, review, unit)
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ServiceError({f: _("Không được sửa trường này.") for f in sorted(unknown)})
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        review=review, unit=unit
    )
    before = snapshot(assessment, [*ASSESSMENT_FIELDS, "status"])
    for name, value in fields.items():
        setattr(assessment, name, nfc(value or ""))
    if submit:
        if not assessment.results.strip():
            raise ServiceError({"results": _("Cần nêu kết quả thực hiện trước khi gửi.")})
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = None if policy.is_system(actor) else actor
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.submit" if submit else "assessment.save",
        obj=assessment,
        changes=diff(before, snapshot(assessment, [*ASSESSMENT_FIELDS, "status"])),
        scope=("reviews.review", review.pk),
    )
    return assessment


@transaction.atomic
def proposal_add(*, actor, assessment: Assessment, clause: Clause, text: str) -> AmendmentProposal:
    """A proposal to amend a clause of the regulation under review."""
    _writable(actor, assessment.review, assessment.unit)
    text = nfc(text)
    errors = {}
    if clause.article.chapter.regulation_id != assessment.review.regulation_id:
        errors["clause"] = _("Khoản này không thuộc quy chế đang sơ kết, tổng kết.")
    if not text:
        errors["text"] = _("Cần nêu nội dung đề xuất sửa đổi.")
    if errors:
        raise ServiceError(errors)
    proposal = AmendmentProposal.objects.create(assessment=assessment, clause=clause, text=text)
    audit_record(actor=actor, action="proposal.add", obj=proposal, changes=snapshot(proposal))
    return proposal


@transaction.atomic
def assessment_remind(*, actor, review: Review, unit: Unit) -> Assessment:
    """The secretariat reminds a unit that has not submitted."""
    review = _open_review_for_change(actor, review)
    if not expected_units(review).filter(pk=unit.pk).exists():
        raise policy.NotFound
    assessment, _created = Assessment.objects.get_or_create(review=review, unit=unit)
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise ServiceError(_("Đơn vị đã gửi báo cáo."))
    assessment.reminded_at = timezone.now()
    assessment.save(update_fields=["reminded_at", "updated_at"])
    audit_record(
        actor=actor,
        action="assessment.remind",
        obj=assessment,
        changes={"reminded_at": assessment.reminded_at},
        scope=("reviews.review", review.pk),
    )
    return assessment


CONFERENCE_FIELDS = ("held_on", "place", "chairs", "participants", "conclusions")


@transaction.atomic
def conference_save(*, actor, review: Review, **fields) -> Conference:
    """Record the review conference: date, place, chairs, participants, conclusions."""
    review = _open_review_for_change(actor, review)
    errors = {}
    if not fields.get("held_on"):
        errors["held_on"] = _("Cần nhập ngày tổ chức hội nghị.")
    elif fields["held_on"] < review.period_to:
        errors["held_on"] = _("Hội nghị tổ chức sau khi kết thúc kỳ sơ kết, tổng kết.")
    if not nfc(fields.get("place") or ""):
        errors["place"] = _("Cần nhập địa điểm.")
    if not nfc(fields.get("chairs") or ""):
        errors["chairs"] = _("Cần nhập người chủ trì.")
    if errors:
        raise ServiceError(errors)
    conference = Conference.objects.filter(review=review).first() or Conference(review=review)
    before = snapshot(conference, list(CONFERENCE_FIELDS)) if conference.pk else {}
    for name in CONFERENCE_FIELDS:
        value = fields.get(name)
        setattr(conference, name, nfc(value) if isinstance(value, str) else value)
    conference.save()
    audit_record(
        actor=actor,
        action="conference.save",
        obj=conference,
        changes=diff(before, snapshot(conference, list(CONFERENCE_FIELDS))),
    )
    return conference


@transaction.atomic
def proposal_decide(*, actor, proposal: AmendmentProposal, accept: bool) -> AmendmentProposal:
    """The secretariat accepts or rejects a proposal; an accepted one becomes a draft
    amendment of its clause for the regulation's next version, linked back to the review."""
    from phoihop.regulations.models import ClauseAmendment

    proposal = (
        AmendmentProposal.objects.select_for_update(of=("self",))
        .select_related("assessment__review", "assessment__unit")
        .get(pk=proposal.pk)
    )
    _open_review_for_change(actor, proposal.assessment.review)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ServiceError(_("Đề xuất này đã được xử lý."))
    before = snapshot(proposal, ["status"])
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="proposal.decide",
        obj=proposal,
        changes=diff(before, snapshot(proposal, ["status"])),
    )
    if accept:
        # Accepting the proposal is the secretariat's decision on the amendment too: it
        # starts accepted, ready to be merged into the next version. The rationale names
        # where it came from, not the assessment's text: every user reads amendments,
        # while a review may be classified.
        assessment = proposal.assessment
        amendment = ClauseAmendment.objects.create(
            clause=proposal.clause,
            text=proposal.text,
            rationale=_("Đề xuất của %(unit)s tại %(review)s.")
            % {"unit": assessment.unit.name, "review": assessment.review.title},
            origin=AmendmentOrigin.REVIEW,
            status=AmendmentStatus.ACCEPTED,
            unit=assessment.unit,
            proposed_by=assessment.submitted_by,
            decided_by=None if policy.is_system(actor) else actor,
            decided_at=timezone.now(),
            source_proposal=proposal,
            source_review=assessment.review,
        )
        audit_record(
            actor=actor, action="amendment.draft", obj=amendment, changes=snapshot(amendment)
        )
    return proposal
