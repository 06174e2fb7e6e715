"""The public bulletin as a reader sees it: no login, only live articles, fast and cacheable."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phoihop.bulletin import caching, services
from phoihop.bulletin.choices import CommentStatus
from phoihop.bulletin.models import Article, ArticleImage, Comment, Tag
from tests.test_bulletin_bundle import T0, image_entry, item, keys, make, picture  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# 20:00 UTC is 03:00 the next day in Hà Nội.
EVENING = dt.datetime(2011, 12, 20, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Pages are cached across requests: each test starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def matrix_article() -> Article:
    """A live article with a tag and an image, for the authorization matrix (made once)."""
    article = Article.objects.filter(slug="tin-ma-tran").first()
    if article is None:
        article = Article.objects.create(
            uid=uuid.uuid4(),
            slug="tin-ma-tran",
            title="Tin để kiểm tra quyền truy cập",
            body_html="<p>Nội dung.</p>",
            author_agency="Công an tỉnh Hà Giang",
            publish_at=timezone.now() - dt.timedelta(days=1),
            revised_at=timezone.now() - dt.timedelta(days=1),
            search_text="tin de kiem tra quyen truy cap",
        )
        article.tags.add(Tag.objects.create(name="Ma trận", slug="ma-tran"))
        image = ArticleImage(article=article, key="anh-1")
        image.image.save("anh.jpg", ContentFile(picture()), save=True)
        caching.bump()
    return article


def article_kwargs(scene) -> dict:
    return {"slug": matrix_article().slug}


def tag_kwargs(scene) -> dict:
    return {"slug": matrix_article().tags.get().slug}


def image_kwargs(scene) -> dict:
    return {"name": matrix_article().images.get().image.name.rsplit("/", 1)[-1]}


@pytest.fixture
def news(db, keys):
    """Through a real bundle: a live article with an image, another one, one scheduled."""
    spec, files = image_entry("anh-1", picture(), caption="Quang cảnh hội nghị", alt="Hội trường")
    articles = [
        item(
            "so-ket-2011",
            title="Sơ kết phối hợp tại Đồng Văn",
            lead="Các lực lượng biên phòng và công an đánh giá kết quả.",
            body="Mở đầu.\n\n![Quang cảnh](anh-1)\n\nĐoàn công tác làm việc.",
            tags=["Sơ kết", "Biên giới"],
            publish_at=EVENING.isoformat(),
            images=[spec],
        ),
        item(
            "quy-che-moi",
            title="Ký quy chế phối hợp mới",
            tags=["Quy chế"],
            publish_at=(EVENING - dt.timedelta(days=3)).isoformat(),
        ),
        item(
            "hen-gio",
            title="Bài hẹn giờ chưa đến lúc đăng",
            tags=["Hẹn giờ"],
            publish_at=(timezone.now() + dt.timedelta(days=2)).isoformat(),
        ),
    ]
    services.apply_bundle(make(articles, files))
    return articles, files


# --- pages --------------------------------------------------------------------------------------


def test_the_news_list_shows_live_articles_newest_first_without_login(client, news):
    body = page(client, reverse("bulletin:list"))
    assert body.index("Sơ kết phối hợp tại Đồng Văn") < body.index("Ký quy chế phối hợp mới")
    assert "Bài hẹn giờ chưa đến lúc đăng" not in body
    assert reverse("bulletin:article", args=["so-ket-2011"]) in body


def test_the_news_list_pages_by_ten_and_a_page_out_of_range_is_missing(client, db):
    for n in range(12):
        Article.objects.create(
            uid=uuid.uuid4(),
            slug=f"tin-{n:02d}",
            title=f"Tin số {n:02d}",
            body_html="",
            author_agency="Sở Ngoại vụ",
            publish_at=T0 + dt.timedelta(hours=n),
            revised_at=T0,
        )
    first = page(client, reverse("bulletin:list"))
    assert first.count('class="b-item"') == 10 and "Tin số 11" in first and "Tin số 01" not in first
    assert "Trang 1/2" in first and "?page=2" in first
    second = page(client, reverse("bulletin:list") + "?page=2")
    assert second.count('class="b-item"') == 2 and "Tin số 00" in second
    page(client, reverse("bulletin:list") + "?page=3", status=404)
    page(client, reverse("bulletin:list") + "?page=abc", status=404)


def test_the_article_page_shows_title_lead_body_figure_date_agency_and_tags(client, news):
    body = page(client, reverse("bulletin:article", args=["so-ket-2011"]))
    assert "<h1>Sơ kết phối hợp tại Đồng Văn</h1>" in body
    assert "Các lực lượng biên phòng và công an đánh giá kết quả." in body
    assert "Đoàn công tác làm việc." in body
    image = ArticleImage.objects.get()
    url = reverse("bulletin:image", args=[image.image.name.rsplit("/", 1)[-1]])
    assert f'<img src="{url}" alt="Hội trường"' in body
    assert "<figcaption>Quang cảnh hội nghị</figcaption>" in body
    # published 20/12/2011 20:00 UTC: the 21st in Hà Nội
    assert "21/12/2011" in body and "20/12/2011" not in body
    assert "Sở Ngoại vụ tỉnh Hà Giang" in body
    assert f'href="{reverse("bulletin:tag", args=["bien-gioi"])}">Biên giới</a>' in body
    assert "Ý kiến bạn đọc" in body  # the comments section


def test_the_article_page_holds_no_form_so_it_can_be_cached(client, news):
    body = page(client, reverse("bulletin:article", args=["so-ket-2011"]))
    assert 'method="post"' not in body.lower() and "csrfmiddlewaretoken" not in body
    assert reverse("bulletin:comment-post", args=["so-ket-2011"]) in body


def test_public_pages_link_to_nothing_of_the_back_office(client, news):
    for url in (reverse("bulletin:list"), reverse("bulletin:article", args=["so-ket-2011"])):
        body = page(client, url)
        for prefix in ("/accounts/", "/dossiers/", "/subjects/", "/newsroom/", "/api/", "/reviews"):
            assert prefix not in body, (url, prefix)


def test_the_approved_comments_appear_under_the_article(client, news):
    article = Article.objects.get(slug="so-ket-2011")
    Comment.objects.create(
        article=article, name="Bạn đọc A", text="Ý kiến đã duyệt", status=CommentStatus.APPROVED
    )
    Comment.objects.create(article=article, name="Bạn đọc B", text="Ý kiến chờ duyệt")
    body = page(client, reverse("bulletin:article", args=["so-ket-2011"]))
    assert "Ý kiến đã duyệt" in body and "Ý kiến chờ duyệt" not in body


# --- search and tags ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Đồng Văn", "dong van", "DONG VĂN", "đồng", "dong", "Dồng"])
def test_search_finds_with_or_without_diacritics_and_with_d_for_đ(client, news, query):
    body = page(client, reverse("bulletin:search") + f"?q={query}")
    assert "Sơ kết phối hợp tại Đồng Văn" in body
    assert "Ký quy chế phối hợp mới" not in body


def test_search_needs_every_word_and_never_finds_a_scheduled_article(client, news):
    both = page(client, reverse("bulletin:search") + "?q=phoi hop")
    assert "Sơ kết phối hợp tại Đồng Văn" in both and "Ký quy chế phối hợp mới" in both
    narrowed = page(client, reverse("bulletin:search") + "?q=phoi hop quy che")
    assert "Ký quy chế phối hợp mới" in narrowed and "Sơ kết phối hợp" not in narrowed
    hidden = page(client, reverse("bulletin:search") + "?q=hen gio")
    assert "Bài hẹn giờ" not in hidden and "Không có bài viết nào khớp" in hidden


def test_search_without_a_query_shows_the_form_only(client, news):
    body = page(client, reverse("bulletin:search"))
    assert 'name="q"' in body and "Tìm thấy" not in body


def test_a_tag_page_lists_its_live_articles(client, news):
    body = page(client, reverse("bulletin:tag", args=["so-ket"]))
    assert "Sơ kết phối hợp tại Đồng Văn" in body and "Ký quy chế phối hợp mới" not in body


def test_a_tag_of_only_a_scheduled_article_is_missing(client, news):
    page(client, reverse("bulletin:tag", args=["hen-gio"]), status=404)
    page(client, reverse("bulletin:tag", args=["khong-co"]), status=404)


# --- feed and sitemap ---------------------------------------------------------------------------


def test_the_atom_feed_is_valid_and_lists_only_live_articles_with_absolute_links(client, news):
    response = client.get(reverse("bulletin:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["Sơ kết phối hợp tại Đồng Văn", "Ký quy chế phối hợp mới"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == "http://testserver/tin-tuc/so-ket-2011/"
    assert first.findtext(f"{ATOM}id") == f"tag:testserver,2011:bulletin/{news[0][0]['uid']}"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Sở Ngoại vụ tỉnh Hà Giang"
    terms = {c.get("term") for c in first.findall(f"{ATOM}category")}
    assert terms == {"Sơ kết", "Biên giới"}


def test_a_tag_typed_in_a_lead_is_text_in_the_feeds_html_summary(client, db, keys):
    services.apply_bundle(make([item(lead="Tin <img src=x onerror=alert(1)> mới")]))
    root = ET.fromstring(client.get(reverse("bulletin:feed")).content)  # noqa: S314
    summary = root.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    # What a feed reader renders as HTML: the tag escaped, shown as typed.
    assert summary.text == "Tin &lt;img src=x onerror=alert(1)&gt; mới"


def test_query_parameters_the_pages_do_not_read_share_one_cached_page(client, news):
    first = client.get(reverse("bulletin:list"))
    tracked = client.get(reverse("bulletin:list") + "?utm_source=thu&x=1")
    assert tracked["ETag"] == first["ETag"]
    assert client.get(reverse("bulletin:list") + "?page=1")["ETag"] != first["ETag"]


def test_the_sitemap_lists_live_articles_and_their_tags(client, news):
    response = client.get(reverse("bulletin:sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    locs = {u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")}
    assert "http://testserver/tin-tuc/so-ket-2011/" in locs
    assert "http://testserver/tin-tuc/the/so-ket/" in locs
    assert not any("hen-gio" in loc for loc in locs)


# --- only live articles -------------------------------------------------------------------------


def every_public_page(client, slug="so-ket-2011") -> str:
    return "".join(
        page(client, url)
        for url in (
            reverse("bulletin:list"),
            reverse("bulletin:search") + "?q=bai",
            reverse("bulletin:feed"),
            reverse("bulletin:sitemap"),
        )
    )


def test_a_scheduled_article_appears_at_its_time_and_not_before(client, news, monkeypatch):
    title = "Bài hẹn giờ chưa đến lúc đăng"
    url = reverse("bulletin:article", args=["hen-gio"])
    assert title not in every_public_page(client)
    page(client, url, status=404)
    # Two days later, with the cache still warm: the page shows it without anyone bumping.
    later = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert title in page(client, reverse("bulletin:list"))
    assert title in page(client, url)
    assert title in page(client, reverse("bulletin:feed"))


def test_a_withdrawn_article_is_gone_from_every_page(client, news):
    url = reverse("bulletin:article", args=["quy-che-moi"])
    assert "Ký quy chế phối hợp mới" in page(client, reverse("bulletin:list"))
    services.apply_bundle(make([news[0][0], news[0][2]], news[1], T0 + dt.timedelta(days=1)))
    assert "Ký quy chế phối hợp mới" not in every_public_page(client)
    assert "quy-che-moi" not in every_public_page(client)
    page(client, url, status=404)
    page(client, reverse("bulletin:tag", args=["quy-che"]), status=404)


def test_no_database_id_reaches_a_public_page_or_the_feed(client, db):
    article = Article.objects.create(
        pk=987654,
        uid=uuid.uuid4(),
        slug="tin-co-ma",
        title="Tin có mã",
        body_html="<p>Nội dung</p>",
        author_agency="Công an tỉnh",
        publish_at=T0,
        revised_at=T0,
        search_text="tin co ma",
    )
    article.tags.add(Tag.objects.create(pk=876543, name="Thẻ", slug="the-thu"))
    image = ArticleImage(pk=765432, article=article, key="anh-1")
    image.image.save("anh.jpg", ContentFile(picture()), save=True)
    Comment.objects.create(
        pk=654321, article=article, name="Bạn đọc", text="Hay", status=CommentStatus.APPROVED
    )
    text = every_public_page(client) + page(client, reverse("bulletin:article", args=["tin-co-ma"]))
    text += page(client, reverse("bulletin:tag", args=["the-thu"]))
    assert "Tin có mã" in text
    for pk in ("987654", "876543", "765432", "654321"):
        assert pk not in text, pk


# --- fast and cacheable -------------------------------------------------------------------------


def world_of(n: int) -> None:
    """`n` live articles, each with three tags, an image and three approved comments."""
    tags = [Tag.objects.create(name=f"Thẻ {i}", slug=f"the-{i}") for i in range(n + 2)]
    for i in range(n):
        article = Article.objects.create(
            uid=uuid.uuid4(),
            slug=f"tin-{i}",
            title=f"Tin phối hợp {i}",
            body_html="<p>Nội dung</p>",
            author_agency="Sở Ngoại vụ",
            publish_at=T0 + dt.timedelta(hours=i),
            revised_at=T0,
            search_text=f"tin phoi hop {i}",
        )
        article.tags.add(*tags[i : i + 3])
        for j in range(3):
            Comment.objects.create(
                article=article, name=f"Bạn đọc {j}", text="Ý kiến", status=CommentStatus.APPROVED
            )


URLS = {
    "list": lambda: reverse("bulletin:list"),
    "article": lambda: reverse("bulletin:article", args=["tin-0"]),
    "tag": lambda: reverse("bulletin:tag", args=["the-2"]),
    "search": lambda: reverse("bulletin:search") + "?q=phoi hop",
    "feed": lambda: reverse("bulletin:feed"),
    "sitemap": lambda: reverse("bulletin:sitemap"),
}


def queries_for(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", list(URLS))
def test_a_public_page_costs_a_few_queries_whatever_the_number_of_articles(client, db, name):
    world_of(3)
    few = queries_for(client, URLS[name]())
    world_of_more = 12
    Article.objects.all().delete()
    Tag.objects.all().delete()
    world_of(world_of_more)
    many = queries_for(client, URLS[name]())
    assert few == many, (name, few, many)
    assert many <= 7, (name, many)


def test_a_cached_page_is_served_without_any_query(client, news):
    url = reverse("bulletin:article", args=["so-ket-2011"])
    first = page(client, url)
    with CaptureQueriesContext(connection) as ctx:
        again = page(client, url)
    assert again == first and len(ctx.captured_queries) == 0


def test_pages_are_publicly_cacheable_and_answer_304_to_a_conditional_get(client, news):
    url = reverse("bulletin:article", args=["so-ket-2011"])
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # a new bundle changes what readers see: the old ETag no longer matches
    services.apply_bundle(make([news[0][0]], news[1], T0 + dt.timedelta(days=1)))
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


def test_a_change_made_elsewhere_is_seen_after_a_bump(client, news):
    url = reverse("bulletin:article", args=["so-ket-2011"])
    assert "Tiêu đề sửa" not in page(client, url)
    Article.objects.filter(slug="so-ket-2011").update(title="Tiêu đề sửa")
    caching.bump()
    assert "Tiêu đề sửa" in page(client, url)


def test_the_language_switch_is_a_link_that_sets_the_reading_language(client, db):
    response = client.get(reverse("bulletin:language") + "?lang=en&next=/tin-tuc/")
    assert response.status_code == 302 and response["Location"] == "/tin-tuc/"
    assert response.cookies["django_language"].value == "en"
    away = client.get(reverse("bulletin:language") + "?lang=en&next=https://evil.example/")
    assert away["Location"] == "/"
    assert 'lang="en"' in page(client, reverse("bulletin:list"))


def test_pages_vary_by_language_in_the_cache(client, db):
    client.cookies["django_language"] = "vi"
    assert '<html lang="vi">' in page(client, reverse("bulletin:list"))
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in page(client, reverse("bulletin:list"))


# --- images -------------------------------------------------------------------------------------


def image_url(slug: str) -> str:
    image = ArticleImage.objects.get(article__slug=slug)
    return reverse("bulletin:image", args=[image.image.name.rsplit("/", 1)[-1]])


def test_an_image_of_a_live_article_is_served_with_a_long_cache(client, news):
    response = client.get(image_url("so-ket-2011"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert (
        client.get(image_url("so-ket-2011"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    )


def test_an_image_of_a_scheduled_or_withdrawn_article_is_missing(client, news):
    Article.objects.filter(slug="so-ket-2011").update(
        publish_at=timezone.now() + dt.timedelta(days=1)
    )
    assert client.get(image_url("so-ket-2011")).status_code == 404
    Article.objects.filter(slug="so-ket-2011").update(publish_at=T0, withdrawn=True)
    assert client.get(image_url("so-ket-2011")).status_code == 404
    for bogus in ("settings.py", "..%2F..%2Fsettings.py", "0" * 32 + ".svg"):
        assert client.get(reverse("bulletin:image", args=["x"])[:-1] + bogus).status_code == 404
