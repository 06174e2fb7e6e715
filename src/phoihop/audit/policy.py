"""Who may read which audit event: whoever may see the object it is about.

An event carries a scope (the dossier of a task, the person of an identity
document, the object itself otherwise). It is readable exactly when the scope
object is visible under that object's own rule, so an audit entry never shows
what its object would hide. Account events are for administrators and the
account's own user; events without a scope, for administrators.
"""

from django.apps import apps
from django.db.models import Q

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core import policy

ACCOUNT_SCOPES = ("accounts.user",)
ADMIN_ONLY_SCOPES = ("accounts.agency", "accounts.unit", "")


def _visible_scope_q(actor, label: str) -> Q:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return Q(pk__in=[])
    visible = policy.restrict(model._default_manager.all(), actor, policy.VIEW)
    return Q(scope_type=label, scope_id__in=visible.values("pk"))


def readable_events_q(actor, scope_types: list[str]) -> Q:
    """A Q over AuditEvent for the events of `scope_types` that `actor` may read."""
    is_admin = actor.role == Role.ADMINISTRATOR
    q = Q(pk__in=[])
    for label in scope_types:
        if label in ACCOUNT_SCOPES:
            q |= Q(scope_type=label) if is_admin else Q(scope_type=label, scope_id=actor.pk)
        elif label in ADMIN_ONLY_SCOPES:
            if is_admin:
                q |= Q(scope_type=label)
        else:
            q |= _visible_scope_q(actor, label)
    return q


@policy.register(AuditEvent)
def audit_event_rule(actor, action, queryset):
    if action != policy.VIEW:
        return queryset.none()  # append-only: nobody changes an event
    labels = {m._meta.label_lower for m in policy.registered_models()} - {"audit.auditevent"}
    return queryset.filter(readable_events_q(actor, sorted(labels | {""})))
