"""Who sees nominations and discipline flags.

Nominations are read by the roles that run and decide commendations (leaders,
the secretariat as the emulation council's office, provincial oversight) and by
the nominee. Discipline flags are read by the leaders of the person's or unit's
agency and by the secretariat; nobody else learns that one exists.
"""

from django.db.models import Q

from phoihop.accounts.choices import AGGREGATE_ROLES, Role
from phoihop.awards.models import DisciplineFlag, Nomination
from phoihop.core import policy


@policy.register(Nomination)
def nomination_rule(actor, action, queryset):
    if action != policy.VIEW:
        return queryset.none()  # decisions go through the services
    if actor.role in AGGREGATE_ROLES:
        return queryset
    return queryset.filter(nominee_user=actor)


@policy.register(DisciplineFlag)
def discipline_rule(actor, action, queryset):
    if actor.role == Role.SECRETARIAT:
        return queryset
    if actor.role == Role.LEADER and actor.agency_id:
        return queryset.filter(
            Q(user__agency_id=actor.agency_id) | Q(unit__agency_id=actor.agency_id)
        )
    return queryset.none()
