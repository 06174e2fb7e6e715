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
    ImportJob,
    Subject,
    SubjectAccess,
    SubjectAddress,
    SubjectMerge,
    Verification,
)


def _seen_q(actor, ref: OuterRef, owner_q: Q) -> Q:
    visible_dossiers = Dossier.objects.filter(visible_dossiers_q(actor)).values("pk")
    seen_in_dossier = DossierSubject.objects.filter(subject_id=ref, dossier_id__in=visible_dossiers)
    in_any_dossier = DossierSubject.objects.filter(subject_id=ref)
    return Q(Exists(seen_in_dossier)) | (~Q(Exists(in_any_dossier)) & owner_q)


def visible_subjects_q(actor, prefix: str = "") -> Q:
    if getattr(actor, "role", None) not in CASEWORK_ROLES or actor.agency_id is None:
        return Q(pk__in=[])
    own = _seen_q(
        actor,
        OuterRef(f"{prefix}id" if prefix else "pk"),
        Q(**{f"{prefix}owner_agency_id": actor.agency_id}),
    )
    # A record merged into another has no dossier of its own any more (they moved to the
    # kept one): whoever sees the kept record sees it, and may undo the merge.
    kept = OuterRef(f"{prefix}merged_into_id")
    through_kept = _seen_q(
        actor,
        kept,
        Q(Exists(Subject.objects.filter(pk=kept, owner_agency_id=actor.agency_id))),
    )
    # The first branch is unchanged for the records not merged (nearly all): the second one
    # is cut short by `merged_into IS NOT NULL` for them.
    return own | (Q(**{f"{prefix}merged_into__isnull": False}) & through_kept)


@policy.register(Subject)
def subject_rule(actor, action, queryset):
    return queryset.filter(visible_subjects_q(actor))


@policy.register(IdentityDocument)
def identity_document_rule(actor, action, queryset):
    return queryset.filter(visible_subjects_q(actor, prefix="subject__"))


@policy.register(SubjectAddress)
def subject_address_rule(actor, action, queryset):
    return queryset.filter(visible_subjects_q(actor, prefix="subject__"))


@policy.register(SubjectMerge)
def subject_merge_rule(actor, action, queryset):
    """A merge is seen, and undone, by whoever sees both records."""
    return queryset.filter(
        visible_subjects_q(actor, prefix="kept__"), visible_subjects_q(actor, prefix="merged__")
    )


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


@policy.register(ImportJob)
def import_job_rule(actor, action, queryset):
    """An import's file holds personal data: only the officer who uploaded it sees it."""
    if getattr(actor, "role", None) not in CASEWORK_ROLES:
        return queryset.none()
    return queryset.filter(created_by=actor, agency_id=actor.agency_id)
