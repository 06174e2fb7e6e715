"""Reads of persons' data that other apps show (the dashboard)."""

from phoihop.accounts.choices import AgencyKind
from phoihop.core import policy
from phoihop.subjects.choices import VerificationState
from phoihop.subjects.models import Verification

DASHBOARD_ROWS = 15
VERIFICATION_RELATED = ("subject", "dossier", "requested_by", "requested_of")


def dashboard_verifications(user, today, horizon) -> dict:
    """The open requests `user`'s agency must act on, for the dashboard: four queries.

    To answer: requests to the agency due by `horizon` (overdue ones first). To chase:
    the agency's requests to a foreign counterpart past their due date.
    """
    if user.agency_id is None:
        return {}
    open_ = policy.restrict(Verification.objects.all(), user).filter(
        state=VerificationState.SENT, due_on__isnull=False
    )
    to_answer = open_.filter(requested_of_id=user.agency_id, due_on__lte=horizon)
    to_chase = open_.filter(
        requested_by_id=user.agency_id,
        requested_of__kind=AgencyKind.FOREIGN,
        due_on__lt=today,
    )
    return {
        "verifications_to_answer": list(
            to_answer.select_related(*VERIFICATION_RELATED).order_by("due_on", "id")[
                :DASHBOARD_ROWS
            ]
        ),
        "verifications_to_answer_overdue": to_answer.filter(due_on__lt=today).count(),
        "verifications_to_chase": list(
            to_chase.select_related(*VERIFICATION_RELATED).order_by("due_on", "id")[:DASHBOARD_ROWS]
        ),
        "verifications_to_chase_count": to_chase.count(),
    }
