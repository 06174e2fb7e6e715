"""Merging two records of one person, and undoing the merge exactly.

The record merged (`merged`) is not deleted: its dossier links, verification
requests, identity documents and addresses move to the record kept (`kept`), its
names become aliases of the kept one, and it stays, marked as merged into the kept
one (hidden from lists and matching, its page pointing there). `SubjectMerge.moved`
records the ids of every row that moved or was removed, so that
`subject_merge_undo` puts each back where it was.

A link of the merged record to a dossier in a role the kept one already holds
there cannot move (one person, one role, once per dossier): it is removed and
recreated, with its id, on undo.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import fold, nfc
from phoihop.dossiers.models import Dossier
from phoihop.subjects.matching import split_aliases
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAddress,
    SubjectMerge,
    SubjectNameKey,
    Verification,
)
from phoihop.subjects.services import refresh_keys, refresh_search

ALIASES_MAX = Subject._meta.get_field("aliases").max_length
NAME_FIELDS = ("full_name", "native_name", "latin_name", "han_viet", "pinyin")


def _new_aliases(kept: Subject, merged: Subject) -> list[str]:
    """The names of `merged` that `kept` does not already carry, in order."""
    known = {fold(getattr(kept, f)) for f in NAME_FIELDS if getattr(kept, f)}
    known |= {fold(a) for a in split_aliases(kept.aliases)}
    added = []
    for name in [*(getattr(merged, f) for f in NAME_FIELDS), *split_aliases(merged.aliases)]:
        if name and fold(name) not in known:
            known.add(fold(name))
            added.append(name)
    return added


def _pair(actor, keep_pk: int, merge_pk: int, *, lock: bool) -> tuple[Subject, Subject]:
    """Both records, which the actor must be allowed to change; 404 otherwise."""
    queryset = Subject.objects.filter(pk__in=[keep_pk, merge_pk])
    if lock:
        queryset = queryset.select_for_update()
    found = {s.pk: s for s in policy.restrict(queryset, actor, policy.CHANGE)}
    if keep_pk not in found or merge_pk not in found:
        raise policy.NotFound
    return found[keep_pk], found[merge_pk]


def _check_mergeable(kept: Subject, merged: Subject) -> None:
    if kept.pk == merged.pk:
        raise ServiceError({"merge": _("Không thể gộp một hồ sơ với chính nó.")})
    for subject in (kept, merged):
        if subject.merged_into_id:
            raise ServiceError(
                {
                    "merge": _("Hồ sơ số %(n)d đã được gộp vào hồ sơ số %(m)d.")
                    % {"n": subject.pk, "m": subject.merged_into_id}
                }
            )


def merge_preview(*, actor, keep: Subject, merge: Subject) -> dict[str, Any]:
    """What merging `merge` into `keep` would move, counted in the database."""
    kept, merged = _pair(actor, keep.pk, merge.pk, lock=False)
    _check_mergeable(kept, merged)
    links = list(DossierSubject.objects.filter(subject=merged).values_list("dossier_id", "role"))
    kept_pairs = set(
        DossierSubject.objects.filter(
            subject=kept, dossier_id__in=[dossier for dossier, _role in links]
        ).values_list("dossier_id", "role")
    )
    return {
        "kept": kept,
        "merged": merged,
        "links": len(links),
        "links_duplicate": sum(1 for pair in links if pair in kept_pairs),
        "verifications": Verification.objects.filter(subject=merged).count(),
        "documents": IdentityDocument.objects.filter(subject=merged).count(),
        "addresses": SubjectAddress.objects.filter(subject=merged).count(),
        "aliases": _new_aliases(kept, merged),
    }


@transaction.atomic
def subject_merge(*, actor, keep: Subject, merge: Subject, reason: str) -> SubjectMerge:
    """Merge the record `merge` into `keep` (both changeable by the actor, or 404)."""
    kept, merged = _pair(actor, keep.pk, merge.pk, lock=True)
    _check_mergeable(kept, merged)
    reason = " ".join(nfc(reason or "").split())
    if not reason:
        raise ServiceError({"reason": _("Cần nêu lý do gộp hồ sơ.")})
    if len(reason) > 500:
        raise ServiceError({"reason": _("Lý do gộp tối đa 500 ký tự.")})
    added = _new_aliases(kept, merged)
    aliases_before = kept.aliases
    aliases_after = "; ".join([*split_aliases(kept.aliases), *added]) if added else kept.aliases
    if len(aliases_after) > ALIASES_MAX:
        raise ServiceError(
            {
                "merge": _(
                    "Tên gọi khác của hồ sơ giữ lại sẽ vượt %(n)d ký tự: rút gọn trước khi gộp."
                )
                % {"n": ALIASES_MAX}
            }
        )

    links = list(DossierSubject.objects.filter(subject=merged).values("pk", "dossier_id", "role"))
    kept_pairs = set(
        DossierSubject.objects.filter(
            subject=kept, dossier_id__in=[link["dossier_id"] for link in links]
        ).values_list("dossier_id", "role")
    )
    removed = [link for link in links if (link["dossier_id"], link["role"]) in kept_pairs]
    moved_links = [link["pk"] for link in links if link not in removed]
    if removed:
        DossierSubject.objects.filter(pk__in=[link["pk"] for link in removed]).delete()
    DossierSubject.objects.filter(pk__in=moved_links).update(subject=kept)
    moved: dict[str, Any] = {
        "links": moved_links,
        "links_removed": [
            {"id": link["pk"], "dossier": link["dossier_id"], "role": link["role"]}
            for link in removed
        ],
        "aliases": [aliases_before, aliases_after],
    }
    for key, model in (
        ("verifications", Verification),
        ("documents", IdentityDocument),
        ("addresses", SubjectAddress),
    ):
        rows = model.objects.filter(subject=merged)
        moved[key] = sorted(rows.values_list("pk", flat=True))
        rows.update(subject=kept)

    kept.aliases = aliases_after
    refresh_search(kept)
    kept.save()
    refresh_keys(kept)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into", "updated_at"])
    # No keys, no candidate: matching finds the kept record instead.
    SubjectNameKey.objects.filter(subject=merged).delete()

    record = SubjectMerge.objects.create(
        kept=kept,
        merged=merged,
        reason=reason,
        merged_by=None if policy.is_system(actor) else actor,
        merged_at=timezone.now(),
        moved=moved,
    )
    audit_record(
        actor=actor,
        action="subject.merge",
        obj=kept,
        changes={"merged": merged.pk, "merge": record.pk, "reason": reason, "moved": moved},
    )
    audit_record(
        actor=actor,
        action="subject.merged_into",
        obj=merged,
        changes={"kept": kept.pk, "merge": record.pk, "reason": reason},
    )
    return record


@transaction.atomic
def subject_merge_undo(*, actor, merge: SubjectMerge) -> SubjectMerge:
    """Put back everything `merge` moved; the actor must be able to change both records."""
    record = policy.get_or_404(
        SubjectMerge.objects.select_for_update(), actor, policy.CHANGE, pk=merge.pk
    )
    kept, merged = _pair(actor, record.kept_id, record.merged_id, lock=True)
    if record.undone_at is not None:
        raise ServiceError(_("Lần gộp này đã được hoàn tác."))
    if kept.merged_into_id:
        raise ServiceError(
            _("Hồ sơ giữ lại đã được gộp tiếp vào hồ sơ số %(n)d: hoàn tác lần gộp đó trước.")
            % {"n": kept.merged_into_id}
        )
    moved = record.moved
    DossierSubject.objects.filter(pk__in=moved["links"], subject=kept).update(subject=merged)
    existing_dossiers = set(
        Dossier.objects.filter(
            pk__in=[link["dossier"] for link in moved["links_removed"]]
        ).values_list("pk", flat=True)
    )
    DossierSubject.objects.bulk_create(
        DossierSubject(pk=link["id"], dossier_id=link["dossier"], subject=merged, role=link["role"])
        for link in moved["links_removed"]
        if link["dossier"] in existing_dossiers
    )
    for key, model in (
        ("verifications", Verification),
        ("documents", IdentityDocument),
        ("addresses", SubjectAddress),
    ):
        model.objects.filter(pk__in=moved[key], subject=kept).update(subject=merged)

    before, after = moved["aliases"]
    if kept.aliases == after:
        kept.aliases = before
    else:
        # The aliases were edited since: take out only the names the merge added.
        added = {fold(a) for a in split_aliases(after)} - {fold(a) for a in split_aliases(before)}
        kept.aliases = "; ".join(a for a in split_aliases(kept.aliases) if fold(a) not in added)
    refresh_search(kept)
    kept.save()
    refresh_keys(kept)
    merged.merged_into = None
    refresh_search(merged)
    merged.save()
    refresh_keys(merged)

    record.undone_at = timezone.now()
    record.undone_by = None if policy.is_system(actor) else actor
    record.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor,
        action="subject.merge_undo",
        obj=kept,
        changes={"merged": merged.pk, "merge": record.pk, "moved_back": moved},
    )
    audit_record(
        actor=actor,
        action="subject.merged_into_undo",
        obj=merged,
        changes={"kept": kept.pk, "merge": record.pk},
    )
    return record
