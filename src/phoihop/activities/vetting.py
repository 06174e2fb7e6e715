"""Checking an activity's members against the person registry.

A member needs attention when the person, or a record that is strongly the same
person, appears where the vetting agency has worked before:

* in a criminal or border dossier (any role: suspect, victim, witness…);
* in a verification request still waiting for its answer;
* as a member of an earlier activity the vetting agency did not agree to.

"Strongly the same person": the same record (or the record it was merged into),
or a candidate of `subjects.matching` sharing an identity document number, or
scoring at least `STRONG_SCORE` with a whole name form agreeing and the birth
year agreeing. Only dossiers the vetting agency is a party to are searched: the
vetting officer is never told of work of agencies they do not share.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from phoihop.activities.choices import Opinion
from phoihop.activities.models import Activity, ActivityMember
from phoihop.core.policy import SYSTEM
from phoihop.regulations.choices import CategoryKind
from phoihop.subjects.choices import Sex, VerificationState
from phoihop.subjects.matching import Candidate
from phoihop.subjects.models import DossierSubject, Subject, Verification

STRONG_SCORE = 90
HIT_KINDS = {
    CategoryKind.JOINT_CRIMINAL: "criminal",
    CategoryKind.BORDER_INCIDENT: "border",
}


def _is_strong(candidate: Candidate) -> bool:
    verdicts = {(r.field, r.verdict) for r in candidate.reasons}
    if ("document", "agree") in verdicts:
        return True
    return (
        candidate.score >= STRONG_SCORE
        and ("name", "agree") in verdicts
        and ("birth", "agree") in verdicts
    )


def strong_matches(subject: Subject) -> dict[int, Candidate | None]:
    """{person id: the candidate (None for the record itself)} of records that are this person."""
    from phoihop.subjects.services import subject_likely_duplicates

    found: dict[int, Candidate | None] = {subject.pk: None}
    if subject.merged_into_id:
        found[subject.merged_into_id] = None
    fields = {
        f: getattr(subject, f)
        for f in (
            "full_name",
            "native_name",
            "latin_name",
            "han_viet",
            "pinyin",
            "aliases",
            "birth_year",
            "birth_month",
            "birth_day",
            "nationality",
        )
    }
    fields["sex"] = "" if subject.sex == Sex.UNKNOWN else subject.sex
    numbers = list(subject.documents.values_list("number", flat=True))
    for candidate in subject_likely_duplicates(
        actor=SYSTEM, fields=fields, documents=numbers, exclude=subject, limit=10
    ):
        if candidate.id not in found and _is_strong(candidate):
            found[candidate.id] = candidate
    return found


def _via(candidate: Candidate | None) -> str:
    if candidate is None:
        return ""
    return " " + _("(qua hồ sơ đối tượng «%(name)s» trùng khớp %(score)d/100)") % {
        "name": candidate.subject.full_name,
        "score": candidate.score,
    }


def member_hits(
    member: ActivityMember, *, activity: Activity, agency_id: int | None
) -> list[dict[str, Any]]:
    """The reasons why `member` needs attention, in the vetting agency's records."""
    if agency_id is None:
        return []
    persons = strong_matches(member.subject)
    ids = list(persons)
    reasons: list[dict[str, Any]] = []
    links = (
        DossierSubject.objects.filter(
            subject_id__in=ids,
            dossier__category__kind__in=list(HIT_KINDS),
            dossier__parties__agency_id=agency_id,
        )
        .exclude(dossier_id=activity.dossier_id)
        .select_related("dossier__category")
        .order_by("dossier__opened_on", "dossier_id", "id")
    )
    for link in links:
        kind = HIT_KINDS[link.dossier.category.kind]
        if kind == "criminal":
            text = _("Có tên trong hồ sơ vụ án hình sự %(ref)s (%(role)s)")
        else:
            text = _("Có tên trong hồ sơ vụ việc biên giới %(ref)s (%(role)s)")
        reasons.append(
            {
                "kind": kind,
                "text": (
                    text % {"ref": link.dossier.reference, "role": link.get_role_display()}
                    + _via(persons[link.subject_id])
                    + "."
                ),
                "dossier": link.dossier_id,
                "reference": link.dossier.reference,
                "subject": link.subject_id,
            }
        )
    verifications = (
        Verification.objects.filter(
            subject_id__in=ids,
            state=VerificationState.SENT,
            dossier__parties__agency_id=agency_id,
        )
        .select_related("dossier", "requested_of")
        .order_by("requested_on", "id")
    )
    for v in verifications:
        reasons.append(
            {
                "kind": "verification",
                "text": (
                    _(
                        "Đang có yêu cầu xác minh gửi %(agency)s ngày %(on)s chưa được trả lời "
                        "(hồ sơ %(ref)s)"
                    )
                    % {
                        "agency": v.requested_of.short_name,
                        "on": f"{v.requested_on:%d/%m/%Y}",
                        "ref": v.dossier.reference,
                    }
                    + _via(persons[v.subject_id])
                    + "."
                ),
                "verification": v.pk,
                "dossier": v.dossier_id,
                "reference": v.dossier.reference,
                "subject": v.subject_id,
            }
        )
    refusals = (
        ActivityMember.objects.filter(
            subject_id__in=ids,
            activity__opinion=Opinion.DISAGREE,
            activity__dossier__parties__agency_id=agency_id,
        )
        .exclude(activity_id=activity.pk)
        .select_related("activity__dossier")
        .order_by("activity__starts_on", "id")
    )
    for other in refusals:
        earlier = other.activity
        reasons.append(
            {
                "kind": "refusal",
                "text": (
                    _(
                        "Là thành viên của hoạt động «%(title)s» (%(ref)s, từ %(on)s) đã có ý kiến "
                        "không đồng ý"
                    )
                    % {
                        "title": earlier.dossier.title,
                        "ref": earlier.dossier.reference,
                        "on": f"{earlier.starts_on:%d/%m/%Y}",
                    }
                    + _via(persons[other.subject_id])
                    + "."
                ),
                "dossier": earlier.dossier_id,
                "reference": earlier.dossier.reference,
                "activity": earlier.pk,
                "subject": other.subject_id,
            }
        )
    return reasons
