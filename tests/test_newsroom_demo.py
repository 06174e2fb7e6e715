"""The desk on the Hà Giang demo: the 2011 review's draft carries its real figures, no person.

The demo is loaded once for the module inside a transaction rolled back at the end.
"""

import pytest
from django.db import transaction

from phoihop.core.policy import SYSTEM
from phoihop.demo import hagiang
from phoihop.dossiers.models import Dossier
from phoihop.newsroom import drafting, publishing, services
from phoihop.newsroom.drafting import review_draft
from phoihop.reviews.models import Review
from phoihop.subjects.models import Subject


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        yield hagiang.load(pki_dir=tmp_path_factory.mktemp("demo-pki"))
        transaction.set_rollback(True)


@pytest.fixture
def review_2011(demo, db):
    return Review.objects.select_related("regulation").get(period_to="2011-12-02")


def test_the_2011_reviews_draft_has_its_figures_and_no_person_or_dossier(review_2011):
    draft = review_draft(review_2011)
    text = "\n".join((draft.title, draft.lead, draft.body))
    assert "**21 vụ án hình sự**" in draft.body
    assert "**76 vụ việc**" in draft.body
    assert "**166 đối tượng**" in draft.body
    assert "Ngày 02/12/2011" in draft.lead and "Sở Ngoại vụ tỉnh Hà Giang" in draft.lead
    assert "Kết luận của hội nghị" in draft.body and "quy chế phối hợp mới" in draft.body
    names = set(Subject.objects.values_list("full_name", flat=True))
    assert len(names) > 100
    assert not [n for n in names if n and n in text]
    references = Dossier.objects.values_list("reference", flat=True)
    assert not [r for r in references if r in text]


def test_the_demo_reviews_news_reaches_the_public_page(review_2011, client):
    agency = review_2011.regulation.parties.order_by("name").first()
    article = drafting.article_from_review(actor=SYSTEM, review=review_2011, agency=agency)
    services.article_publish(actor=SYSTEM, article=article)
    result = publishing.publish(actor=SYSTEM)
    assert result["articles"] >= 1
    html = client.get(f"/tin-tuc/{article.slug}/").content.decode()
    assert "<strong>166 đối tượng</strong>" in html and article.title in html


def test_the_demo_has_the_2011_article_published_with_moderated_comments(demo, client):
    from phoihop.bulletin.models import Article, Comment, Moderator
    from phoihop.newsroom.models import NewsArticle

    news = NewsArticle.objects.get(source_review__period_to="2011-12-02", status="published")
    article = Article.objects.live().get(uid=news.uid)
    assert f"{article.publish_at:%Y}" == "2011"
    counts = {
        status: Comment.objects.filter(article=article, status=status).count()
        for status in ("approved", "pending", "spam")
    }
    assert counts["approved"] >= 3 and counts["pending"] >= 2 and counts["spam"] >= 2
    assert Comment.objects.filter(article=article, official=True, status="approved").exists()
    assert set(Moderator.objects.values_list("role", flat=True)) == {"moderator", "editor"}

    html = client.get(f"/tin-tuc/{article.slug}/").content.decode()
    for figure in ("21 vụ án hình sự", "76 vụ việc", "166 đối tượng"):
        assert figure in html
    assert "Trả lời của cơ quan" in html
    shown = Comment.objects.filter(article=article, status="approved", official=False)
    hidden = Comment.objects.filter(article=article).exclude(status="approved")
    assert all(c.name in html for c in shown)
    assert not [c.name for c in hidden if c.name in html]
    emails = (
        Comment.objects.filter(article=article).exclude(email="").values_list("email", flat=True)
    )
    assert emails and not [e for e in emails if e in html]
