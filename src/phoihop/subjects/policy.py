"""Who may see which person.

A person is visible through the dossiers: to whoever sees at least one dossier
the person appears in. A record not yet linked to any dossier is visible to
the casework users of the agency that registered it. Nobody else, and no
oversight role, sees a person's data.
"""

from django.db.models import Exists, OuterRef, Q

from phoihop.accounts.choices import CASEWORK_ROLES, Role
from phoihop.core import policy
from phoihop.dossiers.models import Dossier
from phoihop.dossiers.policy import aggregates_all, visible_dossiers_q
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAccess,
    Verification,
)


def visible_subjects_q(actor, prefix: str = "") -> Q:
    if getattr(actor, "role", None) not in CASEWORK_ROLES or actor.agency_id is None:
        return Q(pk__in=[])
    ref = OuterRef(f"{prefix}id" if prefix else "pk")
    visible_dossiers = Dossier.objects.filter(visible_dossiers_q(actor)).values("pk")
    seen_in_dossier = DossierSubject.objects.filter(subject_id=ref, dossier_id__in=visible_dossiers)
    in_any_dossier = DossierSubject.objects.filter(subject_id=ref)
    return Q(Exists(seen_in_dossier)) | (
        ~Q(Exists(in_any_dossier)) & Q(**{f"{prefix}owner_agency_id": actor.agency_id})
    )


@policy.register(Subject)
def subject_rule(actor, action, queryset):
    return queryset.filter(visible_subjects_q(actor))


@policy.register(IdentityDocument)
def identity_document_rule(actor, action, queryset):
    return queryset.filter(visible_subjects_q(actor, prefix="subject__"))


@policy.register(DossierSubject)
def dossier_subject_rule(actor, action, queryset):
    return queryset.filter(visible_dossiers_q(actor, prefix="dossier__"))


@policy.register(Verification)
def verification_rule(actor, action, queryset):
    if aggregates_all(actor, action):
        return queryset
    return queryset.filter(visible_dossiers_q(actor, prefix="dossier__"))


@policy.register(SubjectAccess)
def subject_access_rule(actor, action, queryset):
    """Leaders read the log of their own agency's users and of the persons they may see.

    A log row about a person the leader may not see is listed (it is their
    user's action) but the page must not name the person: see the read-log view.
    """
    if action != policy.VIEW or actor.role != Role.LEADER or actor.agency_id is None:
        return queryset.none()
    return queryset.filter(
        Q(user__agency_id=actor.agency_id) | visible_subjects_q(actor, prefix="subject__")
    )
