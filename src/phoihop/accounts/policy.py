"""Access rules for agencies, units and users."""

from phoihop.accounts.choices import Role
from phoihop.accounts.models import Agency, Unit, User
from phoihop.core import policy


@policy.register(Agency)
def agency_rule(actor, action, queryset):
    # Agency and unit names are not secret; any signed-in user reads them.
    if action == policy.CHANGE:
        return queryset if actor.role == Role.ADMINISTRATOR else queryset.none()
    return queryset


@policy.register(Unit)
def unit_rule(actor, action, queryset):
    if action == policy.CHANGE:
        return queryset if actor.role == Role.ADMINISTRATOR else queryset.none()
    return queryset


@policy.register(User)
def user_rule(actor, action, queryset):
    if actor.role == Role.ADMINISTRATOR:
        return queryset
    if action == policy.CHANGE:
        return queryset.filter(pk=actor.pk)
    return queryset.filter(agency_id=actor.agency_id)
