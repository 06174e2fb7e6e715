"""The editorial desk as its users see it: editors, the leader handing a review over, outsiders."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from phoihop.accounts.choices import Role
from phoihop.core.policy import SYSTEM
from phoihop.newsroom import services
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.models import BundleRecord, NewsArticle
from tests.factories import UserFactory
from tests.test_newsroom import (  # noqa: F401 (fixtures)
    _review,
    desk,
    jpeg_with_metadata,
    png_bytes,
    reviewed,
    upload,
)
from tests.web_fixtures import login

# --- for the authorization matrix (tests/test_authz_matrix.py, newsroom lines) ---------------


def matrix_article(s) -> NewsArticle:
    """An article of the scene's agency A, made on first use (its desk: A's administrator)."""
    return NewsArticle.objects.filter(agency=s.world.a).first() or services.article_create(
        actor=SYSTEM, agency=s.world.a, title="Tin của ma trận phân quyền", body="Nội dung."
    )


def matrix_image(s):
    """An image of that article, made on first use."""
    article = matrix_article(s)
    return article.images.first() or services.image_add(
        actor=SYSTEM, article=article, file=upload(png_bytes()), caption="Ảnh", alt="Ảnh"
    )


# --- helpers -----------------------------------------------------------------------------------

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=", re.IGNORECASE)
ASSET = re.compile(r'(?:href|src)="/static/([^"]+)"')


def page(client, url, status=200):
    """The page's HTML: no inline script, style or handler (the CSP), every asset served."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    html = response.content.decode()
    assert not INLINE.search(html), INLINE.search(html).group()
    for name in ASSET.findall(html):
        assert finders.find(name), f"{url} asks for /static/{name}, which no finder has"
    return html


def form_data(**fields):
    return {
        "title": "Ký kết quy chế phối hợp giai đoạn mới",
        "lead": "Hai ngành ký quy chế mới sau sơ kết.",
        "body": "Đoạn mở đầu.\n\n## Nội dung chính\n\n- ý một\n- ý hai",
        "tags": "Quy chế phối hợp, Ký kết",
        "moderation": "pre",
        "comments_open": "on",
        **fields,
    }


@pytest.fixture
def committed(monkeypatch):
    """Work meant for after the commit runs at once, as it does in production when the
    service's transaction commits before the view answers (a test runs inside one
    transaction that never commits)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def editor(desk, client):
    login(client, desk.editor_a)
    return desk.editor_a


# --- what an editor sees --------------------------------------------------------------------------


def test_an_editors_home_is_the_desk_and_the_nav_has_no_casework(desk, client):
    login(client, desk.editor_a)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("newsroom:list")
    html = page(client, reverse("newsroom:list"))
    nav = html[html.index('class="main-nav"') : html.index("</nav>")]
    assert "Tin tức" in nav
    for casework in ("Hồ sơ", "Đối tượng", "Xác minh", "Thống kê", "Sơ kết, tổng kết"):
        assert casework not in nav, casework


def test_the_desk_link_is_only_for_editors_and_administrators(desk, client):
    w = desk.world
    login(client, w.admin)
    assert "Tin tức" in client.get(reverse("core:dashboard")).content.decode()
    for user in (w.officer_a, w.leader_a, w.oversight):
        login(client, user)
        html = client.get(reverse("core:dashboard")).content.decode()
        assert reverse("newsroom:list") not in html
        assert client.get(reverse("newsroom:list")).status_code == 404


def test_an_editor_writes_a_draft_and_is_sent_on_to_attach_images(editor, client):
    html = page(client, reverse("newsroom:create"))
    assert 'hx-post="/newsroom/preview/"' in html  # the live preview
    assert "phoihop/newsroom.js" in html and "phoihop/newsroom.css" in html
    assert "Markdown" in html and "![chú thích](anh-1)" in html  # the hint
    response = client.post(reverse("newsroom:create"), form_data())
    article = NewsArticle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("newsroom:edit", args=[article.pk])
    assert article.slug == "ky-ket-quy-che-phoi-hop-giai-doan-moi"
    assert article.tags == "Quy chế phối hợp, Ký kết" and article.comments_open
    html = page(client, response["Location"])
    assert "Đã lưu bản nháp" in html and "Đính kèm ảnh" in html


def test_a_form_with_errors_names_the_fields_and_saves_nothing(editor, client):
    response = client.post(
        reverse("newsroom:create"),
        form_data(title="", body="x" * (services.MAX_BODY + 1), tags=", ".join("abcdefghijkl")),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Có lỗi cần sửa" in html
    assert 'href="#id_title"' in html and 'href="#id_body"' in html
    assert "Các thẻ" in html or "Tối đa 10 thẻ." in html
    assert not NewsArticle.objects.exists()


def test_the_preview_renders_markdown_safely_with_the_articles_images(editor, client):
    article = services.article_create(actor=editor, title="Tin có ảnh")
    image = services.image_add(
        actor=editor, article=article, file=upload(png_bytes()), caption="Hội nghị", alt="Ảnh"
    )
    body = (
        "**Đậm** và <script>alert('x')</script>\n\n![Hội nghị](anh-1)\n\n"
        "![ngoài](https://example.com/a.png)\n\n[liên kết](javascript:alert(1))\n\n![thiếu](anh-9)"
    )
    response = client.post(
        reverse("newsroom:preview"), {"title": "Tiêu đề", "body": body, "article": article.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Đậm</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'src="{reverse("newsroom:image", args=[image.pk])}"' in html
    assert "<figcaption>Hội nghị</figcaption>" in html
    assert 'src="https://example.com' not in html and 'href="javascript:' not in html
    assert "sẽ không hiện: anh-9, https://example.com/a.png." in html


def test_the_preview_of_another_agencys_article_is_404(desk, client):
    article = services.article_create(actor=desk.editor_b, title="Tin của Sở")
    login(client, desk.editor_a)
    response = client.post(reverse("newsroom:preview"), {"body": "x", "article": article.pk})
    assert response.status_code == 404


def test_without_script_the_preview_button_shows_the_preview_without_saving(editor, client):
    response = client.post(reverse("newsroom:create"), form_data(preview="1", body="*nghiêng*"))
    assert response.status_code == 200
    assert "<em>nghiêng</em>" in response.content.decode()
    assert not NewsArticle.objects.exists()


def test_uploading_a_photo_strips_it_and_shows_how_to_place_it(editor, client):
    article = services.article_create(actor=editor, title="Tin có ảnh")
    response = client.post(
        reverse("newsroom:image-add", args=[article.pk]),
        {
            "anh-image": upload(jpeg_with_metadata(), "DSC_0001.jpg"),
            "anh-caption": "Lễ ký kết",
            "anh-alt": "Hai giám đốc bắt tay",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#anh")
    html = page(client, reverse("newsroom:edit", args=[article.pk]))
    assert "anh-1" in html and "![Lễ ký kết](anh-1)" in html
    image = article.images.get()
    served = client.get(reverse("newsroom:image", args=[image.pk]))
    data = b"".join(served.streaming_content)
    assert served["Content-Type"] == "image/jpeg"
    result = Image.open(io.BytesIO(data))
    assert max(result.size) == 1600 and not result.getexif()
    assert not result.getexif().get_ifd(ExifTags.IFD.GPSInfo) and b"Canon" not in data


def test_a_file_that_is_not_an_image_is_refused_on_the_page(editor, client):
    article = services.article_create(actor=editor, title="Tin")
    response = client.post(
        reverse("newsroom:image-add", args=[article.pk]),
        {
            "anh-image": upload(b"<html><script>x</script>", "anh.jpg"),
            "anh-caption": "",
            "anh-alt": "Mô tả",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Có lỗi cần sửa" in html and "Chú thích" in html
    response = client.post(
        reverse("newsroom:image-add", args=[article.pk]),
        {"anh-image": upload(b"<html>x</html>", "anh.jpg"), "anh-caption": "C", "anh-alt": "A"},
    )
    assert "Tệp không phải ảnh JPEG, PNG hoặc WebP." in response.content.decode()
    assert not article.images.exists()


def test_publish_schedule_and_unpublish_from_the_article_page(editor, client, committed):
    article = services.article_create(actor=editor, title="Tin đăng từ trang", body="Nội dung.")
    html = page(client, article.get_absolute_url())
    assert "Bản nháp: chỉ biên tập viên của cơ quan thấy bài này." in html
    assert "Xác nhận đăng ngay" in html and "Xác nhận hẹn giờ" in html
    response = client.post(reverse("newsroom:publish", args=[article.pk]), follow=True)
    html = response.content.decode()
    assert "Đã đăng bài. Trang tin công khai đã được cập nhật." in html
    assert "Bài hiện trên trang tin công khai từ" in html
    assert f'href="/tin-tuc/{article.slug}/"' in html
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 200
    response = client.post(reverse("newsroom:unpublish", args=[article.pk]), follow=True)
    assert "Đã gỡ bài khỏi trang tin." in response.content.decode()
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 404
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        reverse("newsroom:schedule", args=[article.pk]),
        {"hen-publish_on": tomorrow.strftime("%d/%m/%Y"), "hen-publish_time": "07:30"},
        follow=True,
    )
    html = response.content.decode()
    assert f"Đã hẹn đăng lúc 07:30 {tomorrow:%d/%m/%Y}." in html
    assert f"sẽ tự hiện lúc {tomorrow:%d/%m/%Y} 07:30" in html
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 404
    article.refresh_from_db()
    assert article.status == ArticleStatus.SCHEDULED


def test_a_schedule_in_the_past_is_refused_on_the_page(editor, client):
    article = services.article_create(actor=editor, title="Tin", body="Nội dung.")
    response = client.post(
        reverse("newsroom:schedule", args=[article.pk]),
        {"hen-publish_on": "02/12/2011", "hen-publish_time": "08:00"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thời điểm đăng phải ở tương lai" in html and 'href="#id_hen-publish_on"' in html
    response = client.post(
        reverse("newsroom:schedule", args=[article.pk]),
        {"hen-publish_on": "31/02/2031", "hen-publish_time": "25:00"},
    )
    assert response.status_code == 400 and "Giờ đăng" in response.content.decode()
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_a_failed_publication_is_reported_and_can_be_sent_again(
    editor, client, monkeypatch, committed
):
    from phoihop.bulletin import bundle
    from phoihop.bulletin import services as bulletin_services

    real = bulletin_services.apply_bundle

    def down(data):
        raise bundle.BundleError("Trang tin đang bảo trì.")

    monkeypatch.setattr(bulletin_services, "apply_bundle", down)
    article = services.article_create(actor=editor, title="Tin gặp lỗi", body="Nội dung.")
    response = client.post(reverse("newsroom:publish", args=[article.pk]), follow=True)
    html = response.content.decode()
    assert "Nhưng trang tin công khai chưa được cập nhật" in html and "bảo trì" in html
    html = page(client, reverse("newsroom:list"))
    assert "không thành công" in html
    html = page(client, reverse("newsroom:bundles"))
    assert "Không thành công" in html and "Trang tin đang bảo trì." in html
    monkeypatch.setattr(bulletin_services, "apply_bundle", real)
    response = client.post(reverse("newsroom:bundles-send"), follow=True)
    assert "Đã gửi 1 bài tới trang tin công khai." in response.content.decode()
    assert client.get(f"/tin-tuc/{article.slug}/").status_code == 200
    assert BundleRecord.objects.filter(error="").count() == 1


def test_the_list_filters_by_status_and_finds_words_without_diacritics(desk, client):
    a1 = services.article_create(actor=desk.editor_a, title="Hội nghị sơ kết ở Đồng Văn", body="x")
    services.article_publish(actor=desk.editor_a, article=a1)
    services.article_create(actor=desk.editor_a, title="Bản nháp khen thưởng")
    services.article_create(actor=desk.editor_b, title="Tin riêng của Sở Ngoại vụ")
    login(client, desk.editor_a)
    html = page(client, reverse("newsroom:list"))
    assert "Hội nghị sơ kết ở Đồng Văn" in html and "Bản nháp khen thưởng" in html
    assert "Tin riêng của Sở Ngoại vụ" not in html
    html = page(client, reverse("newsroom:list") + "?q=dong+van")
    assert "Hội nghị sơ kết ở Đồng Văn" in html and "Bản nháp khen thưởng" not in html
    html = page(client, reverse("newsroom:list") + "?status=draft")
    assert "Bản nháp khen thưởng" in html and "Đồng Văn" not in html
    html = page(client, reverse("newsroom:list") + "?status=published")
    assert "Đồng Văn" in html and "Bản nháp khen thưởng" not in html


def test_another_agencys_editor_and_non_editors_get_404_everywhere(desk, client):
    w = desk.world
    article = services.article_create(actor=desk.editor_a, title="Tin của Công an", body="x")
    image = services.image_add(
        actor=desk.editor_a, article=article, file=upload(png_bytes()), caption="C", alt="A"
    )
    gets = [
        reverse("newsroom:detail", args=[article.pk]),
        reverse("newsroom:edit", args=[article.pk]),
        reverse("newsroom:image", args=[image.pk]),
    ]
    posts = [
        reverse("newsroom:publish", args=[article.pk]),
        reverse("newsroom:unpublish", args=[article.pk]),
        reverse("newsroom:schedule", args=[article.pk]),
        reverse("newsroom:image-add", args=[article.pk]),
        reverse("newsroom:image-remove", args=[image.pk]),
        reverse("newsroom:edit", args=[article.pk]),
    ]
    for user in (desk.editor_b, w.officer_a, w.leader_a, w.oversight):
        login(client, user)
        for url in gets:
            response = client.get(url)
            assert response.status_code == 404, (user.username, url)
            assert "Tin của Công an" not in response.content.decode()
        for url in posts:
            assert client.post(url, form_data()).status_code == 404, (user.username, url)
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.title == "Tin của Công an"
    assert article.images.count() == 1


def test_every_desk_form_needs_its_csrf_token(desk):
    article = services.article_create(actor=desk.editor_a, title="Tin", body="x")
    client = Client(enforce_csrf_checks=True)
    login(client, desk.editor_a)
    for url in (
        reverse("newsroom:create"),
        reverse("newsroom:edit", args=[article.pk]),
        reverse("newsroom:publish", args=[article.pk]),
        reverse("newsroom:preview"),
        reverse("newsroom:bundles-send"),
    ):
        assert client.post(url, form_data()).status_code == 403, url
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_an_editor_without_an_agency_cannot_be_created(desk):
    from phoihop.accounts import services as account_services
    from phoihop.core.exceptions import ServiceError

    with pytest.raises(ServiceError) as caught:
        account_services.user_create(
            actor=desk.world.admin,
            username="bientap.moi",
            password="mat-khau-rat-dai-2011!",
            role=Role.EDITOR,
            agency=None,
            full_name="Trần Thị Lan",
        )
    assert "agency" in caught.value.message_dict


# --- the draft from a review -------------------------------------------------------------------


def test_the_leader_hands_the_reviews_results_to_the_editors(reviewed, client):
    w = reviewed.desk.world
    login(client, w.leader_a)
    review_page = page(client, reviewed.review.get_absolute_url())
    url = reverse("newsroom:from-review", args=[reviewed.review.pk])
    assert f'href="{url}"' in review_page and "Soạn tin từ kết quả sơ kết" in review_page
    html = page(client, url)
    assert "<strong>21 vụ án hình sự</strong>" in html
    assert "<strong>76 vụ việc</strong>" in html and "<strong>166 đối tượng</strong>" in html
    assert "Vàng Seo Dính" not in html and reviewed.dossier.reference not in html
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reviewed.review.get_absolute_url()
    assert "Đã gửi bản nháp tin" in response.content.decode()
    # The editors of the leader's agency find it on their desk.
    login(client, reviewed.desk.editor_a)
    article = NewsArticle.objects.get()
    html = page(client, reverse("newsroom:list"))
    assert article.title in html and "từ kết quả sơ kết" in html
    html = page(client, article.get_absolute_url())
    assert "<strong>166 đối tượng</strong>" in html
    login(client, reviewed.desk.editor_b)
    assert article.title not in client.get(reverse("newsroom:list")).content.decode()
    # A second draft while this one waits is refused, saying why.
    login(client, w.leader_a)
    response = client.post(url)
    assert response.status_code == 400
    assert "đang chờ biên tập viên" in response.content.decode()


def test_who_does_not_hand_reviews_over_sees_no_button_and_gets_404(reviewed, client):
    w = reviewed.desk.world
    url = reverse("newsroom:from-review", args=[reviewed.review.pk])
    login(client, w.oversight)
    assert url not in client.get(reviewed.review.get_absolute_url()).content.decode()
    for user in (w.oversight, w.officer_a, reviewed.desk.editor_a, w.admin):
        login(client, user)
        assert client.get(url).status_code == 404, user.username
        assert client.post(url).status_code == 404, user.username
    assert not NewsArticle.objects.exists()


def test_a_classified_review_offers_no_draft(desk, client):
    from phoihop.core.choices import Classification

    review = _review(desk.world, classification=Classification.MAT, conclusions="Mật.")
    leader = UserFactory(
        username="a.ld2", agency=desk.world.a, role=Role.LEADER, clearance=Classification.MAT
    )
    login(client, leader)
    url = reverse("newsroom:from-review", args=[review.pk])
    assert url not in client.get(review.get_absolute_url()).content.decode()
    html = page(client, url)
    assert "không soạn tin công khai" in html and "21 vụ án" not in html
    assert client.post(url).status_code == 400
    assert not NewsArticle.objects.exists()


def test_the_list_costs_a_few_queries_however_many_articles(
    desk, client, django_assert_max_num_queries
):
    for n in range(30):
        article = services.article_create(actor=desk.editor_a, title=f"Tin số {n}", body="x")
        if n % 3 == 0:
            services.article_publish(actor=desk.editor_a, article=article)
    login(client, desk.editor_a)
    client.get(reverse("newsroom:list"))  # the session is read once
    with django_assert_max_num_queries(10):
        html = client.get(reverse("newsroom:list")).content.decode()
    assert html.count('href="/newsroom/') >= 30
