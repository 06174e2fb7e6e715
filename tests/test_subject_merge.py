"""Merging two records of one person: what moves, what stays, the pages, and the exact undo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.subjects import services
from phoihop.subjects.choices import DocumentKind, SubjectRole
from phoihop.subjects.matching import MatchQuery, match
from phoihop.subjects.merge import merge_preview, subject_merge, subject_merge_undo
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAddress,
    SubjectMerge,
    SubjectNameKey,
    Verification,
)
from tests.factories import open_dossier
from tests.web_fixtures import login, scene  # noqa: F401


def _verification(dossier, subject, world):
    return Verification.objects.create(
        dossier=dossier,
        subject=subject,
        requested_by=world.a,
        requested_of=world.f,
        question="Đề nghị xác minh nhân thân.",
        requested_on=dossier.opened_on,
    )


@pytest.fixture
def twins(scene):
    """One person recorded twice: as Vương Tiểu Minh and as 王小明, in shared and own dossiers."""
    w = scene.world
    second = open_dossier(w.border, w.a, supporting=[w.b], title="Vụ việc biên giới Phó Bảng")
    kept = services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=scene.dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=w.a,
        full_name="Vương Tiểu Minh",
        birth_year=1975,
        nationality="CN",
        aliases="A Minh",
        documents=[{"kind": DocumentKind.BORDER_PASS, "number": "BP0001"}],
    )
    merged = services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=scene.dossier,
        role=SubjectRole.SUSPECT,  # the same dossier and role as the kept one
        owner_agency=w.a,
        native_name="王小明",
        latin_name="WANG XIAOMING",
        birth_year=1975,
        birth_month=3,
        nationality="CN",
        address="Văn Sơn, Vân Nam",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G11223344", "country": "CN"}],
    )
    services.subject_link(actor=SYSTEM, dossier=second, subject=merged, role=SubjectRole.WITNESS)
    _verification(scene.dossier, merged, w)
    _verification(second, merged, w)
    _verification(scene.dossier, kept, w)
    return kept, merged, second


def state(*subjects) -> dict:
    """Everything a merge touches, row by row."""
    ids = [s.pk for s in subjects]
    return {
        "links": sorted(
            DossierSubject.objects.filter(subject_id__in=ids).values_list(
                "pk", "dossier_id", "subject_id", "role"
            )
        ),
        "verifications": sorted(
            Verification.objects.filter(subject_id__in=ids).values_list("pk", "subject_id")
        ),
        "documents": sorted(
            IdentityDocument.objects.filter(subject_id__in=ids).values_list(
                "pk", "subject_id", "number"
            )
        ),
        "addresses": sorted(
            SubjectAddress.objects.filter(subject_id__in=ids).values_list(
                "pk", "subject_id", "text"
            )
        ),
        "subjects": sorted(
            Subject.objects.filter(pk__in=ids).values_list(
                "pk", "full_name", "aliases", "merged_into", "search_text"
            )
        ),
        "keys": sorted(
            SubjectNameKey.objects.filter(subject_id__in=ids).values_list(
                "subject_id", "kind", "key"
            )
        ),
    }


def test_merging_moves_every_link_and_keeps_the_merged_record(scene, twins):
    kept, merged, second = twins
    preview = merge_preview(actor=scene.world.officer_a, keep=kept, merge=merged)
    assert (preview["links"], preview["links_duplicate"]) == (2, 1)
    assert (preview["verifications"], preview["documents"], preview["addresses"]) == (2, 1, 1)
    # Names the kept record lacks (the Hán-Việt reading and pinyin it already has, folded).
    assert preview["aliases"] == ["王小明", "WANG XIAOMING"]

    record = subject_merge(
        actor=scene.world.officer_a,
        keep=kept,
        merge=merged,
        reason="Cùng người, phía bạn xác nhận.",
    )
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert set(DossierSubject.objects.filter(subject=kept).values_list("dossier_id", "role")) == {
        (scene.dossier.pk, SubjectRole.SUSPECT),
        (second.pk, SubjectRole.WITNESS),
    }
    assert not DossierSubject.objects.filter(subject=merged).exists()
    assert Verification.objects.filter(subject=kept).count() == 3
    assert set(kept.documents.values_list("number", flat=True)) == {"BP0001", "G11223344"}
    assert kept.addresses.get().text == "Văn Sơn, Vân Nam"
    assert kept.aliases.split("; ") == ["A Minh", "王小明", "WANG XIAOMING"]
    assert record.moved["links_removed"][0]["dossier"] == scene.dossier.pk
    # The merged record is no candidate any more: the kept one answers, by its new keys too.
    found = match(MatchQuery(name="WANG XIAOMING", document="G11223344"))
    assert [c.id for c in found][:1] == [kept.pk]
    assert merged.pk not in [c.id for c in found]
    assert not SubjectNameKey.objects.filter(subject=merged).exists()
    # Both histories hold the merge.
    assert (
        AuditEvent.objects.get(action="subject.merge", object_id=str(kept.pk)).changes["merged"]
        == merged.pk
    )
    event = AuditEvent.objects.get(action="subject.merged_into", object_id=str(merged.pk))
    assert event.changes["kept"] == kept.pk and event.changes["reason"].startswith("Cùng người")
    assert AuditEvent.objects.filter(object_id=str(merged.pk), action="subject.create").exists()


def test_undo_restores_exactly_what_was_there(scene, twins):
    kept, merged, _second = twins
    before = state(kept, merged)
    record = subject_merge(actor=scene.world.officer_b, keep=kept, merge=merged, reason="Trùng.")
    assert state(kept, merged) != before
    subject_merge_undo(actor=scene.world.officer_b, merge=record)
    assert state(kept, merged) == before
    record.refresh_from_db()
    assert record.undone_at is not None and record.undone_by == scene.world.officer_b
    assert AuditEvent.objects.filter(action="subject.merge_undo", object_id=str(kept.pk)).exists()
    assert AuditEvent.objects.filter(
        action="subject.merged_into_undo", object_id=str(merged.pk)
    ).exists()
    with pytest.raises(ServiceError, match="đã được hoàn tác"):
        subject_merge_undo(actor=scene.world.officer_b, merge=record)


def test_undo_after_the_aliases_were_edited_removes_only_the_names_added(scene, twins):
    kept, merged, _ = twins
    record = subject_merge(actor=SYSTEM, keep=kept, merge=merged, reason="Trùng.")
    kept.refresh_from_db()
    services.subject_update(actor=SYSTEM, subject=kept, aliases=kept.aliases + "; Minh Béo")
    subject_merge_undo(actor=SYSTEM, merge=record)
    kept.refresh_from_db()
    assert kept.aliases == "A Minh; Minh Béo"


def test_a_merged_record_cannot_be_merged_edited_or_linked_again(scene, twins):
    kept, merged, second = twins
    subject_merge(actor=SYSTEM, keep=kept, merge=merged, reason="Trùng.")
    merged.refresh_from_db()
    with pytest.raises(ServiceError, match="đã được gộp"):
        subject_merge(actor=SYSTEM, keep=scene.subject, merge=merged, reason="x")
    with pytest.raises(ServiceError, match="đã được gộp"):
        services.subject_update(actor=SYSTEM, subject=merged, full_name="Khác")
    with pytest.raises(ServiceError, match="đã được gộp"):
        services.subject_link(actor=SYSTEM, dossier=second, subject=merged, role="victim")
    with pytest.raises(ServiceError, match="chính nó"):
        subject_merge(actor=SYSTEM, keep=kept, merge=kept, reason="x")
    with pytest.raises(ServiceError) as caught:
        subject_merge(actor=SYSTEM, keep=scene.subject, merge=kept, reason="  ")
    assert "Cần nêu lý do gộp hồ sơ." in caught.value.message_dict["reason"]


def test_the_actor_must_be_able_to_change_both_records(scene, twins):
    kept, _merged, _ = twins
    own = services.subject_create(actor=scene.officer_c, full_name="Vương Tiểu Minh")
    for actor, keep, merge in (
        (scene.officer_c, own, kept),  # sees only their own
        (scene.world.officer_a, kept, own),  # does not see the other agency's
        (scene.low_a, kept, scene.subject),  # cleared below the dossier
        (scene.world.oversight, kept, scene.subject),
    ):
        with pytest.raises(policy.NotFound):
            subject_merge(actor=actor, keep=keep, merge=merge, reason="Trùng.")
    assert not SubjectMerge.objects.exists()


def test_the_merge_service_runs_a_bounded_number_of_queries(
    scene, twins, django_assert_max_num_queries
):
    kept, merged, _ = twins
    w = scene.world
    for i in range(8):
        dossier = open_dossier(w.border, w.a, supporting=[w.b], title=f"Vụ việc {i}")
        services.subject_link(actor=SYSTEM, dossier=dossier, subject=merged, role="witness")
        _verification(dossier, merged, w)
    with django_assert_max_num_queries(40):
        record = subject_merge(actor=w.officer_a, keep=kept, merge=merged, reason="Trùng.")
    assert len(record.moved["links"]) == 9
    with django_assert_max_num_queries(40):
        subject_merge_undo(actor=w.officer_a, merge=record)


# --- pages ------------------------------------------------------------------------------------


def test_merging_from_the_pages_then_undoing(scene, client, twins):
    kept, merged, _ = twins
    login(client, scene.world.officer_a)
    pick = client.get(reverse("subjects:merge", args=[kept.pk]))
    assert pick.status_code == 200
    page = pick.content.decode()
    assert "Hồ sơ có thể trùng" in page and "王小明" in page and "/100" in page
    confirm_url = reverse("subjects:merge-confirm", args=[kept.pk, merged.pk])
    assert confirm_url in page
    found = client.get(reverse("subjects:merge", args=[kept.pk]), {"q": "wang xiaoming"})
    assert confirm_url in found.content.decode()

    page = client.get(confirm_url).content.decode()
    assert "2 liên kết với hồ sơ vụ việc (1 đã có ở hồ sơ giữ lại, cùng tư cách)" in page
    assert "2 yêu cầu xác minh" in page and "1 giấy tờ tùy thân" in page and "1 địa chỉ" in page
    assert "王小明; WANG XIAOMING" in page

    refused = client.post(confirm_url, {"reason": ""})
    assert refused.status_code == 400 and not SubjectMerge.objects.exists()
    response = client.post(confirm_url, {"reason": "Cùng số hộ chiếu."})
    record = SubjectMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    page = client.get(record.get_absolute_url()).content.decode()
    assert f"Hồ sơ số {merged.pk} gộp vào hồ sơ số {kept.pk}" in page
    assert "Cùng số hộ chiếu." in page and "Hoàn tác việc gộp" in page

    # The merged record: gone from the list, its page pointing to the kept one.
    listing = client.get(reverse("subjects:list")).content.decode()
    assert reverse("subjects:detail", args=[merged.pk]) not in listing
    pointer = client.get(reverse("subjects:detail", args=[merged.pk])).content.decode()
    assert f"đã được gộp vào hồ sơ số {kept.pk}" in pointer
    assert record.get_absolute_url() in pointer
    client.post(reverse("subjects:detail", args=[kept.pk]), {"purpose": "casework"})
    detail = client.get(reverse("subjects:detail", args=[kept.pk])).content.decode()
    assert "Hồ sơ trùng đã gộp vào đây" in detail and record.get_absolute_url() in detail

    response = client.post(reverse("subjects:merge-undo", args=[record.pk]))
    assert response.status_code == 302
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Đã hoàn tác việc gộp" in page and "Đã hoàn tác" in page
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert (
        reverse("subjects:detail", args=[merged.pk])
        in client.get(reverse("subjects:list")).content.decode()
    )


def test_another_agencys_user_gets_404_on_every_new_route(scene, client, twins):
    kept, merged, _ = twins
    record = subject_merge(actor=SYSTEM, keep=kept, merge=merged, reason="Trùng.")
    login(client, scene.officer_c)
    before = state(kept, merged)
    for method, url in (
        ("get", reverse("subjects:edit", args=[kept.pk])),
        ("post", reverse("subjects:edit", args=[kept.pk])),
        ("get", reverse("subjects:photo", args=[kept.pk])),
        ("get", reverse("subjects:merge", args=[kept.pk])),
        ("get", reverse("subjects:merge-confirm", args=[kept.pk, scene.subject.pk])),
        ("post", reverse("subjects:merge-confirm", args=[kept.pk, scene.subject.pk])),
        ("get", reverse("subjects:merge-detail", args=[record.pk])),
        ("post", reverse("subjects:merge-undo", args=[record.pk])),
        ("get", reverse("subjects:detail", args=[merged.pk])),
    ):
        response = getattr(client, method)(url, {"reason": "x", "purpose": "casework"})
        assert response.status_code == 404, (method, url)
        assert "Vương Tiểu Minh" not in response.content.decode()
    assert state(kept, merged) == before
    assert SubjectMerge.objects.get().undone_at is None
