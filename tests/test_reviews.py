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
from phoihop.core.policy import SYSTEM, NotFound
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
    cases.regulation.status = RegulationStatus.SIGNED
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


# --- assessments, proposals, the conference ---------------------------------------------------


def _form(**overrides):
    data = {
        "results": "Phối hợp xác minh 12 đối tượng, làm rõ 3 vụ án.",
        "shortcomings": "Trao đổi thông tin còn chậm.",
        "causes": "Thiếu cán bộ biết tiếng Trung.",
        "lessons": "Chủ động trao đổi sớm.",
        "directions": "Tăng cường giao ban định kỳ.",
    }
    return {**data, **overrides}


def test_a_unit_saves_a_draft_then_submits_and_the_secretariat_sees_it(cases, client):
    review = _open(cases)
    url = reverse("reviews:assessment", args=[review.pk, cases.unit_a.pk])
    login(client, cases.officer_a)
    assert client.post(url, _form(save="1")).status_code == 302
    assessment = review.assessments.get(unit=cases.unit_a)
    assert assessment.status == "draft"
    client.post(url, _form(submit="1"))
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_by) == ("submitted", cases.officer_a)
    # a second submission replaces the first, audited with what changed
    client.post(url, _form(submit="1", lessons="Chủ động trao đổi sớm; giữ bí mật."))
    assessment.refresh_from_db()
    assert assessment.lessons.endswith("giữ bí mật.")
    last = AuditEvent.objects.filter(action="assessment.submit").latest("seq")
    assert last.changes["lessons"][1].endswith("giữ bí mật.")
    assert review.assessments.count() == 1
    login(client, cases.secretariat)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Đã gửi" in page and "Chưa có" in page  # unit A submitted, unit B not yet


def test_submitting_without_results_is_refused_naming_the_field(cases, client):
    review = _open(cases)
    login(client, cases.officer_a)
    url = reverse("reviews:assessment", args=[review.pk, cases.unit_a.pk])
    response = client.post(url, _form(results="", submit="1"))
    assert response.status_code == 400
    assert "Cần nêu kết quả thực hiện" in response.content.decode()
    assert not review.assessments.exists()


def test_a_unit_cannot_write_another_units_assessment(cases, client):
    review = _open(cases)
    login(client, cases.officer_b)
    url = reverse("reviews:assessment", args=[review.pk, cases.unit_a.pk])
    assert client.post(url, _form(submit="1")).status_code == 404
    assert not review.assessments.exists()


def test_the_secretariat_reminds_a_unit_that_has_not_submitted(cases, client):
    review = _open(cases)
    login(client, cases.secretariat)
    client.post(reverse("reviews:assessment-remind", args=[review.pk, cases.unit_b.pk]))
    assessment = review.assessments.get(unit=cases.unit_b)
    assert assessment.reminded_at is not None
    login(client, cases.officer_b)
    page = client.get(reverse("reviews:assessment", args=[review.pk, cases.unit_b.pk]))
    assert "thư ký đã nhắc" in page.content.decode()


def test_a_proposal_names_a_clause_of_this_regulation_only(cases, client):
    from tests.factories import clause_with_responsibilities, regulation_tree

    review = _open(cases)
    _other, other_article = regulation_tree(parties=[cases.a], code="QC-KHAC")
    foreign_clause = clause_with_responsibilities(other_article, 1, [])
    login(client, cases.officer_a)
    url = reverse("reviews:assessment", args=[review.pk, cases.unit_a.pk])
    refused = client.post(url, {"clause": foreign_clause.pk, "text": "Sửa thời hạn"})
    assert refused.status_code == 400
    client.post(url, {"clause": cases.clause.pk, "text": "Rút thời hạn xuống 7 ngày làm việc."})
    proposal = review.assessments.get(unit=cases.unit_a).proposals.get()
    assert proposal.clause == cases.clause


def test_edits_after_the_review_is_closed_are_refused(cases, client):
    review = _open(cases)
    services.review_close(actor=cases.secretariat, review=review)
    login(client, cases.officer_a)
    url = reverse("reviews:assessment", args=[review.pk, cases.unit_a.pk])
    assert client.post(url, _form(submit="1")).status_code == 404
    with pytest.raises(ServiceError):
        services.assessment_save(actor=SYSTEM, review=review, unit=cases.unit_a, results="x")
    assert not review.assessments.exists()


def test_the_conference_is_recorded_and_shown(cases, client):
    review = _open(cases)
    login(client, cases.secretariat)
    client.post(
        reverse("reviews:conference", args=[review.pk]),
        {
            "held_on": "15/01/2011",
            "place": "Hội trường Công an tỉnh Hà Giang",
            "chairs": "Giám đốc Công an tỉnh\nGiám đốc Sở Ngoại vụ",
            "participants": "Lãnh đạo các phòng nghiệp vụ",
            "conclusions": "Tiếp tục thực hiện quy chế, sửa đổi Điều 5.",
        },
    )
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Hội trường Công an tỉnh Hà Giang" in page and "15/01/2011" in page
    assert AuditEvent.objects.filter(action="conference.save").exists()
    too_early = services.conference_save
    with pytest.raises(ServiceError) as exc:
        too_early(
            actor=cases.secretariat,
            review=review,
            held_on=dt.date(2010, 6, 1),
            place="x",
            chairs="y",
        )
    assert "held_on" in exc.value.message_dict


def test_an_accepted_proposal_becomes_a_draft_amendment_of_its_clause(cases, client):
    from phoihop.regulations.models import ClauseAmendment

    review = _open(cases)
    assessment = services.assessment_save(
        actor=cases.officer_a, review=review, unit=cases.unit_a, results="Kết quả"
    )
    kept = services.proposal_add(
        actor=cases.officer_a, assessment=assessment, clause=cases.clause, text="Rút thời hạn"
    )
    dropped = services.proposal_add(
        actor=cases.officer_a, assessment=assessment, clause=cases.clause, text="Bỏ khoản"
    )
    login(client, cases.secretariat)
    client.post(reverse("reviews:proposal-decide", args=[kept.pk]), {"accept": "1"})
    client.post(reverse("reviews:proposal-decide", args=[dropped.pk]), {"accept": "0"})
    amendment = ClauseAmendment.objects.get()
    assert (amendment.clause, amendment.text, amendment.source_review) == (
        cases.clause,
        "Rút thời hạn",
        review,
    )
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.status, dropped.status) == ("accepted", "rejected")
    page = client.get(reverse("regulations:detail", args=[cases.regulation.code])).content.decode()
    assert "Rút thời hạn" in page
    login(client, cases.officer_a)  # a unit does not decide proposals
    third = services.proposal_add(
        actor=cases.officer_a, assessment=assessment, clause=cases.clause, text="Thêm đầu mối"
    )
    response = client.post(reverse("reviews:proposal-decide", args=[third.pk]), {"accept": "1"})
    assert response.status_code == 404
    third.refresh_from_db()
    assert third.status == "proposed"
