"""Regulations are not secret among the agencies: every signed-in user reads them."""

from phoihop.accounts.choices import Role
from phoihop.core import policy
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    ClauseAmendment,
    CrimeType,
    Point,
    Regulation,
    Responsibility,
)

_EDITORS = {Role.SECRETARIAT, Role.ADMINISTRATOR}


def may_edit(actor) -> bool:
    """Drafting regulations belongs to the secretariat and administrators."""
    if policy.is_system(actor):
        return True
    return policy.is_active_user(actor) and actor.role in _EDITORS


def _read_all(actor, action, queryset):
    if action == policy.CHANGE:
        return queryset if may_edit(actor) else queryset.none()
    return queryset


for _model in (
    Regulation,
    Chapter,
    Article,
    Clause,
    Point,
    Responsibility,
    Category,
    CrimeType,
    ClauseAmendment,
):
    policy.register(_model)(_read_all)
