"""Audit events: administrators read the whole trail; others, the events they caused."""

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core import policy


@policy.register(AuditEvent)
def audit_event_rule(actor, action, queryset):
    if action != policy.VIEW:
        return queryset.none()  # append-only: nobody changes an event
    if actor.role == Role.ADMINISTRATOR:
        return queryset
    return queryset.filter(actor_id=actor.pk)
