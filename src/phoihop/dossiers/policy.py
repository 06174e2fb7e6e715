"""Who may see and work which dossier.

A dossier is visible to users of its lead and supporting agencies whose
clearance reaches its classification; a Tuyệt mật dossier, only to users also
named on it. Provincial oversight and administrators see no dossier; the
aggregate action (statistics) is open to the roles that read figures over a
whole regulation. Everything hanging off a dossier follows the dossier.
"""

from django.db.models import Exists, OuterRef, Q

from phoihop.accounts.choices import AGGREGATE_ROLES, CASEWORK_ROLES
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.dossiers.models import (
    Attachment,
    CopyRecord,
    CopyRequest,
    Dossier,
    DossierParty,
    Message,
    Task,
    TimelineEvent,
)


def visible_dossiers_q(actor, prefix: str = "") -> Q:
    """A Q over Dossier (or a model reaching it through `prefix`) for what `actor` sees."""
    if getattr(actor, "role", None) not in CASEWORK_ROLES or actor.agency_id is None:
        return Q(pk__in=[])
    pk = f"{prefix}pk" if not prefix else f"{prefix}id"
    classification = f"{prefix}classification"
    # A correlated EXISTS, not `pk__in`: both engines then walk the list's own index in
    # order and probe the (dossier, agency) unique index for each row, stopping at the
    # page's LIMIT; SQLite would otherwise build the whole IN list first.
    party = DossierParty.objects.filter(dossier_id=OuterRef(pk), agency_id=actor.agency_id)
    q = Q(Exists(party)) & Q(**{f"{classification}__lte": actor.clearance})
    if actor.clearance < Classification.TUYET_MAT:
        return q
    named = Dossier.named_users.through.objects.filter(dossier_id=OuterRef(pk), user_id=actor.pk)
    return q & (Q(**{f"{classification}__lt": Classification.TUYET_MAT}) | Q(Exists(named)))


def aggregates_all(actor, action) -> bool:
    """Whether `actor` counts over every dossier (and what hangs off it) for `action`."""
    return action == policy.AGGREGATE and actor.role in AGGREGATE_ROLES


@policy.register(Dossier)
def dossier_rule(actor, action, queryset):
    if aggregates_all(actor, action):
        return queryset
    return queryset.filter(visible_dossiers_q(actor))


def _follows_dossier(actor, action, queryset):
    if aggregates_all(actor, action):
        return queryset
    return queryset.filter(visible_dossiers_q(actor, prefix="dossier__"))


for _model in (DossierParty, Task, CopyRequest, CopyRecord):
    policy.register(_model)(_follows_dossier)


# A letter and its files also carry their own level: a reader must be cleared for
# it, even where its dossier was later classified lower.
@policy.register(Message)
@policy.register(TimelineEvent)
def message_rule(actor, action, queryset):
    return queryset.filter(
        visible_dossiers_q(actor, prefix="dossier__"), classification__lte=actor.clearance
    )


@policy.register(Attachment)
def attachment_rule(actor, action, queryset):
    return queryset.filter(
        visible_dossiers_q(actor, prefix="message__dossier__"),
        message__classification__lte=actor.clearance,
    )
