"""Periodic reviews: statistics frozen at opening, recomputed on purpose, closed for good."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import NotFound
from phoihop.dossiers.choices import DossierStatus
from phoihop.regulations.choices import RegulationStatus
from phoihop.reviews import services
from phoihop.reviews.models import Review
from tests.factories import end_dossier, open_dossier
from tests.web_fixtures import login, scene  # noqa: F401

FROM, TO = dt.date(2010, 1, 1), dt.date(2010, 12, 31)


@pytest.fixture
def cases(world):
    """Two joint cases cleared in 2010 with the foreign counterpart, one border incident."""
    for day in (dt.date(2010, 3, 3), dt.date(2010, 9, 9)):
        dossier = open_dossier(world.joint, world.a, counterpart=world.f, crime_type=world.crime)
        end_dossier(dossier, DossierStatus.RESOLVED, on=day)
    border = open_dossier(world.border, world.a, supporting=[world.b])
    end_dossier(border, DossierStatus.RESOLVED, on=dt.date(2010, 5, 5))
    return world


def _open(world, actor=None, date_from=FROM, date_to=TO):
    return services.review_open(
        actor=actor or world.secretariat,
        regulation=world.regulation,
        date_from=date_from,
        date_to=date_to,
    )


def test_a_review_freezes_the_figures_of_its_period(cases):
    review = _open(cases)
    assert services.headline(review.statistics)["joint_criminal_cases_cleared"] == 2
    assert review.statistics["border_incidents_resolved"] == 1
    # a case cleared later inside the period does not move the frozen figures...
    late = open_dossier(cases.joint, cases.a, counterpart=cases.f, crime_type=cases.crime)
    end_dossier(late, DossierStatus.RESOLVED, on=dt.date(2010, 11, 11))
    review.refresh_from_db()
    assert review.statistics["joint_criminal_cases_cleared"] == 2
    # ...until the secretariat recomputes, which is audited with before and after
    services.review_recompute(actor=cases.secretariat, review=review)
    review.refresh_from_db()
    assert review.statistics["joint_criminal_cases_cleared"] == 3
    event = AuditEvent.objects.get(action="review.recompute")
    assert event.changes["joint_criminal_cases_cleared"] == [2, 3]
    assert event.actor == cases.secretariat


def test_a_closed_review_refuses_changes(cases):
    review = _open(cases)
    services.review_close(actor=cases.secretariat, review=review)
    with pytest.raises(ServiceError) as exc:
        services.review_recompute(actor=cases.secretariat, review=review)
    assert "đã kết thúc" in str(exc.value)


def test_only_the_secretariat_opens_or_recomputes(cases):
    for actor in (cases.officer_a, cases.leader_a, cases.oversight, cases.admin):
        with pytest.raises(NotFound):
            _open(cases, actor=actor)
    assert not Review.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(cases):
    with pytest.raises(ServiceError) as exc:
        _open(cases, date_from=TO, date_to=FROM)
    assert "date_to" in exc.value.message_dict
    assert not Review.objects.exists()


def test_a_regulation_not_in_force_for_the_whole_period_gives_a_warning(cases):
    cases.regulation.status = RegulationStatus.IN_FORCE
    cases.regulation.effective_from = dt.date(2010, 6, 1)
    cases.regulation.save()
    review = _open(cases)
    assert any("01/06/2010" in w for w in review.warnings)


def test_the_previous_review_is_compared(cases):
    first = _open(cases, date_from=dt.date(2009, 1, 1), date_to=dt.date(2009, 12, 31))
    second = _open(cases)
    assert services.previous_review(second) == first
    row = next(
        r for r in services.comparison(second, first) if r["key"] == "joint_criminal_cases_cleared"
    )
    assert (row["value"], row["previous"], row["delta"]) == (2, 0, 2)


def test_the_review_page_shows_frozen_figures_and_the_empty_period_note(cases, client):
    review = _open(cases)
    empty = _open(cases, date_from=dt.date(2005, 1, 1), date_to=dt.date(2005, 12, 31))
    login(client, cases.leader_a)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'data-key="joint_criminal_cases_cleared">2<' in page
    assert "So với đợt trước" in page
    page = client.get(empty.get_absolute_url()).content.decode()
    assert "không có hồ sơ nào được mở hoặc kết thúc" in page
    login(client, cases.officer_a)
    assert client.get(review.get_absolute_url()).status_code == 404


def test_the_secretariat_opens_a_review_from_the_page(cases, client):
    login(client, cases.secretariat)
    response = client.post(
        reverse("reviews:create"),
        {
            "regulation": cases.regulation.pk,
            "kind": "so_ket",
            "title": "",
            "date_from": "01/01/2010",
            "date_to": "31/12/2010",
        },
    )
    review = Review.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert review.statistics["joint_criminal_cases_cleared"] == 2
    bad = client.post(
        reverse("reviews:create"),
        {
            "regulation": cases.regulation.pk,
            "kind": "so_ket",
            "date_from": "31/12/2010",
            "date_to": "01/01/2010",
        },
    )
    assert bad.status_code == 400 and "Ngày cuối kỳ phải sau ngày đầu kỳ" in bad.content.decode()
    assert Review.objects.count() == 1


def test_the_cli_opens_a_review(cases):
    out = io.StringIO()
    call_command(
        "review",
        "create",
        "--from",
        "2010-01-01",
        "--to",
        "2010-12-31",
        "--regulation",
        cases.regulation.code,
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["joint_criminal_cases_cleared"] == 2
    assert Review.objects.get(pk=data["id"]).created_by is None  # a job, not a user
    with pytest.raises(CommandError):
        call_command("review", "create", "--from", "2010-12-31", "--to", "2010-01-01")
