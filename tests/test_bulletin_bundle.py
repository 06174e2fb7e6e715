"""Signed bundles: the one way articles reach the public bulletin.

A round trip applies articles, images (re-encoded, metadata gone) and tags; every
kind of bad bundle is refused with a message saying why, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from PIL import Image

from phoihop.bulletin import bundle, services
from phoihop.bulletin.bundle import BundleError
from phoihop.bulletin.models import Article, ArticleImage, Publication, Tag

T0 = dt.datetime(2011, 12, 20, 2, 0, tzinfo=dt.UTC)


# --- helpers (also used by the other bulletin test files) ------------------------------------


@pytest.fixture
def keys(settings, tmp_path):
    """A signing key of this test's own (made on first use), and its verify key."""
    settings.PHOIHOP_BULLETIN_SIGNING_KEY = str(tmp_path / "keys" / "signing.pem")
    settings.PHOIHOP_BULLETIN_VERIFY_KEY = str(tmp_path / "keys" / "verify.pem")
    return tmp_path / "keys"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def picture(color=(200, 30, 30), size=(64, 48), fmt="JPEG", exif=False) -> bytes:
    """A small image file; with `exif`, it carries a camera and GPS tag."""
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    if exif:
        data = Image.Exif()
        data[0x010F] = "MayAnhBiMat"  # Make
        data[0x0131] = "PhanMemBiMat"  # Software
        img.save(out, format=fmt, exif=data.tobytes())
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def image_entry(key: str, data: bytes, ext: str = "jpg", caption: str = "", alt: str = ""):
    digest = hashlib.sha256(data).hexdigest()
    name = f"images/{digest}.{ext}"
    spec = {
        "key": key,
        "file": name,
        "sha256": digest,
        "caption": caption,
        "alt": alt,
        "width": 64,
        "height": 48,
    }
    return spec, {name: data}


def item(slug: str = "so-ket-2011", **overrides) -> dict:
    base = {
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
        "slug": slug,
        "title": "Sơ kết ba năm phối hợp liên ngành",
        "lead": "Các cơ quan đánh giá kết quả phối hợp ở địa bàn biên giới.",
        "body": "Hội nghị diễn ra tại **Hà Giang**.\n\nCác đơn vị báo cáo kết quả.",
        "author_agency": "Sở Ngoại vụ tỉnh Hà Giang",
        "tags": ["Sơ kết", "Đồng Văn"],
        "publish_at": iso(T0),
        "revised_at": iso(T0),
        "moderation": "pre",
        "comments_open": True,
        "images": [],
    }
    base.update(overrides)
    return base


def manifest(articles: list[dict], created_at: dt.datetime = T0) -> dict:
    return {"format": bundle.FORMAT, "created_at": iso(created_at), "articles": articles}


def make(articles: list[dict], files: dict | None = None, created_at: dt.datetime = T0) -> bytes:
    return bundle.write(manifest(articles, created_at), files or {})


def rezip(data: bytes, change) -> bytes:
    """The bundle's entries, passed through `change(name, content) -> (name, content)|None`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            changed = change(info.filename, src.read(info))
            if changed is not None:
                dst.writestr(changed[0], changed[1])
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Everything a bundle can change, to compare before and after a refusal."""
    return [
        *Article.objects.order_by("uid").values_list(
            "uid", "slug", "title", "withdrawn", "body_html"
        ),
        *ArticleImage.objects.order_by("image").values_list("image", "caption"),
        *Tag.objects.order_by("slug").values_list("slug", "name"),
        *Publication.objects.values_list("digest"),
    ]


# --- the round trip -----------------------------------------------------------------------------


def test_a_bundle_round_trip_publishes_articles_images_and_tags(db, keys):
    photo = picture(exif=True)
    spec, files = image_entry("anh-1", photo, caption="Quang cảnh hội nghị", alt="Hội trường")
    body = "Mở đầu.\n\n![Quang cảnh](anh-1)\n\nKết thúc."
    publication = services.apply_bundle(make([item(body=body, images=[spec])], files))

    assert publication.articles == 1 and publication.already_applied is False
    article = Article.objects.get()
    assert article.title == "Sơ kết ba năm phối hợp liên ngành"
    assert sorted(article.tags.values_list("slug", flat=True)) == ["dong-van", "so-ket"]
    stored = ArticleImage.objects.get()
    name = stored.image.name.rsplit("/", 1)[-1]
    url = reverse("bulletin:image", args=[name])
    assert f'src="{url}"' in article.body_html
    assert "<figcaption>Quang cảnh hội nghị</figcaption>" in article.body_html
    assert 'alt="Hội trường"' in article.body_html
    # search text is folded: no diacritics, đ → d
    assert "dong van" in article.search_text and "bien gioi" in article.search_text
    # the image was re-encoded: same picture, none of the source's metadata
    with stored.image.open("rb") as fh:
        data = fh.read()
    assert data != photo
    assert b"MayAnhBiMat" not in data and b"PhanMemBiMat" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_the_same_bundle_twice_changes_nothing_the_second_time(db, keys):
    data = make([item()])
    first = services.apply_bundle(data)
    before = snapshot()
    again = services.apply_bundle(data)
    assert again.pk == first.pk and again.already_applied is True
    assert snapshot() == before
    assert Publication.objects.count() == 1


def test_an_unchanged_article_keeps_its_image_file_in_the_next_bundle(db, keys):
    spec, files = image_entry("anh-1", picture())
    services.apply_bundle(make([item(images=[spec])], files))
    name = ArticleImage.objects.get().image.name
    services.apply_bundle(make([item(images=[spec]), item("bai-hai")], files, T0 + dt.timedelta(1)))
    assert ArticleImage.objects.get().image.name == name
    assert Article.objects.count() == 2


def test_an_article_missing_from_the_snapshot_is_withdrawn_then_restored(db, keys):
    spec, files = image_entry("anh-1", picture())
    services.apply_bundle(make([item(images=[spec]), item("bai-hai", title="Bài hai")], files))
    later = services.apply_bundle(
        make([item("bai-hai", title="Bài hai")], {}, T0 + dt.timedelta(1))
    )
    assert later.withdrawn == 1
    gone = Article.objects.get(slug="so-ket-2011")
    assert gone.withdrawn and gone.title == "" and gone.body_html == ""
    assert not gone.tags.exists() and not gone.images.exists()
    assert not Article.objects.live().filter(pk=gone.pk).exists()

    services.apply_bundle(make([item(images=[spec])], files, T0 + dt.timedelta(2)))
    back = Article.objects.get(slug="so-ket-2011")
    assert back.pk == gone.pk and not back.withdrawn
    assert back.title == "Sơ kết ba năm phối hợp liên ngành" and back.images.count() == 1


def test_a_slug_taken_over_by_another_article_moves_cleanly(db, keys):
    services.apply_bundle(make([item("tin-a", uid=str(uuid.uuid4()))]))
    newcomer = str(uuid.uuid4())
    services.apply_bundle(make([item("tin-a", uid=newcomer)], {}, T0 + dt.timedelta(1)))
    assert str(Article.objects.live().get(slug="tin-a").uid) == newcomer


def test_an_older_bundle_is_refused_with_a_clear_message(db, keys):
    services.apply_bundle(make([item(title="Mới")], {}, T0 + dt.timedelta(days=1)))
    before = snapshot()
    with pytest.raises(BundleError, match="cũ hơn gói đã áp dụng"):
        services.apply_bundle(make([item(title="Cũ")], {}, T0))
    assert snapshot() == before


def test_a_script_in_an_article_body_is_shown_as_text(db, keys):
    body = "<script>alert(1)</script> [x](javascript:alert(2)) ![a](https://evil.example/x.png)"
    services.apply_bundle(make([item(body=body)]))
    html = Article.objects.get().body_html
    assert "<script" not in html and "href=" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


# --- refusals: nothing changes ------------------------------------------------------------------


@pytest.fixture
def published(db, keys):
    """One article applied, so that a refusal can be seen to change nothing."""
    services.apply_bundle(make([item()]))
    return snapshot()


def refused(data: bytes, match: str, published) -> None:
    with pytest.raises(BundleError, match=match):
        services.apply_bundle(data)
    assert snapshot() == published


def test_a_tampered_manifest_is_refused(published):
    data = make([item(title="Thật")], {}, T0 + dt.timedelta(1))

    def tamper(name, content):
        if name == "manifest.json":
            content = content.replace("Thật".encode(), "Giả".encode())
        return name, content

    refused(rezip(data, tamper), "Chữ ký của gói tin không hợp lệ", published)


def test_a_tampered_image_is_refused(published):
    spec, files = image_entry("anh-1", picture())
    data = make([item(images=[spec])], files, T0 + dt.timedelta(1))

    def tamper(name, content):
        return name, (picture(color=(0, 0, 0)) if name.startswith("images/") else content)

    refused(rezip(data, tamper), "không khớp mã băm sha256", published)


def test_a_bundle_signed_with_another_key_is_refused(published, settings, tmp_path):
    settings.PHOIHOP_BULLETIN_SIGNING_KEY = str(tmp_path / "other" / "signing.pem")
    data = make([item(title="Lạ")], {}, T0 + dt.timedelta(1))
    settings.PHOIHOP_BULLETIN_SIGNING_KEY = str(tmp_path / "keys" / "signing.pem")
    refused(data, "Chữ ký của gói tin không hợp lệ", published)


def test_an_unknown_format_version_is_refused(published):
    doc = manifest([item()], T0 + dt.timedelta(1))
    doc["format"] = "phoihop-bulletin/9"
    refused(bundle.write(doc, {}), "chỉ đọc “phoihop-bulletin/1”", published)


def test_an_oversized_bundle_is_refused(published, settings):
    settings.PHOIHOP_BULLETIN_LIMITS = {"max_bytes": 2000}
    spec, files = image_entry("anh-1", picture(size=(400, 400)))
    refused(make([item(images=[spec])], files, T0 + dt.timedelta(1)), "Gói tin quá lớn", published)


def test_an_oversized_file_is_refused(published, settings):
    settings.PHOIHOP_BULLETIN_LIMITS = {"max_file": 500}
    spec, files = image_entry("anh-1", picture(size=(400, 400)))
    refused(make([item(images=[spec])], files, T0 + dt.timedelta(1)), "quá lớn", published)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "images/../manifest.json", "/abs.jpg", "notes.txt"]
)
def test_a_file_outside_images_or_a_path_traversal_is_refused(published, name):
    out = io.BytesIO(make([item()], {}, T0 + dt.timedelta(1)))
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"x")
    refused(out.getvalue(), "Tên tệp không được phép", published)


def test_a_zip_bomb_is_refused(published):
    data = make([item()], {}, T0 + dt.timedelta(1))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(
            f"images/{'0' * 64}.jpg", b"\0" * (10 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED
        )
    refused(out.getvalue(), "bom nén", published)


def test_a_file_that_is_not_a_zip_is_refused(published):
    refused(b"PK\x03\x04 not really a zip", "không đọc được dạng ZIP", published)


def test_an_image_that_is_not_an_image_is_refused(published):
    spec, files = image_entry("anh-1", b"<svg onload=alert(1)>", ext="png")
    refused(make([item(images=[spec])], files, T0 + dt.timedelta(1)), "không đọc được", published)


def test_a_reserved_slug_is_refused(published):
    refused(make([item("tim-kiem")], {}, T0 + dt.timedelta(1)), "đường dẫn không hợp lệ", published)


def test_the_public_deployment_cannot_sign(settings, keys):
    settings.PHOIHOP_SITE = "public"
    with pytest.raises(BundleError, match="không có khóa ký"):
        make([item()])


def test_without_the_verify_key_the_public_deployment_says_where_to_put_it(db, settings, keys):
    data = make([item()])
    settings.PHOIHOP_SITE = "public"
    settings.PHOIHOP_BULLETIN_VERIFY_KEY = str(keys / "missing.pem")
    with pytest.raises(BundleError, match="phoihop bulletin key"):
        services.apply_bundle(data)


def test_the_signing_key_is_private_to_its_owner(keys):
    make([item()])
    assert (keys / "signing.pem").stat().st_mode & 0o077 == 0
    assert (keys / "verify.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")


# --- the receiver -------------------------------------------------------------------------------


def test_the_receiver_applies_a_pushed_bundle_and_answers_a_summary(client, db, keys):
    response = client.post(
        reverse("bulletin:receive"), make([item()]), content_type="application/zip"
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["articles"] == 1 and answer["applied"] is True and len(answer["digest"]) == 64
    assert Article.objects.live().filter(slug="so-ket-2011").exists()


def test_the_receiver_answers_400_with_the_reason_for_a_bad_bundle(client, published):
    data = make([item(title="Giả")], {}, T0 + dt.timedelta(1))
    data = rezip(data, lambda n, c: (n, c.replace(b"Gi", b"Gj") if n == "manifest.json" else c))
    response = client.post(reverse("bulletin:receive"), data, content_type="application/zip")
    assert response.status_code == 400
    assert "Chữ ký của gói tin không hợp lệ" in response.json()["error"]
    assert snapshot() == published


def test_the_receiver_needs_no_csrf_token_but_only_takes_post(db, keys):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = reverse("bulletin:receive")
    assert strict.get(url).status_code == 405
    response = strict.post(url, make([item()]), content_type="application/zip")
    assert response.status_code == 200


def test_the_receiver_refuses_a_body_over_the_limit(client, published, settings):
    settings.PHOIHOP_BULLETIN_LIMITS = {"max_bytes": 100}
    response = client.post(reverse("bulletin:receive"), b"x" * 500, content_type="application/zip")
    assert response.status_code == 413
    assert "quá lớn" in response.json()["error"]


# --- the command --------------------------------------------------------------------------------


def test_bulletin_import_applies_a_file_and_key_prints_the_verify_key(db, keys, tmp_path, capsys):
    path = tmp_path / "goi.zip"
    path.write_bytes(make([item()]))
    call_command("bulletin", "import", str(path))
    assert "Đã áp dụng gói tin" in capsys.readouterr().out
    assert Article.objects.live().count() == 1
    call_command("bulletin", "key")
    assert capsys.readouterr().out == (keys / "verify.pem").read_text()


def test_bulletin_import_of_a_bad_file_fails_with_the_reason(db, keys, tmp_path):
    path = tmp_path / "goi.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match=r"Gói tin bị từ chối: .*ZIP"):
        call_command("bulletin", "import", str(path))


def test_bulletin_publish_is_refused_on_the_public_deployment(settings):
    settings.PHOIHOP_SITE = "public"
    with pytest.raises(CommandError, match="xuất bản từ hệ thống nội bộ"):
        call_command("bulletin", "publish")


def test_bulletin_moderator_add_creates_an_account(db, monkeypatch, capsys):
    from phoihop.bulletin.models import Moderator

    monkeypatch.setenv("PHOIHOP_MODERATOR_PASSWORD", "mot-mat-khau-du-dai-2011")
    call_command("bulletin", "moderator", "add", "kiemduyet1", "--name", "Nguyễn Văn Duyệt")
    moderator = Moderator.objects.get(username="kiemduyet1")
    assert moderator.display_name == "Nguyễn Văn Duyệt"
    assert moderator.password != "mot-mat-khau-du-dai-2011"
    assert "kiemduyet1" in capsys.readouterr().out


def test_json_manifest_is_what_was_signed(keys):
    data = make([item()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        doc = json.loads(archive.read("manifest.json"))
    assert doc["format"] == "phoihop-bulletin/1"
    assert bundle.read(data).manifest == doc


def test_comments_closed_by_a_moderator_stay_closed_when_the_article_is_revised(db, keys):
    from phoihop.bulletin import moderation
    from tests.comment_helpers import make_moderator

    services.apply_bundle(make([item()]))
    article = Article.objects.get()
    moderation.article_configure(actor=make_moderator(), article=article, comments_open=False)
    later = T0 + dt.timedelta(hours=1)
    revised = item(title="Sơ kết ba năm phối hợp (cập nhật)", revised_at=iso(later))
    services.apply_bundle(make([revised], created_at=later))
    article.refresh_from_db()
    assert article.title == "Sơ kết ba năm phối hợp (cập nhật)"
    assert article.comments_open is False
    # The back office can still close them; a new article takes its setting as sent.
    services.apply_bundle(
        make([revised, item("bai-moi", comments_open=False)], created_at=later + dt.timedelta(1))
    )
    assert Article.objects.get(slug="bai-moi").comments_open is False


def test_an_unsigned_bundle_is_refused_before_any_image_is_unpacked(published, tmp_path):
    """A bundle signed by another key whose image data is damaged: the signature is what
    is refused, since no image is read before the manifest's signature holds."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    spec, files = image_entry("anh-1", picture())
    data = make([item("khac", images=[spec])], files, created_at=T0 + dt.timedelta(days=2))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest_bytes = archive.read("manifest.json")
    intruder = Ed25519PrivateKey.generate()
    data = rezip(
        data,
        lambda name, content: (
            (name, intruder.sign(manifest_bytes)) if name == "manifest.sig" else (name, content)
        ),
    )
    # Damage the image's bytes inside the archive: reading it would fail its CRC.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(spec["file"])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + 10 : start + 20] = bytes(10)
    with zipfile.ZipFile(io.BytesIO(bytes(damaged))) as archive, pytest.raises(zipfile.BadZipFile):
        archive.read(spec["file"])
    refused(bytes(damaged), "Chữ ký của gói tin không hợp lệ", published)
