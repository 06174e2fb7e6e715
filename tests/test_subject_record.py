"""The person record: create and edit pages, suggested readings, photo, duplicate warning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core.policy import SYSTEM
from phoihop.subjects import services
from phoihop.subjects.choices import DocumentKind, SubjectRole
from phoihop.subjects.models import DossierSubject, IdentityDocument, Subject, SubjectAddress
from tests.web_fixtures import login, scene  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def declare(client, subject):
    return client.post(reverse("subjects:detail", args=[subject.pk]), {"purpose": "casework"})


def person(**overrides):
    data = {
        "full_name": "Vương Tiểu Minh",
        "native_name": "王小明",
        "han_viet": "Vương Tiểu Minh",
        "pinyin": "Wang Xiaoming",
        "readings_confirmed": "on",
        "latin_name": "WANG XIAOMING",
        "aliases": "A Minh",
        "sex": "M",
        "birth_day": "",
        "birth_month": "3",
        "birth_year": "1975",
        "nationality": "cn",
        "ethnicity": "Hoa",
        "birth_place": "Văn Sơn, Vân Nam",
        "document_id": ["", ""],
        "document_kind": ["passport", "cn_id"],
        "document_number": ["E 1234 5678", "532621197503011234"],
        "document_country": ["cn", "CN"],
        "document_valid_until": ["31/12/2015", ""],
        "address_id": ["", ""],
        "address_kind": ["abroad", "temporary"],
        "address": ["Thôn Đông Sơn, Văn Sơn, Vân Nam", "Thị trấn Đồng Văn, Hà Giang"],
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


# --- create and edit --------------------------------------------------------------------------


def test_creating_a_person_with_documents_addresses_and_a_month_year_birth(scene, client):
    login(client, scene.world.officer_a)
    form = client.get(reverse("subjects:create"))
    assert form.status_code == 200
    page = text(form)
    assert "Gợi ý cách đọc" not in page  # nothing typed yet
    assert "đó chỉ là gợi ý" in page
    assert 'hx-get="/subjects/readings/"' in page

    response = client.post(reverse("subjects:create"), person())
    assert response.status_code == 302, text(response)[:3000]
    subject = Subject.objects.get(native_name="王小明")
    assert response["Location"] == subject.get_absolute_url()
    assert (subject.birth_year, subject.birth_month, subject.birth_day) == (1975, 3, None)
    assert subject.nationality == "CN" and subject.readings_confirmed is True
    docs = list(subject.documents.order_by("pk").values_list("kind", "number", "country"))
    assert docs == [("passport", "E12345678", "CN"), ("cn_id", "532621197503011234", "CN")]
    assert subject.documents.get(kind="passport").valid_until == dt.date(2015, 12, 31)
    assert list(subject.addresses.order_by("pk").values_list("kind", "text")) == [
        ("abroad", "Thôn Đông Sơn, Văn Sơn, Vân Nam"),
        ("temporary", "Thị trấn Đồng Văn, Hà Giang"),
    ]
    assert subject.address == "Thôn Đông Sơn, Văn Sơn, Vân Nam"

    declare(client, subject)
    page = text(client.get(subject.get_absolute_url()))
    assert "03/1975" in page
    assert "Hộ chiếu: E12345678 (CN), có giá trị đến 31/12/2015" in page
    assert "Địa chỉ ở nước ngoài: Thôn Đông Sơn, Văn Sơn, Vân Nam" in page
    assert "Nơi tạm trú: Thị trấn Đồng Văn, Hà Giang" in page
    assert "Đã được cán bộ xác nhận" in page
    assert reverse("subjects:edit", args=[subject.pk]) in page
    assert reverse("subjects:merge", args=[subject.pk]) in page


def test_a_year_only_birth_and_a_bad_document_date_name_the_field(scene, client):
    login(client, scene.world.officer_a)
    bad = person(document_valid_until=["31/02/2015", ""])
    response = client.post(reverse("subjects:create"), bad)
    assert response.status_code == 400
    assert "Có giá trị đến: Ngày phải theo dạng dd/mm/yyyy." in text(response)
    assert not Subject.objects.filter(native_name="王小明").exists()

    response = client.post(reverse("subjects:create"), person(birth_month="", birth_year="1975"))
    assert response.status_code == 302
    assert Subject.objects.get(native_name="王小明").birth_display == "1975"


def test_a_second_document_missing_its_number_is_named_by_its_row(scene, client):
    login(client, scene.world.officer_a)
    response = client.post(reverse("subjects:create"), person(document_number=["E12345678", ""]))
    assert response.status_code == 400
    assert "Giấy tờ thứ 2: Cần nhập cả loại và số giấy tờ." in text(response)
    assert IdentityDocument.objects.filter(number="E12345678").count() == 0


def test_editing_a_person_asks_the_purpose_then_updates_documents_and_addresses(scene, client):
    subject = scene.subject  # Vàng Seo Dính, CMND 073012345, born 1982
    doc = subject.documents.get()
    url = reverse("subjects:edit", args=[subject.pk])
    login(client, scene.world.officer_a)
    first = client.get(url)
    assert "Mục đích truy cập dữ liệu cá nhân" in text(first)
    assert "073012345" not in text(first)
    assert client.post(url, {"purpose": "casework"})["Location"] == url
    page = text(client.get(url))
    assert 'value="073012345"' in page and f'name="document_id" value="{doc.pk}"' in page

    data = {
        "full_name": "Vàng Seo Dính",
        "sex": "M",
        "birth_year": "1982",
        "birth_month": "7",
        "birth_day": "14",
        "nationality": "VN",
        "ethnicity": "H'Mông",
        "document_id": [str(doc.pk), ""],
        "document_kind": ["cccd", "passport"],
        "document_number": ["002082001234", "C1234567"],
        "document_country": ["VN", "VN"],
        "document_valid_until": ["", "01/06/2020"],
        "address_id": [""],
        "address_kind": ["permanent"],
        "address": ["Xã Sủng Là, huyện Đồng Văn"],
    }
    response = client.post(url, data)
    assert response.status_code == 302, text(response)[:3000]
    subject.refresh_from_db()
    assert subject.birth_display == "14/07/1982"
    kept = subject.documents.get(pk=doc.pk)  # the same row, changed
    assert (kept.kind, kept.number) == ("cccd", "002082001234")
    assert subject.documents.count() == 2
    assert subject.addresses.get().kind == "permanent"
    event = AuditEvent.objects.filter(action="subject.update", object_id=str(subject.pk)).last()
    assert event.changes["birth_day"] == [None, 14]
    assert event.changes["documents"][0] == ["cmnd 073012345 (VN)"]

    # Emptying a document's type and number removes it.
    data.update(document_kind=["", "passport"], document_number=["", "C1234567"])
    assert client.post(url, data).status_code == 302
    assert list(subject.documents.values_list("number", flat=True)) == ["C1234567"]


def test_derived_readings_are_recorded_as_not_confirmed(scene, client):
    login(client, scene.world.officer_a)
    data = person(full_name="", han_viet="", pinyin="", readings_confirmed="", native_name="单建华")
    data.update(document_kind=["", ""], document_number=["", ""], latin_name="", aliases="")
    data.update(document_valid_until=["", ""])
    assert client.post(reverse("subjects:create"), data).status_code == 302
    subject = Subject.objects.get(native_name="单建华")
    assert (subject.full_name, subject.han_viet, subject.pinyin) == (
        "Thiện Kiến Hoa",
        "Thiện Kiến Hoa",
        "Shan Jianhua",
    )
    # Ticking "checked" with nothing to check does not make a derived reading confirmed.
    assert subject.readings_confirmed is False
    declare(client, subject)
    assert "Gợi ý tự động từ chữ Hán, chưa được xác nhận" in text(
        client.get(subject.get_absolute_url())
    )


# --- suggested readings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("native", "han_viet", "pinyin"),
    [("王小明", "Vương Tiểu Minh", "Wang Xiaoming"), ("单建华", "Thiện Kiến Hoa", "Shan Jianhua")],
)
def test_the_readings_endpoint_suggests_han_viet_and_pinyin(
    scene, client, native, han_viet, pinyin
):
    login(client, scene.world.officer_a)
    response = client.get(reverse("subjects:readings"), {"native_name": native})
    assert response.status_code == 200
    page = text(response)
    assert "Gợi ý cách đọc" in page and "cần cán bộ kiểm tra" in page
    assert f"<dd>{han_viet}</dd>" in page and f"<dd>{pinyin}</dd>" in page
    assert f'data-han-viet="{han_viet}" data-pinyin="{pinyin}"' in page


def test_a_surname_with_a_special_reading_is_pointed_out(scene, client):
    login(client, scene.world.officer_a)
    page = text(client.get(reverse("subjects:readings"), {"native_name": "单建华"}))
    assert "Họ 单 đọc là «Thiện», khác cách đọc thông thường của chữ này." in page
    page = text(client.get(reverse("subjects:readings"), {"native_name": "王小明"}))
    assert "khác cách đọc thông thường" not in page


def test_a_latin_name_gets_no_reading(scene, client):
    login(client, scene.world.officer_a)
    page = text(client.get(reverse("subjects:readings"), {"native_name": "Giàng A Páo"}))
    assert "Tên không có chữ Hán" in page and "Dùng gợi ý" not in page


def test_the_readings_endpoint_is_for_casework_users_only(scene, client):
    for user in (scene.world.oversight, scene.world.admin):
        login(client, user)
        assert client.get(reverse("subjects:readings"), {"native_name": "王"}).status_code == 404


# --- photo ------------------------------------------------------------------------------------


def test_a_photo_is_stored_checked_and_served_only_through_the_policy(scene, client, settings):
    login(client, scene.world.officer_a)
    photo = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    data = person(photo=photo)
    assert client.post(reverse("subjects:create"), data).status_code == 302
    subject = Subject.objects.get(native_name="王小明")
    assert subject.photo.name.startswith("subjects/photos/") and "anh" not in subject.photo.name
    assert subject.photo_content_type == "image/png"
    url = reverse("subjects:photo", args=[subject.pk])
    assert client.get(f"/{subject.photo.name}").status_code == 404  # no public media URL
    assert client.get(f"/media/{subject.photo.name}").status_code == 404
    assert client.get(url).status_code == 403  # no purpose declared yet
    declare(client, subject)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG
    assert url in text(client.get(subject.get_absolute_url()))
    login(client, scene.officer_c)
    assert client.get(url).status_code == 404


def test_a_photo_that_is_not_an_image_or_too_big_is_refused(scene, client, settings):
    login(client, scene.world.officer_a)
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = client.post(reverse("subjects:create"), person(photo=fake))
    assert response.status_code == 400
    assert "Ảnh: Ảnh phải là tệp JPEG hoặc PNG." in text(response)
    settings.PHOIHOP_MAX_PHOTO_BYTES = 10
    big = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    response = client.post(reverse("subjects:create"), person(photo=big))
    assert "Ảnh vượt quá 1 MB." in text(response)
    assert not Subject.objects.filter(native_name="王小明").exists()


# --- duplicates -------------------------------------------------------------------------------


@pytest.fixture
def wang(scene):
    """王小明, in the scene's dossier: visible to officers of A and B."""
    return services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=scene.dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=scene.world.a,
        native_name="王小明",
        sex="M",
        birth_year=1975,
        nationality="CN",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G11223344", "country": "CN"}],
    )


def test_a_likely_duplicate_is_shown_before_saving_then_creation_after_confirming(
    scene, client, wang
):
    login(client, scene.world.officer_a)
    before = Subject.objects.count()
    data = person(full_name="", latin_name="Wang Xiaoming", birth_month="", han_viet="")
    data.update(pinyin="", readings_confirmed="", aliases="")
    url = f"{reverse('subjects:create')}?dossier={scene.dossier.pk}"
    data.update(dossier=scene.dossier.pk, role=SubjectRole.WITNESS)
    response = client.post(url, data)
    assert response.status_code == 200
    page = text(response)
    assert "Có thể người này đã có hồ sơ" in page
    assert "Chưa có gì được lưu." in page
    assert f"Mở hồ sơ số {wang.pk}" in page
    assert "Chữ Hán trùng khớp (王小明)." in page
    assert "Năm sinh trùng khớp (1975)." in page
    assert "/100" in page
    assert f'name="distinct_from" value="{wang.pk}"' in page
    assert "Đây là người khác — vẫn ghi nhận" in page
    assert 'value="Wang Xiaoming"' in page  # what was typed is kept
    assert Subject.objects.count() == before

    # "Lưu" again without confirming warns again; confirming creates the record.
    assert client.post(url, {**data, "distinct_from": [wang.pk]}).status_code == 200
    response = client.post(url, {**data, "distinct_from": [wang.pk], "confirm_distinct": "1"})
    assert response.status_code == 302
    assert response["Location"] == scene.dossier.get_absolute_url()
    created = Subject.objects.exclude(pk=wang.pk).get(native_name="王小明")
    assert DossierSubject.objects.filter(subject=created, role=SubjectRole.WITNESS).exists()
    event = AuditEvent.objects.get(action="subject.create", object_id=str(created.pk))
    assert event.changes["distinct_from"] == [wang.pk]


def test_a_confirmation_covers_only_the_records_seen(scene, wang):
    other = services.subject_create(
        actor=SYSTEM, owner_agency=scene.world.a, full_name="Vương Tiểu Minh", birth_year=1975
    )
    with pytest.raises(services.LikelyDuplicates) as caught:
        services.subject_create(
            actor=scene.world.officer_a,
            native_name="王小明",
            birth_year=1975,
            check_duplicates=True,
            distinct_from=[wang.pk],
        )
    assert {c.id for c in caught.value.candidates} == {wang.pk, other.pk}


def test_duplicates_come_only_from_persons_the_user_may_see(scene, client, wang):
    login(client, scene.officer_c)  # another agency: does not see the scene's dossier
    response = client.post(reverse("subjects:create"), person(full_name="", latin_name=""))
    assert response.status_code == 302
    assert "G11223344" not in text(response)
    found = services.subject_likely_duplicates(
        actor=scene.officer_c, fields={"native_name": "王小明", "birth_year": 1975}
    )
    assert [c.id for c in found] == [Subject.objects.get(owner_agency=scene.c).pk]


def test_the_service_finds_a_duplicate_by_document_number_alone(scene, wang):
    found = services.subject_likely_duplicates(
        actor=scene.world.officer_b, fields={"full_name": "Wong Siu Ming"}, documents=["g11223344"]
    )
    assert found[0].id == wang.pk and found[0].score >= 95
    assert "Số giấy tờ trùng khớp (G11223344)." in [r.text for r in found[0].reasons]


def test_an_unrelated_name_is_created_without_a_warning(scene, client, wang):
    login(client, scene.world.officer_a)
    data = person(native_name="", full_name="Lò Văn Páo", han_viet="", pinyin="", latin_name="")
    data.update(aliases="", document_kind=["", ""], document_number=["", ""])
    data.update(document_valid_until=["", ""])
    assert client.post(reverse("subjects:create"), data).status_code == 302
    assert SubjectAddress.objects.filter(subject__full_name="Lò Văn Páo").count() == 2


def test_the_create_page_runs_a_bounded_number_of_queries(
    scene, client, wang, django_assert_max_num_queries
):
    login(client, scene.world.officer_a)
    data = person(full_name="", han_viet="", pinyin="", latin_name="")
    with django_assert_max_num_queries(30):
        response = client.post(reverse("subjects:create"), data)
    assert response.status_code == 200  # the warning
