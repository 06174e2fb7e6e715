"""The editorial desk's services: articles, images, scheduling, publishing to the bulletin,
and the draft from a review. Pages are in test_newsroom_pages.py.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.audit.services import audit_verify
from phoihop.bulletin import bundle
from phoihop.bulletin.models import Article
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.newsroom import drafting, publishing, services
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.models import BundleRecord, NewsArticle, NewsImage
from phoihop.reviews.choices import AssessmentStatus, ReviewKind
from phoihop.reviews.models import Assessment, Conference, Review
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import SubjectRole
from tests.factories import AgencyFactory, UserFactory, open_dossier
from tests.web_fixtures import scene  # noqa: F401

# --- fixtures and builders ------------------------------------------------------------------


@pytest.fixture
def desk(world):
    """The world with an editor in each agency."""
    return SimpleNamespace(
        world=world,
        editor_a=UserFactory(username="a.bientap", agency=world.a, role=Role.EDITOR),
        editor_b=UserFactory(username="b.bientap", agency=world.b, role=Role.EDITOR),
    )


def draft(actor, title="Sơ kết 3 năm thực hiện Quy chế phối hợp", **fields):
    values = {"lead": "Hai ngành đánh giá kết quả.", "body": "Nội dung **chính**.", **fields}
    return services.article_create(actor=actor, title=title, **values)


def jpeg_with_metadata(size=(3000, 2000)) -> bytes:
    """A JPEG as a phone makes it: EXIF with GPS, camera and a sideways orientation, an ICC
    profile, a comment and XMP."""
    image = Image.new("RGB", size, (180, 40, 40))
    image.paste((20, 60, 200), (0, 0, size[0] // 3, size[1] // 3))  # a blue corner
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D Mark II SN-0042"
    exif[ExifTags.Base.Artist] = "Nguyen Van Chup"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: shown turned 90° clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 49.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (104.0, 58.0, 45.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description Creator="Nguyen Van Chup"/></x:xmpmeta>'
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif.tobytes(),
        icc_profile=icc,
        comment=b"Chup tai Dong Van",
        xmp=xmp,
        quality=90,
    )
    return out.getvalue()


def png_bytes(size=(40, 30), text: dict | None = None, mode="RGB") -> bytes:
    image = Image.new(mode, size, (10, 120, 60) if mode == "RGB" else (10, 120, 60, 128))
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def upload(data: bytes, name="anh.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_image(actor, article, data=None, **fields):
    values = {"caption": "Toàn cảnh hội nghị", "alt": "Hội trường với đại biểu hai ngành"}
    values.update(fields)
    return services.image_add(
        actor=actor, article=article, file=upload(data or png_bytes(), "a.png"), **values
    )


# --- articles ------------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_of_their_agency_with_a_slug_without_diacritics(desk):
    article = draft(desk.editor_a, title="Đồng Văn: Sơ kết quy chế phối hợp với Sở Ngoại vụ")
    assert article.agency == desk.world.a
    assert article.status == ArticleStatus.DRAFT
    assert article.slug == "dong-van-so-ket-quy-che-phoi-hop-voi-so-ngoai-vu"
    assert AuditEvent.objects.filter(action="news.create", object_id=str(article.pk)).exists()


def test_slugs_are_unique_and_never_take_a_bulletin_page(desk):
    first = draft(desk.editor_a, title="Hội nghị sơ kết")
    second = draft(desk.editor_b, title="Hội nghị sơ kết")
    third = draft(desk.editor_a, title="HỘI NGHỊ SƠ KẾT!")
    assert (first.slug, second.slug, third.slug) == (
        "hoi-nghi-so-ket",
        "hoi-nghi-so-ket-2",
        "hoi-nghi-so-ket-3",
    )
    assert draft(desk.editor_a, title="Tìm kiếm").slug == "tim-kiem-tin"
    assert draft(desk.editor_a, title="王小明").slug == "tin"
    long = draft(desk.editor_a, title="Phối hợp " * 25)
    assert len(long.slug) <= 80 and not long.slug.endswith("-")


def test_the_slug_follows_the_title_until_first_published_then_stays(desk, settings):
    article = draft(desk.editor_a, title="Tin thử")
    article = services.article_update(actor=desk.editor_a, article=article, title="Tin chính thức")
    assert article.slug == "tin-chinh-thuc"
    services.article_publish(actor=desk.editor_a, article=article)
    article = services.article_update(actor=desk.editor_a, article=article, title="Tin đã sửa")
    article.refresh_from_db()
    assert (article.title, article.slug) == ("Tin đã sửa", "tin-chinh-thuc")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "T" * 301}, "title"),
        ({"lead": "L" * 1001}, "lead"),
        ({"body": "x" * (services.MAX_BODY + 1)}, "body"),
        ({"tags": ", ".join(f"Thẻ {i}" for i in range(11))}, "tags"),
        ({"tags": "T" * 81}, "tags"),
        ({"moderation": "none"}, "moderation"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(desk, fields, field):
    values = {"title": "Tin hợp lệ", **fields}
    events = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.article_create(actor=desk.editor_a, **values)
    assert field in caught.value.message_dict
    assert NewsArticle.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_an_update_with_a_bad_field_changes_nothing(desk):
    article = draft(desk.editor_a)
    with pytest.raises(ServiceError) as caught:
        services.article_update(
            actor=desk.editor_a, article=article, title="Mới", body="x" * (services.MAX_BODY + 1)
        )
    assert "body" in caught.value.message_dict
    article.refresh_from_db()
    assert article.title == "Sơ kết 3 năm thực hiện Quy chế phối hợp"


def test_tags_are_tidied_and_deduplicated_ignoring_case_and_marks(desk):
    article = draft(desk.editor_a, tags=" Sơ kết ,sơ kết,  Quy  chế phối hợp,,SO KET")
    assert article.tags == "Sơ kết, Quy chế phối hợp"


def test_only_the_agencys_editors_and_administrators_change_its_articles(desk):
    w = desk.world
    article = draft(desk.editor_a)
    for outsider in (desk.editor_b, w.officer_a, w.leader_a, w.oversight, w.secretariat):
        with pytest.raises(policy.NotFound):
            services.article_update(actor=outsider, article=article, title="Sửa trái phép")
        with pytest.raises(policy.NotFound):
            services.article_publish(actor=outsider, article=article)
    for not_desk in (w.officer_a, w.leader_a, w.oversight, w.secretariat):
        with pytest.raises(policy.NotFound):
            services.article_create(actor=not_desk, title="Không được")
    services.article_update(actor=w.admin, article=article, title="Quản trị sửa")
    article.refresh_from_db()
    assert article.title == "Quản trị sửa" and article.status == ArticleStatus.DRAFT
    assert list(policy.restrict(NewsArticle.objects.all(), desk.editor_b)) == []
    assert list(policy.restrict(NewsArticle.objects.all(), desk.editor_a)) == [article]


def test_an_editor_without_an_agency_works_no_desk(desk):
    lost = UserFactory(username="bientap.lac", agency=None, role=Role.EDITOR)
    with pytest.raises(policy.NotFound):
        draft(lost)


def test_an_editor_sees_no_dossier_no_person_no_review(desk, scene):
    from phoihop.dossiers.models import Dossier
    from phoihop.subjects.models import Subject

    editor = desk.editor_a
    assert Dossier.objects.filter(lead_agency=editor.agency).exists()
    assert Subject.objects.exists()
    assert not policy.restrict(Dossier.objects.all(), editor).exists()
    assert not policy.restrict(Dossier.objects.all(), editor, policy.AGGREGATE).exists()
    assert not policy.restrict(Subject.objects.all(), editor).exists()
    review = _review(desk.world)
    assert not policy.allows(editor, policy.VIEW, review)


# --- images --------------------------------------------------------------------------------------


def test_an_image_is_resized_turned_upright_and_loses_every_metadata(desk):
    original = jpeg_with_metadata()
    source = Image.open(io.BytesIO(original))
    # The test image really carries what must go.
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Canon" in original and b"Nguyen Van Chup" in original
    assert "icc_profile" in source.info and "comment" in source.info
    article = draft(desk.editor_a)
    image = services.image_add(
        actor=desk.editor_a,
        article=article,
        file=upload(original, "IMG_0042.JPG"),
        caption="Lãnh đạo hai ngành ký quy chế",
        alt="Hai lãnh đạo ký văn bản tại bàn chủ tọa",
    )
    with image.image.open("rb") as fh:
        stored = fh.read()
    result = Image.open(io.BytesIO(stored))
    assert result.format == "JPEG" and image.content_type == "image/jpeg"
    # Sideways 3000×2000 turned upright, then scaled to 1600 on the long side.
    assert (result.width, result.height) == (image.width, image.height) == (1067, 1600)
    assert not result.getexif()
    for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
        assert key not in result.info, key
    for marker in (b"Exif", b"Canon", b"Nguyen Van Chup", b"Dong Van", b"xmpmeta", b"ICC_PROFILE"):
        assert marker not in stored, marker
    # Upright: the blue corner, top-left when taken, is now top-right.
    assert result.convert("RGB").getpixel((result.width - 20, 20))[2] > 150
    assert image.key == "anh-1"
    assert "IMG_0042" not in image.image.name and image.image.name.startswith("newsroom/")
    assert image.sha256 == __import__("hashlib").sha256(stored).hexdigest()


def test_png_text_chunks_are_dropped_and_the_format_comes_from_the_content(desk):
    article = draft(desk.editor_a)
    data = png_bytes(text={"Author": "Vàng Seo Dính", "GPS": "22.8,104.9"}, mode="RGBA")
    assert b"Author" in data
    # Named .jpg and declared as JPEG, it is a PNG: kept as a PNG.
    image = services.image_add(
        actor=desk.editor_a, article=article, file=upload(data), caption="Bản đồ", alt="Bản đồ"
    )
    with image.image.open("rb") as fh:
        stored = fh.read()
    assert image.content_type == "image/png" and image.image.name.endswith(".png")
    assert b"Author" not in stored and b"GPS" not in stored
    assert Image.open(io.BytesIO(stored)).mode == "RGBA"


@pytest.mark.parametrize(
    "data",
    [
        b"<script>alert(1)</script>",
        b"GIF89a" + b"\0" * 64,
        b"%PDF-1.4\n",
        b"",
    ],
    ids=["html-named-jpg", "gif", "pdf", "empty"],
)
def test_anything_but_jpeg_png_webp_is_refused_naming_the_image_field(desk, data):
    article = draft(desk.editor_a)
    with pytest.raises(ServiceError) as caught:
        services.image_add(
            actor=desk.editor_a, article=article, file=upload(data), caption="C", alt="A"
        )
    assert "image" in caught.value.message_dict
    assert not NewsImage.objects.exists()


def test_a_gif_really_made_as_a_gif_is_refused(desk):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    article = draft(desk.editor_a)
    with pytest.raises(ServiceError) as caught:
        services.image_add(
            actor=desk.editor_a, article=article, file=upload(out.getvalue()), caption="C", alt="A"
        )
    assert "JPEG, PNG hoặc WebP" in caught.value.message_dict["image"][0]


def test_webp_is_accepted_and_kept_as_webp(desk):
    out = io.BytesIO()
    Image.new("RGB", (2400, 600), (1, 2, 3)).save(out, "WEBP")
    image = add_image(desk.editor_a, draft(desk.editor_a), data=out.getvalue())
    assert image.content_type == "image/webp" and (image.width, image.height) == (1600, 400)


def test_caption_and_alt_are_required(desk):
    article = draft(desk.editor_a)
    with pytest.raises(ServiceError) as caught:
        services.image_add(
            actor=desk.editor_a, article=article, file=upload(png_bytes()), caption=" ", alt=""
        )
    assert set(caught.value.message_dict) == {"caption", "alt"}


def test_image_keys_count_up_and_are_not_reused_after_a_removal(desk):
    article = draft(desk.editor_a)
    first = add_image(desk.editor_a, article)
    second = add_image(desk.editor_a, article)
    services.image_remove(actor=desk.editor_a, image=second)
    third = add_image(desk.editor_a, article)
    assert (first.key, second.key, third.key) == ("anh-1", "anh-2", "anh-3")
    assert AuditEvent.objects.filter(action="news.image_remove").count() == 1
    assert list(article.images.values_list("key", flat=True)) == ["anh-1", "anh-3"]


def test_a_removed_images_file_is_deleted_on_commit(desk, django_capture_on_commit_callbacks):
    article = draft(desk.editor_a)
    image = add_image(desk.editor_a, article)
    name, storage = image.image.name, image.image.storage
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_remove(actor=desk.editor_a, image=image)
    assert not storage.exists(name)


def test_another_agencys_editor_cannot_attach_or_remove_images(desk):
    article = draft(desk.editor_a)
    image = add_image(desk.editor_a, article)
    with pytest.raises(policy.NotFound):
        add_image(desk.editor_b, article)
    with pytest.raises(policy.NotFound):
        services.image_remove(actor=desk.editor_b, image=image)


# --- scheduling and publishing ------------------------------------------------------------------


def test_publishing_needs_a_body_and_the_images_it_places(desk):
    article = draft(desk.editor_a, body="")
    with pytest.raises(ServiceError) as caught:
        services.article_publish(actor=desk.editor_a, article=article)
    assert "body" in caught.value.message_dict
    article = services.article_update(
        actor=desk.editor_a, article=article, body="Ảnh:\n\n![Hội nghị](anh-1)"
    )
    with pytest.raises(ServiceError) as caught:
        services.article_publish(actor=desk.editor_a, article=article)
    assert "không có trong các ảnh đính kèm: anh-1." in caught.value.message_dict["body"][0]
    add_image(desk.editor_a, article)
    services.article_publish(actor=desk.editor_a, article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_a_schedule_must_be_in_the_future(desk):
    article = draft(desk.editor_a)
    for when in (timezone.now() - dt.timedelta(minutes=1), timezone.now()):
        with pytest.raises(ServiceError) as caught:
            services.article_schedule(actor=desk.editor_a, article=article, publish_at=when)
        assert "publish_at" in caught.value.message_dict
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.publish_at is None


def test_each_change_of_state_is_audited_in_the_chain(desk):
    article = draft(desk.editor_a)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    services.article_schedule(actor=desk.editor_a, article=article, publish_at=tomorrow)
    services.article_unpublish(actor=desk.editor_a, article=article)  # cancels the schedule
    services.article_publish(actor=desk.editor_a, article=article)
    services.article_unpublish(actor=desk.editor_a, article=article)
    actions = list(
        AuditEvent.objects.filter(object_type="newsroom.newsarticle")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "news.create",
        "news.schedule",
        "news.unschedule",
        "news.publish",
        "news.unpublish",
    ]
    article.refresh_from_db()
    assert article.status == ArticleStatus.UNPUBLISHED
    assert audit_verify().ok


def public(slug):
    return Article.objects.filter(slug=slug).first()


def test_publishing_puts_the_article_on_the_bulletin_after_commit(
    desk, client, django_capture_on_commit_callbacks
):
    article = draft(desk.editor_a, body="Đoạn một.\n\n![Hội nghị](anh-1)")
    add_image(desk.editor_a, article)
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_publish(actor=desk.editor_a, article=article)
        # Nothing is sent before the change is committed.
        assert public(article.slug) is None and not article.sync.done
    assert article.sync.done and not article.sync.error
    assert article.sync.result["articles"] == 1
    shown = public(article.slug)
    assert shown.title == article.title and shown.author_agency == desk.world.a.name
    assert Article.objects.live().filter(pk=shown.pk).exists()
    page = client.get(f"/tin-tuc/{article.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert article.title in html and "<figcaption>Toàn cảnh hội nghị</figcaption>" in html
    record = BundleRecord.objects.get()
    assert (record.target, record.articles, record.error) == ("local", 1, "")
    assert record.created_by == desk.editor_a
    assert AuditEvent.objects.filter(action="bulletin.publish", object_id=str(record.pk)).exists()


def test_a_scheduled_article_is_not_public_until_its_time(
    desk, client, django_capture_on_commit_callbacks
):
    article = draft(desk.editor_a, title="Tin hẹn giờ ngày mai")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(actor=desk.editor_a, article=article, publish_at=tomorrow)
    shown = public(article.slug)
    assert shown is not None  # sent ahead, held back by its time
    assert not Article.objects.live().filter(pk=shown.pk).exists()
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 404
    assert "Tin hẹn giờ ngày mai" not in client.get("/tin-tuc/").content.decode()
    later = tomorrow + dt.timedelta(minutes=1)
    assert Article.objects.live(now=later).filter(pk=shown.pk).exists()
    article.refresh_from_db()
    assert not article.is_live() and article.is_live(now=later)
    assert article.shown_status == ArticleStatus.SCHEDULED


def test_a_scheduled_article_appears_once_its_time_has_passed(
    desk, client, django_capture_on_commit_callbacks
):
    article = draft(desk.editor_a, title="Tin đến giờ")
    soon = timezone.now() + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(actor=desk.editor_a, article=article, publish_at=soon)
    # The time passes: the bulletin shows it with no further action.
    NewsArticle.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    Article.objects.filter(slug=article.slug).update(
        publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    from phoihop.bulletin import caching

    caching.bump()
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 200
    article.refresh_from_db()
    assert article.shown_status == ArticleStatus.PUBLISHED


def test_unpublishing_removes_the_article_from_the_public_pages(
    desk, client, django_capture_on_commit_callbacks
):
    article = draft(desk.editor_a, title="Tin sẽ gỡ")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=desk.editor_a, article=article)
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_unpublish(actor=desk.editor_a, article=article)
    assert article.sync.result["withdrawn"] == 1
    assert public(article.slug).withdrawn
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 404
    assert "Tin sẽ gỡ" not in client.get("/tin-tuc/").content.decode()
    assert "Tin sẽ gỡ" not in client.get("/tin-tuc/feed.atom").content.decode()


def test_editing_a_published_article_republishes_it(
    desk, client, django_capture_on_commit_callbacks
):
    article = draft(desk.editor_a, title="Tin có lỗi chính tả")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=desk.editor_a, article=article)
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_update(
            actor=desk.editor_a, article=article, body="Nội dung đã **sửa**."
        )
    assert article.sync.done and not article.sync.error
    assert (
        "Nội dung đã <strong>sửa</strong>."
        in client.get(f"/tin-tuc/{article.slug}/").content.decode()
    )
    assert BundleRecord.objects.count() == 2


def test_editing_a_draft_sends_nothing(desk, django_capture_on_commit_callbacks):
    article = draft(desk.editor_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.article_update(actor=desk.editor_a, article=article, title="Nháp khác")
    assert callbacks == [] and not BundleRecord.objects.exists()


def test_a_bulletin_failure_never_undoes_the_desks_change(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    from phoihop.bulletin import services as bulletin_services

    def refuse(data):
        raise bundle.BundleError("Khóa kiểm tra không khớp.")

    monkeypatch.setattr(bulletin_services, "apply_bundle", refuse)
    article = draft(desk.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        article = services.article_publish(actor=desk.editor_a, article=article)
    assert "Khóa kiểm tra không khớp." in article.sync.error
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED  # the change and its audit event stay
    assert AuditEvent.objects.filter(action="news.publish").exists()
    record = BundleRecord.objects.get()
    assert not record.ok and "Khóa kiểm tra không khớp." in record.error
    assert AuditEvent.objects.filter(action="bulletin.publish_failed").exists()
    assert not Article.objects.exists()
    # The next publish repairs it: a full snapshot.
    monkeypatch.undo()
    result = publishing.publish(actor=desk.editor_a)
    assert result["articles"] == 1 and public(article.slug) is not None


# --- the snapshot ---------------------------------------------------------------------------------


def test_the_manifest_is_a_full_snapshot_of_published_and_scheduled_articles(desk):
    out = draft(desk.editor_a, title="Đã đăng", tags="Sơ kết, Khen thưởng")
    image = add_image(desk.editor_a, out)
    services.article_update(actor=desk.editor_a, article=out, body="![Ảnh](anh-1)")
    services.article_publish(actor=desk.editor_a, article=out)
    later = draft(desk.editor_b, title="Hẹn giờ của cơ quan khác")
    when = timezone.now() + dt.timedelta(days=2)
    services.article_schedule(actor=desk.editor_b, article=later, publish_at=when)
    draft(desk.editor_a, title="Còn nháp")
    gone = draft(desk.editor_a, title="Đã gỡ")
    services.article_publish(actor=desk.editor_a, article=gone)
    services.article_unpublish(actor=desk.editor_a, article=gone)

    manifest, files = publishing.build_manifest()
    assert manifest["format"] == "phoihop-bulletin/1"
    assert manifest["created_at"].endswith("Z")
    titles = [a["title"] for a in manifest["articles"]]
    assert titles == ["Đã đăng", "Hẹn giờ của cơ quan khác"]
    first = manifest["articles"][0]
    out.refresh_from_db()
    assert first["uid"] == str(out.uid) and first["slug"] == "da-dang"
    assert first["author_agency"] == "Công an tỉnh Hà Giang"
    assert first["tags"] == ["Sơ kết", "Khen thưởng"]
    assert first["moderation"] == "pre" and first["comments_open"] is True
    assert first["body"] == "![Ảnh](anh-1)"
    assert dt.datetime.fromisoformat(first["publish_at"]) == out.publish_at
    [spec] = first["images"]
    assert spec["key"] == "anh-1" and spec["file"] == f"images/{image.sha256}.png"
    assert spec["sha256"] == image.sha256 and (spec["width"], spec["height"]) == (40, 30)
    assert spec["caption"] == "Toàn cảnh hội nghị" and spec["alt"]
    assert set(files) == {spec["file"]}
    assert dt.datetime.fromisoformat(manifest["articles"][1]["publish_at"]) == when
    # No back-office id, person or user name travels.
    text = json.dumps(manifest, ensure_ascii=False)
    assert str(out.pk) not in [a.get("id") for a in manifest["articles"]]
    assert desk.editor_a.username not in text and "created_by" not in text


def test_publish_to_a_file_writes_a_signed_bundle(desk, tmp_path):
    article = draft(desk.editor_a)
    services.article_publish(actor=desk.editor_a, article=article)
    path = tmp_path / "goi" / "ban-tin.zip"
    result = publishing.publish(actor=SYSTEM, out=path)
    received = bundle.read(path.read_bytes())
    assert [a["slug"] for a in received.manifest["articles"]] == [article.slug]
    assert result == {
        "articles": 1,
        "withdrawn": 0,
        "digest": received.digest,
        "target": str(path),
    }
    assert zipfile.ZipFile(path).namelist()[:2] == ["manifest.json", "manifest.sig"]
    assert not Article.objects.exists()  # written out, not applied here
    record = BundleRecord.objects.get()
    assert record.created_by is None and record.target == str(path)


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"], body))
        if type(self).status == 200:
            answer = {"applied": True, "articles": 1, "withdrawn": 3}
        else:
            answer = {"error": "Chữ ký của gói tin không hợp lệ."}
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}/tin-tuc/nhan-goi-tin/")
    server.shutdown()
    server.server_close()


def test_push_posts_the_bundle_to_the_public_receiver(desk, receiver):
    services.article_publish(actor=desk.editor_a, article=draft(desk.editor_a))
    result = publishing.publish(actor=desk.editor_a, push=receiver.url)
    [(path, content_type, body)] = _Receiver.received
    assert path == "/tin-tuc/nhan-goi-tin/" and content_type == "application/zip"
    assert bundle.read(body).digest == result["digest"]
    assert result["withdrawn"] == 3 and result["target"] == receiver.url


def test_a_refused_push_says_why_and_is_recorded(desk, receiver):
    _Receiver.status = 400
    with pytest.raises(publishing.PublishError) as caught:
        publishing.publish(actor=desk.editor_a, push=receiver.url)
    assert "HTTP 400" in str(caught.value) and "Chữ ký của gói tin không hợp lệ." in str(
        caught.value
    )
    assert "HTTP 400" in BundleRecord.objects.get().error


def test_an_unreachable_or_malformed_push_address_fails_clearly(desk):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(publishing.PublishError) as caught:
        publishing.publish(
            actor=desk.editor_a, push=f"http://127.0.0.1:{port}/tin-tuc/nhan-goi-tin/"
        )
    assert "Không gửi được gói tin" in str(caught.value)
    with pytest.raises(publishing.PublishError) as caught:
        publishing.publish(actor=desk.editor_a, push="file:///etc/passwd")
    assert "không hợp lệ" in str(caught.value)
    assert BundleRecord.objects.filter(error__gt="").count() == 2


def test_only_the_desk_and_the_system_publish(desk):
    for outsider in (desk.world.officer_a, desk.world.leader_a, desk.world.oversight):
        with pytest.raises(policy.NotFound):
            publishing.publish(actor=outsider)
    assert not BundleRecord.objects.exists()


# --- a draft from a review -----------------------------------------------------------------------

STATISTICS = {
    "joint_criminal_cases_cleared": 21,
    "border_incidents_resolved": 76,
    "subjects_verified": 166,
    "dossiers_resolved": 97,
    "by_crime_type": [
        {"crime_type": "giet-nguoi", "name": "Giết người", "count": 5},
        {"crime_type": "chiem-doat-tre-em", "name": "Chiếm đoạt trẻ em", "count": 6},
        {"crime_type": "mua-ban-nguoi", "name": "Mua bán người", "count": 10},
    ],
    "by_counterpart": [
        {"counterpart": "ca-vanson", "name": "Cục Công an châu Văn Sơn", "count": 21}
    ],
}
SECRET_ASSESSMENT = "Chuyên án CA-07 đang theo dõi đường dây qua cửa khẩu Phó Bảng."


def _review(world, classification=Classification.THUONG, conclusions=None) -> Review:
    review = Review.objects.create(
        regulation=world.regulation,
        kind=ReviewKind.INTERIM,
        title="Sơ kết 3 năm (2008 – 2011) thực hiện Quy chế phối hợp",
        period_from=dt.date(2008, 12, 2),
        period_to=dt.date(2011, 12, 2),
        statistics=STATISTICS,
        computed_at=timezone.now(),
        classification=classification,
    )
    Assessment.objects.create(
        review=review,
        unit=world.unit_a,
        status=AssessmentStatus.SUBMITTED,
        results=SECRET_ASSESSMENT,
    )
    if conclusions is not None:
        Conference.objects.create(
            review=review,
            held_on=dt.date(2011, 12, 2),
            place="Hội trường Công an tỉnh",
            chairs="Giám đốc Công an tỉnh\nGiám đốc Sở Ngoại vụ",
            participants="Phòng PA61, Phòng Quản lý xuất nhập cảnh",
            conclusions=conclusions,
        )
    return review


@pytest.fixture
def reviewed(desk):
    """A review whose conclusions name a recorded person and cite a dossier number."""
    w = desk.world
    dossier = open_dossier(w.joint, w.a, supporting=[w.b], counterpart=w.f, title="Vụ án")
    person = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=w.a,
        full_name="Vàng Seo Dính",
        native_name="王小明",
        sex="M",
        nationality="VN",
    )
    conclusions = (
        f"Hai ngành thống nhất đánh giá cao kết quả phối hợp, trong đó có vụ {dossier.reference} "
        "bắt giữ Vàng Seo Dính (王小明).\n"
        "Hội nghị thống nhất sửa đổi các điều khoản cho phù hợp thực tế và ký quy chế mới."
    )
    return SimpleNamespace(
        review=_review(w, conclusions=conclusions), person=person, dossier=dossier, desk=desk
    )


def test_a_draft_from_a_review_carries_its_figures_and_conclusions(reviewed):
    w = reviewed.desk.world
    article = drafting.article_from_review(actor=w.leader_a, review=reviewed.review)
    assert article.agency == w.a and article.status == ArticleStatus.DRAFT
    assert article.source_review == reviewed.review and article.created_by == w.leader_a
    text = "\n".join((article.title, article.lead, article.body))
    for figure in ("**21 vụ án hình sự**", "**76 vụ việc**", "**166 đối tượng**"):
        assert figure in article.body
    assert "(giết người; chiếm đoạt trẻ em; mua bán người)" in article.body
    assert "02/12/2011" in article.lead and "Công an tỉnh Hà Giang" in article.lead
    assert "sửa đổi các điều khoản" in article.body
    assert article.tags == "Sơ kết, Quy chế phối hợp"
    assert AuditEvent.objects.filter(action="news.draft_from_review").exists()
    # Never a person's name, a dossier number or anything internal.
    for secret in (
        "Vàng Seo Dính",
        "王小明",
        reviewed.dossier.reference,
        SECRET_ASSESSMENT,
        "Phó Bảng",
        "PA61",
        "Hội trường",
        "Cục Công an châu Văn Sơn",
    ):
        assert secret not in text, secret
    assert "[đã lược họ tên]" in article.body and "[đã lược số hồ sơ]" in article.body


def test_the_secretariat_may_draft_too_but_not_twice_while_a_draft_waits(reviewed):
    w = reviewed.desk.world
    drafting.article_from_review(actor=w.secretariat, review=reviewed.review)
    with pytest.raises(ServiceError) as caught:
        drafting.article_from_review(actor=w.leader_a, review=reviewed.review)
    assert "đang chờ biên tập viên" in caught.value.messages[0]
    assert NewsArticle.objects.count() == 1


def test_only_leaders_and_the_secretariat_of_a_party_draft_from_a_review(reviewed):
    w = reviewed.desk.world
    other = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh")
    outsiders = [
        reviewed.desk.editor_a,  # editors do not read reviews
        w.officer_a,
        w.oversight,  # reads the figures, writes no news
        w.admin,
        UserFactory(username="c.lanhdao", agency=other, role=Role.LEADER, clearance=3),
    ]
    for outsider in outsiders:
        with pytest.raises(policy.NotFound):
            drafting.article_from_review(actor=outsider, review=reviewed.review)
    assert not NewsArticle.objects.exists()


def test_a_classified_review_gives_no_public_draft(desk):
    review = _review(desk.world, classification=Classification.MAT, conclusions="Kết luận mật.")
    with pytest.raises(ServiceError) as caught:
        drafting.article_from_review(actor=desk.world.leader_a, review=review)
    assert "Mật" in caught.value.messages[0]
    assert not NewsArticle.objects.exists()


def test_a_review_without_conference_or_figures_still_drafts_plainly(desk):
    review = _review(desk.world)
    review.statistics = {}
    review.save()
    article = drafting.article_from_review(actor=desk.world.leader_a, review=review)
    assert "không có số liệu" in article.body
    assert "Kết luận" not in article.body


def test_only_the_system_dates_a_publication_in_the_past(desk):
    past = dt.datetime(2011, 12, 5, 1, 30, tzinfo=dt.UTC)
    article = draft(desk.editor_a)
    with pytest.raises(policy.NotFound):
        services.article_publish(actor=desk.editor_a, article=article, published_on=past)
    article = services.article_publish(actor=SYSTEM, article=article, published_on=past)
    article.refresh_from_db()
    assert article.publish_at == past and article.status == ArticleStatus.PUBLISHED
    manifest, _files = publishing.build_manifest()
    assert manifest["articles"][0]["publish_at"] == "2011-12-05T01:30:00.000000Z"
