"""A review's level: who reads it, and the mark its report carries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from phoihop.accounts.choices import Role
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.reviews import report, services
from phoihop.reviews.models import Review
from tests.factories import UserFactory

FROM, TO = dt.date(2010, 1, 1), dt.date(2010, 12, 31)


def _open(world, level=Classification.THUONG, actor=SYSTEM):
    return services.review_open(
        actor=actor,
        regulation=world.regulation,
        date_from=FROM,
        date_to=TO,
        classification=level,
    )


def _header_words(content: bytes) -> str:
    d = Document(io.BytesIO(content))
    return " ".join(
        p.text for t in d.tables[:1] for row in t.rows for c in row.cells for p in c.paragraphs
    )


def test_a_classified_review_is_hidden_from_readers_below_its_level(world):
    review = _open(world, Classification.TOI_MAT)
    low_leader = UserFactory(
        agency=world.a, role=Role.LEADER, clearance=Classification.MAT, username="a.lanhdao2"
    )
    visible = policy.restrict(Review.objects.all(), world.leader_a)  # Tối mật clearance
    hidden = policy.restrict(Review.objects.all(), low_leader)
    assert list(visible) == [review]
    assert list(hidden) == []
    with pytest.raises(policy.NotFound):
        policy.get_or_404(Review.objects.all(), low_leader, pk=review.pk)


def test_the_secretariat_cannot_open_a_review_above_its_own_clearance(world):
    with pytest.raises(ServiceError) as exc:
        _open(world, Classification.TOI_MAT, actor=world.secretariat)  # Mật clearance
    assert "classification" in exc.value.message_dict
    assert not Review.objects.exists()


def test_the_report_carries_the_review_level_and_can_only_be_marked_higher(world):
    unmarked = _open(world)
    marked = _open(world, Classification.MAT)
    plain, _, _ = report.render(unmarked, "docx")
    assert "MẬT" not in _header_words(plain)
    as_review, _, _ = report.render(marked, "docx")
    assert "MẬT" in _header_words(as_review)
    higher, _, _ = report.render(marked, "docx", classification=Classification.TOI_MAT)
    assert "TỐI MẬT" in _header_words(higher)
    not_lower, _, _ = report.render(marked, "docx", classification=Classification.THUONG)
    assert "MẬT" in _header_words(not_lower)


def test_the_secretariat_sets_the_level_on_the_form_and_the_page_shows_it(world, client):
    from django.urls import reverse

    from tests.web_fixtures import login

    login(client, world.secretariat)
    response = client.post(
        reverse("reviews:create"),
        {
            "regulation": world.regulation.pk,
            "kind": "so_ket",
            "date_from": "01/01/2010",
            "date_to": "31/12/2010",
            "classification": str(int(Classification.MAT)),
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert review.classification == Classification.MAT
    page = client.get(review.get_absolute_url()).content.decode()
    assert "MẬT" in page
