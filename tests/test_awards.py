"""Commendations: evidence, discipline, the council, the partner's consent, the head's decision."""

import datetime as dt

import pytest

from phoihop.audit.models import AuditEvent
from phoihop.awards import services
from phoihop.awards.models import DisciplineFlag, Nomination
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.dossiers.choices import DossierStatus
from phoihop.reviews.services import review_open
from tests.factories import UserFactory, end_dossier, open_dossier

FROM, TO = dt.date(2010, 1, 1), dt.date(2010, 12, 31)


@pytest.fixture
def setting(world):
    review = review_open(actor=SYSTEM, regulation=world.regulation, date_from=FROM, date_to=TO)
    shared = open_dossier(world.joint, world.a, supporting=[world.b], counterpart=world.f)
    end_dossier(shared, DossierStatus.RESOLVED, on=dt.date(2010, 6, 6))
    a_only = open_dossier(world.border, world.a)
    leader_b = UserFactory(
        username="b.lanhdao", agency=world.b, unit=world.unit_b, role="leader", clearance=2
    )
    world.review, world.shared, world.a_only, world.leader_b = review, shared, a_only, leader_b
    return world


def _nominate(w, **overrides):
    data = {
        "actor": w.leader_a,
        "review": w.review,
        "kind": "individual",
        "nominee_user": w.officer_a,
        "awarding_agency": w.a,
        "reason": "Có thành tích xuất sắc trong phối hợp xác minh, triệt phá đường dây mua bán người.",
        "evidence": [w.shared, w.a_only],
    }
    return services.nomination_create(**{**data, **overrides})


def test_a_nomination_carries_a_contribution_computed_from_its_evidence(setting):
    nomination = _nominate(setting)
    assert nomination.contribution["dossiers"] == 2
    assert nomination.contribution["resolved"] == 1
    assert nomination.contribution["led"] == 2
    assert nomination.contribution["by_kind"] == {"joint_criminal": 1, "border_incident": 1}
    assert set(nomination.evidence.all()) == {setting.shared, setting.a_only}
    assert AuditEvent.objects.filter(action="nomination.create").exists()


def test_a_nomination_without_evidence_is_refused(setting):
    with pytest.raises(ServiceError) as exc:
        _nominate(setting, evidence=[])
    assert "evidence" in exc.value.message_dict
    assert not Nomination.objects.exists()


def test_evidence_must_involve_the_nominees_agency(setting):
    # a dossier of A only cannot show what B's officer did
    with pytest.raises(ServiceError) as exc:
        _nominate(
            setting,
            nominee_user=setting.officer_b,
            awarding_agency=setting.b,
            actor=setting.leader_b,
            evidence=[setting.a_only],
        )
    assert "evidence" in exc.value.message_dict


def test_a_pending_discipline_flag_refuses_the_nomination(setting):
    DisciplineFlag.objects.create(user=setting.officer_a, reason="Đang xem xét", opened_on=FROM)
    with pytest.raises(ServiceError) as exc:
        _nominate(setting)
    assert "nominee_user" in exc.value.message_dict
    DisciplineFlag.objects.update(closed_on=TO)
    assert _nominate(setting).pk


def test_only_leaders_and_the_secretariat_nominate(setting):
    with pytest.raises(NotFound):
        _nominate(setting, actor=setting.officer_a)


def test_the_council_then_the_awarding_head_decides_with_a_number_and_date(setting):
    nomination = _nominate(setting)
    with pytest.raises(ServiceError):  # not before the council
        services.nomination_decide(
            actor=setting.leader_a,
            nomination=nomination,
            approve=True,
            decision_number="12/QĐ-CAT",
            decision_date=dt.date(2011, 12, 2),
        )
    services.nomination_council(actor=setting.secretariat, nomination=nomination, recommend=True)
    with pytest.raises(NotFound):  # the partner's head does not award A's staff
        services.nomination_decide(
            actor=setting.leader_b,
            nomination=nomination,
            approve=True,
            decision_number="1/QĐ",
            decision_date=dt.date(2011, 12, 2),
        )
    with pytest.raises(ServiceError) as exc:
        services.nomination_decide(actor=setting.leader_a, nomination=nomination, approve=True)
    assert {"decision_number", "decision_date"} <= set(exc.value.message_dict)
    services.nomination_decide(
        actor=setting.leader_a,
        nomination=nomination,
        approve=True,
        decision_number="12/QĐ-CAT",
        decision_date=dt.date(2011, 12, 2),
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decision_number) == ("approved", "12/QĐ-CAT")


def test_awarding_the_partners_staff_needs_the_partners_consent(setting):
    nomination = _nominate(setting, nominee_user=setting.officer_b, evidence=[setting.shared])
    assert nomination.needs_partner_consent
    services.nomination_council(actor=setting.secretariat, nomination=nomination, recommend=True)
    with pytest.raises(ServiceError):
        services.nomination_decide(
            actor=setting.leader_a,
            nomination=nomination,
            approve=True,
            decision_number="13/QĐ-CAT",
            decision_date=dt.date(2011, 12, 2),
        )
    with pytest.raises(NotFound):  # consent comes from B's head, not A's
        services.nomination_consent(actor=setting.leader_a, nomination=nomination)
    services.nomination_consent(actor=setting.leader_b, nomination=nomination)
    services.nomination_decide(
        actor=setting.leader_a,
        nomination=nomination,
        approve=True,
        decision_number="13/QĐ-CAT",
        decision_date=dt.date(2011, 12, 2),
    )
    nomination.refresh_from_db()
    assert nomination.status == "approved" and nomination.partner_consent_by == setting.leader_b


def test_a_discipline_flag_opened_before_the_decision_stops_it(setting):
    nomination = _nominate(setting)
    services.nomination_council(actor=setting.secretariat, nomination=nomination, recommend=True)
    DisciplineFlag.objects.create(user=setting.officer_a, reason="Mới phát sinh", opened_on=TO)
    with pytest.raises(ServiceError):
        services.nomination_decide(
            actor=setting.leader_a,
            nomination=nomination,
            approve=True,
            decision_number="14/QĐ-CAT",
            decision_date=dt.date(2011, 12, 2),
        )


# --- pages ------------------------------------------------------------------------------------


def test_a_leader_nominates_from_the_page_naming_the_evidence_by_reference(setting, client):
    from django.urls import reverse

    from tests.web_fixtures import login

    login(client, setting.leader_a)
    url = reverse("awards:create") + f"?review={setting.review.pk}"
    data = {
        "review": setting.review.pk,
        "kind": "individual",
        "nominee_user": setting.officer_a.pk,
        "nominee_unit": "",
        "awarding_agency": setting.a.pk,
        "reason": "Thành tích xuất sắc",
        "evidence": f"{setting.shared.reference}, HS-1999-999999",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "HS-1999-999999" in refused.content.decode()
    assert not Nomination.objects.exists()
    data["evidence"] = setting.shared.reference.lower()
    response = client.post(url, data)
    nomination = Nomination.objects.get()
    assert response["Location"] == nomination.get_absolute_url()
    page = client.get(setting.review.get_absolute_url()).content.decode()
    assert "Thành tích" in client.get(nomination.get_absolute_url()).content.decode()
    assert str(setting.officer_a) in page


def test_the_council_and_the_head_act_from_the_nomination_page(setting, client):
    from django.urls import reverse

    from tests.web_fixtures import login

    nomination = _nominate(setting)
    login(client, setting.secretariat)
    client.post(reverse("awards:council", args=[nomination.pk]), {"recommend": "1", "note": ""})
    login(client, setting.leader_a)
    client.post(
        reverse("awards:decide", args=[nomination.pk]),
        {"approve": "1", "decision_number": "25/QĐ-CAT", "decision_date": "02/12/2011"},
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decision_number) == ("approved", "25/QĐ-CAT")
    assert nomination.decision_date == dt.date(2011, 12, 2)


def test_an_approved_nomination_has_a_certificate_pdf(setting, client):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    from tests.web_fixtures import login

    nomination = _nominate(setting)
    url = reverse("awards:certificate", args=[nomination.pk])
    login(client, setting.leader_a)
    assert client.get(url).status_code == 404  # not decided yet
    services.nomination_council(actor=setting.secretariat, nomination=nomination, recommend=True)
    services.nomination_decide(
        actor=setting.leader_a,
        nomination=nomination,
        approve=True,
        decision_number="25/QĐ-CAT",
        decision_date=dt.date(2011, 12, 2),
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "GIẤY KHEN" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert str(setting.officer_a) in text
    assert "25/QĐ-CAT" in text and "02/12/2011" in text
