"""Opening, recomputing and closing a periodic review."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import Role
from phoihop.audit.services import audit_record, snapshot
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.regulations.choices import RegulationStatus
from phoihop.regulations.models import Regulation
from phoihop.reviews.choices import HEADLINE_KEYS, ReviewKind, ReviewStatus
from phoihop.reviews.models import Review
from phoihop.reviews.statistics import compute_statistics


def may_manage(actor) -> bool:
    """Reviews are run by the secretariat."""
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role == Role.SECRETARIAT
    )


def regulation_warnings(regulation: Regulation, date_from: dt.date, date_to: dt.date) -> list[str]:
    """Why the period may not fit the regulation: kept with the review and shown on it."""
    warnings = []
    if regulation.status == RegulationStatus.DRAFT:
        warnings.append(_("Quy chế còn là dự thảo, chưa có hiệu lực."))
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
) -> Review:
    """Open a review of `regulation` over a period; its statistics are computed and frozen."""
    if not may_manage(actor):
        raise policy.NotFound
    errors = {}
    if kind not in ReviewKind.values:
        errors["kind"] = _("Loại không hợp lệ.")
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
        created_by=None if policy.is_system(actor) else actor,
    )
    audit_record(
        actor=actor,
        action="review.open",
        obj=review,
        changes={
            **snapshot(review, ["regulation", "kind", "title", "period_from", "period_to"]),
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
