"""Who reads and runs reviews.

A review holds figures over every dossier of a regulation (counts, no dossier
content): it is read by the roles that read whole-regulation figures (leaders,
the secretariat, provincial oversight) whose clearance reaches the review's level,
and run by the secretariat (with the same clearance).
"""

from phoihop.accounts.choices import AGGREGATE_ROLES, CASEWORK_ROLES, Role
from phoihop.core import policy
from phoihop.reviews.models import AmendmentProposal, Assessment, Conference, Review


@policy.register(Review)
def review_rule(actor, action, queryset):
    cleared = queryset.filter(classification__lte=actor.clearance)
    if action == policy.CHANGE:
        return cleared if actor.role == Role.SECRETARIAT else queryset.none()
    return cleared if actor.role in AGGREGATE_ROLES else queryset.none()


@policy.register(Conference)
def conference_rule(actor, action, queryset):
    return queryset.filter(review__in=review_rule(actor, action, Review.objects.all()))


@policy.register(Assessment)
def assessment_rule(actor, action, queryset):
    """The secretariat, leaders and oversight read every unit's part; a unit writes its own."""
    own = queryset.filter(unit_id=actor.unit_id) if actor.unit_id else queryset.none()
    if action == policy.CHANGE:
        return own if actor.role in CASEWORK_ROLES else queryset.none()
    if actor.role in AGGREGATE_ROLES:
        return queryset
    return own if actor.role in CASEWORK_ROLES else queryset.none()


@policy.register(AmendmentProposal)
def proposal_rule(actor, action, queryset):
    return queryset.filter(assessment__in=assessment_rule(actor, action, Assessment.objects.all()))
