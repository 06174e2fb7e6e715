"""Who reads and runs reviews.

A review holds figures over every dossier of a regulation (counts, no dossier
content): it is read by the roles that read whole-regulation figures (leaders,
the secretariat, provincial oversight) and run by the secretariat.
"""

from phoihop.accounts.choices import AGGREGATE_ROLES, Role
from phoihop.core import policy
from phoihop.reviews.models import Review


@policy.register(Review)
def review_rule(actor, action, queryset):
    if action == policy.CHANGE:
        return queryset if actor.role == Role.SECRETARIAT else queryset.none()
    return queryset if actor.role in AGGREGATE_ROLES else queryset.none()
