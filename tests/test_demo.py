"""The Hà Giang demo: what the review of 02/12/2008–02/12/2011 must find, and who sees what.

The demo is loaded once for the whole module inside a transaction that is rolled
back at the end; each test runs in its own savepoint, so the tampering test does
not leak into the others.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from phoihop.accounts.choices import Role
from phoihop.accounts.models import User
from phoihop.audit.models import AuditEvent
from phoihop.audit.services import audit_verify
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.demo import hagiang
from phoihop.dossiers.models import Dossier
from phoihop.regulations import lifecycle
from phoihop.regulations.choices import (
    AmendmentOrigin,
    AmendmentStatus,
    RegulationState,
    RegulationStatus,
)
from phoihop.regulations.models import ClauseAmendment, Regulation
from phoihop.regulations.redline import CHANGED, redline_between
from phoihop.regulations.selectors import category_in_force, regulation_in_force
from phoihop.regulations.services import find_clause
from phoihop.reviews.statistics import compute_statistics
from phoihop.subjects.models import Subject
from tests.audit_helpers import guard_lifted

FROM, TO = dt.date(2008, 12, 2), dt.date(2011, 12, 2)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    """Where the demo writes its CA and the directors' PKCS#12 files."""
    return tmp_path_factory.mktemp("demo-pki")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, pki_dir):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = hagiang.load(pki_dir=pki_dir)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db):
    return {u.username: u for u in User.objects.filter(is_demo=True)}


@pytest.fixture
def regulation(demo, db):
    return Regulation.objects.get(code="QCPH-2008")


@pytest.fixture
def regulation_2011(demo, db):
    return Regulation.objects.get(code="QCPH-2011")


def figures(actor, regulation, date_from=FROM, date_to=TO):
    stats = compute_statistics(
        actor=actor, date_from=date_from, date_to=date_to, regulation=regulation
    )
    return (
        stats["joint_criminal_cases_cleared"],
        stats["border_incidents_resolved"],
        stats["subjects_verified"],
    )


def visible(model, actor):
    return policy.restrict(model.objects.all(), actor)


def test_the_review_finds_21_joint_cases_76_border_incidents_166_persons(regulation):
    stats = compute_statistics(actor=SYSTEM, date_from=FROM, date_to=TO, regulation=regulation)
    assert stats["joint_criminal_cases_cleared"] == 21
    assert stats["border_incidents_resolved"] == 76
    assert stats["subjects_verified"] == 166
    assert [(r["crime_type"], r["count"]) for r in stats["by_crime_type"]] == [
        ("mua-ban-nguoi", 10),
        ("chiem-doat-tre-em", 6),
        ("giet-nguoi", 5),
    ]
    by_crime = {r["crime_type"]: r["count"] for r in stats["by_crime_type"]}
    assert by_crime["giet-nguoi"] == 5


def test_the_demo_has_data_on_and_just_outside_both_boundary_days(regulation):
    assert figures(SYSTEM, regulation, date_from=FROM - DAY) == (22, 77, 167)
    assert figures(SYSTEM, regulation, date_to=TO + DAY) == (22, 77, 167)
    assert figures(SYSTEM, regulation, date_from=FROM + DAY) == (20, 75, 165)
    assert figures(SYSTEM, regulation, date_to=TO - DAY) == (20, 75, 165)


def test_oversight_aggregates_the_same_figures_but_sees_no_dossier_or_person(users, regulation):
    giamsat = users["giamsat"]
    assert figures(giamsat, regulation) == (21, 76, 166)
    assert not visible(Dossier, giamsat).exists()
    assert not visible(Subject, giamsat).exists()
    assert not visible(Dossier, users["quantri"]).exists()
    assert figures(users["quantri"], regulation) == (0, 0, 0)


def test_an_officers_figures_cover_only_what_they_see(users, regulation):
    joint, border, verified = figures(users["ca.canbo"], regulation)
    assert joint < 21  # at least the Tuyệt mật case is out of reach
    assert border <= 76 and verified <= 166


def test_the_audit_chain_verifies(demo, db):
    result = audit_verify()
    assert result.ok, result
    assert result.checked == AuditEvent.objects.count() > demo["dossiers"]


def test_tampering_an_audit_event_is_reported_at_its_seq(demo, db):
    count = AuditEvent.objects.count()
    seq = count // 2
    with guard_lifted():
        AuditEvent.objects.filter(seq=seq).update(object_repr="HS-2010-000001 – sửa lén")
    result = audit_verify()
    assert not result.ok
    assert result.first_broken_seq == seq
    assert result.checked == seq - 1


def test_tampering_the_changes_of_the_last_event_is_reported(demo, db):
    last = AuditEvent.objects.order_by("-seq").first()
    with guard_lifted():
        AuditEvent.objects.filter(pk=last.pk).update(changes={"status": ["opened", "resolved"]})
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == last.seq


def test_deleting_an_audit_event_is_reported(demo, db):
    from phoihop.subjects.models import SubjectAccess

    # the newest event that no read-log row points to (the database would refuse the others)
    target = (
        AuditEvent.objects.exclude(pk__in=SubjectAccess.objects.values("event_id"))
        .order_by("-seq")
        .first()
    )
    with guard_lifted(), connection.cursor() as cursor:
        # as someone with database access would: no ORM, no cascade, no protection
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    result = audit_verify()
    assert not result.ok and result.first_broken_seq == target.seq


def test_the_demo_users_exist_with_their_documented_roles(users):
    roles = {name: (u.role, u.clearance, u.agency.code) for name, u in users.items()}
    assert roles == {
        "ca.canbo": (Role.OFFICER, Classification.MAT, "cat-hagiang"),
        "ca.lanhdao": (Role.LEADER, Classification.TUYET_MAT, "cat-hagiang"),
        "sngv.canbo": (Role.OFFICER, Classification.MAT, "sngv-hagiang"),
        "sngv.lanhdao": (Role.LEADER, Classification.TOI_MAT, "sngv-hagiang"),
        "thuky": (Role.SECRETARIAT, Classification.MAT, "cat-hagiang"),
        "giamsat": (Role.OVERSIGHT, Classification.THUONG, "ubnd-hagiang"),
        "sngv.bientap": (Role.EDITOR, Classification.THUONG, "sngv-hagiang"),
        "ca.bientap": (Role.EDITOR, Classification.THUONG, "cat-hagiang"),
        "quantri": (Role.ADMINISTRATOR, Classification.THUONG, "cat-hagiang"),
    }
    assert all(u.check_password(hagiang.DEMO_PASSWORD) for u in users.values())


def test_the_tuyet_mat_dossier_is_visible_to_ca_lanhdao_only(users):
    top = Dossier.objects.get(classification=Classification.TUYET_MAT)
    assert list(top.named_users.values_list("username", flat=True)) == ["ca.lanhdao"]
    seers = sorted(name for name, u in users.items() if policy.allows(u, policy.VIEW, top))
    assert seers == ["ca.lanhdao"]


def test_some_dossiers_are_not_visible_to_sngv_users(users):
    total = Dossier.objects.count()
    for name in ("sngv.canbo", "sngv.lanhdao"):
        seen = visible(Dossier, users[name]).count()
        assert 0 < seen < total, name
    # Among them, dossiers the Sở Ngoại vụ is no party to.
    not_party = Dossier.objects.exclude(parties__agency__code="sngv-hagiang")
    assert not_party.exists()
    assert not visible(Dossier, users["sngv.lanhdao"]).filter(pk__in=not_party).exists()


def test_some_persons_are_not_visible_to_sngv_canbo(users):
    seen = visible(Subject, users["sngv.canbo"]).count()
    assert 0 < seen < Subject.objects.count()
    assert visible(Subject, users["ca.lanhdao"]).count() > seen


def test_loading_twice_is_refused(demo, db):
    with pytest.raises(RuntimeError):
        hagiang.load()


def test_every_casework_role_has_dossiers_it_must_not_see(users):
    total = Dossier.objects.count()
    for name in ("ca.canbo", "ca.lanhdao", "sngv.canbo", "sngv.lanhdao", "thuky"):
        assert visible(Dossier, users[name]).count() < total, name
    # above the officers' clearance, inside their own agency
    above = Dossier.objects.filter(
        parties__agency__code="cat-hagiang", classification__gt=Classification.MAT
    )
    assert above.exists()
    assert not visible(Dossier, users["ca.canbo"]).filter(pk__in=above).exists()
    # one agency only: no supporting party
    only_one = Dossier.objects.filter(parties__role="support").values("pk")
    assert Dossier.objects.exclude(pk__in=only_one).exists()
    for name in ("giamsat", "quantri"):
        assert not visible(Dossier, users[name]).exists(), name
        assert not visible(Subject, users[name]).exists(), name


def test_some_persons_appear_only_in_dossiers_an_officer_may_not_see(users):
    hidden = Subject.objects.exclude(pk__in=visible(Subject, users["ca.canbo"]).values("pk"))
    assert hidden.filter(dossier_links__isnull=False).exists()


def test_hidden_dossiers_have_an_audit_history_that_their_outsiders_cannot_read(users):
    top = Dossier.objects.get(classification=Classification.TUYET_MAT)
    history = AuditEvent.objects.filter(scope_type="dossiers.dossier", scope_id=top.pk)
    assert history.filter(action="dossier.open").exists()
    assert history.filter(action="dossier.restrictions").exists()
    readable = visible(AuditEvent, users["sngv.lanhdao"])
    assert not readable.filter(pk__in=history).exists()
    assert visible(AuditEvent, users["ca.lanhdao"]).filter(pk__in=history).count() == (
        history.count()
    )


def test_the_demo_shows_restrictions_a_pending_request_a_register_and_a_read_log(users):
    from phoihop.dossiers.models import CopyRecord, CopyRequest
    from phoihop.subjects.models import SubjectAccess

    assert Dossier.objects.filter(no_export=True, print_needs_approval=True).count() >= 3
    assert CopyRequest.objects.filter(status="pending").count() == 1
    assert CopyRecord.objects.filter(request__isnull=False).count() == 1
    leader_log = visible(SubjectAccess, users["ca.lanhdao"])
    assert leader_log.filter(user__username="ca.canbo").exists()
    assert not visible(SubjectAccess, users["ca.canbo"]).exists()


def test_persons_join_old_dossiers_on_the_dossiers_own_dates(demo, db):
    from django.db.models import F

    from phoihop.dossiers.choices import TimelineKind
    from phoihop.dossiers.models import TimelineEvent

    added = TimelineEvent.objects.filter(kind=TimelineKind.SUBJECT)
    assert added.count() > 100
    assert not added.filter(on__lt=F("dossier__opened_on")).exists()
    assert not added.filter(on__gt=F("dossier__resolved_on")).exists()
    assert not added.filter(dossier__opened_on__year__lt=2012, on__year__gte=2012).exists()


def _iso7064_mod_11_2(digits: str) -> str:
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(digits))
    return "0123456789X"[(12 - total % 11) % 11]


def test_the_check_digit_of_the_standards_example():
    assert hagiang.cn_id_check_digit("11010519491231002") == "X"
    assert _iso7064_mod_11_2("11010519491231002") == "X"


def test_chinese_resident_ids_carry_the_birth_date_sex_and_check_digit(demo, db):
    from phoihop.subjects.choices import DocumentKind, Sex
    from phoihop.subjects.models import IdentityDocument

    documents = IdentityDocument.objects.filter(kind=DocumentKind.CN_ID).select_related("subject")
    assert documents.count() > 50
    for doc in documents:
        number, person = doc.number, doc.subject
        assert len(number) == 18 and number[:17].isdigit(), number
        assert number[:4] == "5326"  # Văn Sơn (Wenshan), Yunnan
        assert person.birth_month and person.birth_day, number
        assert number[6:14] == f"{person.birth_year}{person.birth_month:02d}{person.birth_day:02d}"
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert int(number[16]) % 2 == (1 if person.sex == Sex.MALE else 0), number
        assert number[17] == _iso7064_mod_11_2(number[:17]), number


def test_the_2011_review_holds_the_figures_the_conference_and_the_awards(demo, db):
    from phoihop.awards.models import Nomination
    from phoihop.reviews.models import Review

    review = Review.objects.get()
    assert (
        review.statistics["joint_criminal_cases_cleared"],
        review.statistics["border_incidents_resolved"],
        review.statistics["subjects_verified"],
    ) == (21, 76, 166)
    assert review.is_closed and review.conference.held_on == TO
    assert review.assessments.filter(status="submitted").count() == 2
    awards = Nomination.objects.filter(review=review, status="approved")
    assert awards.count() == 4
    assert set(awards.values_list("awarding_agency__code", flat=True)) == {
        "cat-hagiang",
        "sngv-hagiang",
    }
    assert all(n.decision_number and n.decision_date == TO for n in awards)


# --- the 2011 regulation, signed at the review conference -----------------------------------


def test_the_2011_regulation_is_version_2_of_the_series_signed_and_in_force_from_the_conference(
    regulation, regulation_2011
):
    new = regulation_2011
    assert (new.series, new.version, new.previous_id) == (regulation.series, 2, regulation.pk)
    assert (new.number_symbol, new.title, new.place) == (
        "02/QCPH-CAT-SNgV",
        regulation.title,
        "Hà Giang",
    )
    assert new.status == RegulationStatus.SIGNED
    assert (new.signed_on, new.effective_from, new.effective_to) == (TO, TO, None)
    assert set(new.parties.values_list("code", flat=True)) == {"cat-hagiang", "sngv-hagiang"}
    assert not new.needs_resigning
    today = timezone.localdate()
    assert new.state_on(TO - DAY) == RegulationState.PENDING
    assert new.state_on(TO) == RegulationState.IN_FORCE
    assert new.state_on(today) == RegulationState.IN_FORCE  # nothing supersedes it
    assert regulation_in_force(SYSTEM) == new
    assert regulation_in_force(SYSTEM, dt.date(2010, 1, 1)) == regulation


def test_the_2008_regulation_was_in_force_until_the_day_before_and_is_superseded(
    regulation, regulation_2011
):
    assert (regulation.effective_from, regulation.effective_to) == (FROM, TO - DAY)
    assert regulation.superseded_by == regulation_2011
    assert regulation.state_on(FROM - DAY) == RegulationState.PENDING
    assert regulation.state_on(dt.date(2010, 1, 1)) == RegulationState.IN_FORCE
    assert regulation.state_on(TO - DAY) == RegulationState.IN_FORCE
    assert regulation.state_on(TO) == RegulationState.SUPERSEDED
    assert regulation.state_on(dt.date(2012, 1, 1)) == RegulationState.SUPERSEDED


def test_both_directors_signed_on_the_conference_day_and_both_signatures_verify(
    regulation_2011, users
):
    signatures = list(regulation_2011.signatures.select_related("agency", "signer"))
    assert [(s.agency.code, s.signer.username) for s in signatures] == [
        ("cat-hagiang", "ca.lanhdao"),
        ("sngv-hagiang", "sngv.lanhdao"),
    ]
    for s in signatures:
        local = timezone.localtime(s.signed_at)
        assert local.date() == TO and 8 <= local.hour < 17, local
    reports = lifecycle.verify_signed(regulation_2011)
    assert len(reports) == 2
    assert all(r.ok and r.intact and r.trusted for r in reports), [r.summary for r in reports]
    assert [(r.signer_common_name, r.signer_title, r.organization) for r in reports] == [
        ("Hoàng Minh Khải", "Giám đốc Công an tỉnh", "Công an tỉnh Hà Giang"),
        ("Vương Đức Bình", "Giám đốc Sở Ngoại vụ", "Sở Ngoại vụ tỉnh Hà Giang"),
    ]
    assert [timezone.localtime(r.signing_time).date() for r in reports] == [TO, TO]


def test_the_signers_are_the_directors_the_pdf_and_the_commendations_name(users, demo, db):
    from phoihop.accounts.models import Agency

    for code, username in hagiang.HEADS.items():
        agency = Agency.objects.get(code=code)
        assert agency.head == users[username]
        assert users[username].position == agency.head_title  # "Giám đốc …", not a deputy


def test_the_signed_pdf_verifies_in_pdfsig_against_the_demo_ca(regulation_2011, pki_dir, tmp_path):
    from tests.test_signing import _nss_database, _pdfsig

    signed = tmp_path / "QCPH-2011.pdf"
    with regulation_2011.signed_pdf.open("rb") as handle:
        signed.write_bytes(handle.read())
    nss = _nss_database(tmp_path / "nss", (pki_dir / "ca.pem").read_bytes())

    out = _pdfsig(signed, nss)

    assert out.count("Signature is Valid.") == 2, out
    assert out.count("Certificate is Trusted.") == 2, out
    assert "Signature Field Name: Ky-cat-hagiang" in out
    assert "Signature Field Name: Ky-sngv-hagiang" in out
    assert "Signer Certificate Common Name: Hoàng Minh Khải" in out
    assert "Signer Certificate Common Name: Vương Đức Bình" in out
    assert "Total document signed" in out


def test_the_2011_amendments_trace_back_to_the_reviews_proposals(regulation, regulation_2011):
    from phoihop.reviews.choices import ProposalStatus
    from phoihop.reviews.models import Review

    review = Review.objects.get()
    amendments = list(
        ClauseAmendment.objects.filter(source_review=review)
        .select_related("clause__article__chapter", "unit", "source_proposal__assessment")
        .order_by("pk")
    )
    assert [(a.unit.code, a.clause.article.number, a.clause.number) for a in amendments] == [
        ("canh-sat-hinh-su", 7, 2),
        ("lanh-su", 7, 1),
        ("lanh-su", 10, 1),
    ]
    assert ClauseAmendment.objects.count() == len(amendments)
    for a in amendments:
        assert (a.origin, a.status, a.merged_into) == (
            AmendmentOrigin.REVIEW,
            AmendmentStatus.MERGED,
            regulation_2011,
        )
        assert a.clause.article.chapter.regulation_id == regulation.pk
        proposal = a.source_proposal
        assert proposal.status == ProposalStatus.ACCEPTED
        assert proposal.assessment.review_id == review.pk
        assert proposal.assessment.unit_id == a.unit_id and proposal.text == a.text
        merged = find_clause(regulation_2011, a.clause.article.number, a.clause.number)
        assert lifecycle.clause_as_text(merged) == a.text
    assert set(regulation_2011.merged_amendments.all()) == set(amendments)


def test_the_redline_from_2008_to_2011_shows_the_amended_and_edited_clauses(
    regulation, regulation_2011
):
    diff = redline_between(regulation, regulation_2011)
    changed = {(a.number, c.number) for a in diff.differing for c in a.changed_clauses}
    assert changed == {(7, 1), (7, 2), (10, 1), (18, 1)}
    assert {a.number: a.status for a in diff.differing} == {7: CHANGED, 10: CHANGED, 18: CHANGED}
    assert diff.counts["added"] == diff.counts["removed"] == diff.counts["moved"] == 0
    verification = next(
        c for a in diff.articles if a.number == 7 for c in a.clauses if c.number == 2
    )
    assert "05 ngày làm việc" in verification.text.new_text
    assert "05 ngày làm việc" not in verification.text.old_text
    assert any(s.is_insert and "05 ngày làm việc" in s.text for s in verification.text.segments)


def test_dossiers_opened_from_the_effective_date_follow_the_2011_deadlines(
    regulation, regulation_2011
):
    old = regulation.categories.get(code="xac-minh")
    assert category_in_force(old, TO - DAY) == old
    new = category_in_force(old, TO)
    assert new.regulation == regulation_2011
    assert sorted(
        new.clause.responsibilities.values_list("agency__code", "role", "response_days")
    ) == [("cat-hagiang", "lead", 5), ("sngv-hagiang", "support", 3)]
    assert sorted(
        old.clause.responsibilities.values_list("agency__code", "role", "response_days")
    ) == [("cat-hagiang", "lead", 10), ("sngv-hagiang", "support", 5)]


def test_the_regulation_pages_show_the_supersession_and_the_signatures(
    regulation, regulation_2011, users, client, settings
):
    from django.urls import reverse

    from tests.signin import force_login

    settings.PHOIHOP_DEMO = True  # demo accounts sign in only in demo mode
    force_login(client, users["thuky"])
    old = client.get(reverse("regulations:detail", args=[regulation.code])).content.decode()
    assert "Đã được thay thế" in old and "đến hết 01/12/2011" in old
    assert "Không có chữ ký số: văn bản được ký trên giấy." in old  # signed on paper in 2008
    new = client.get(reverse("regulations:detail", args=[regulation_2011.code])).content.decode()
    assert "Đang có hiệu lực" in new
    assert "Công an tỉnh (02/12/2011 10:30); Sở Ngoại vụ (02/12/2011 10:35)" in new
    assert "Sửa đổi đã đưa vào phiên bản này" in new
    signatures = client.get(reverse("regulations:signatures", args=[regulation_2011.code]))
    assert signatures.content.decode().count("Hợp lệ") == 2


def test_the_review_figures_stay_with_qcph_2008_after_the_2011_regulation(
    regulation, regulation_2011
):
    from phoihop.reviews.models import Review

    review = Review.objects.get()
    assert review.regulation == regulation and review.warnings == []
    assert figures(SYSTEM, regulation) == (21, 76, 166)
    assert figures(SYSTEM, regulation_2011) == (0, 0, 0)  # every demo dossier is under 2008
    assert not Dossier.objects.filter(category__regulation=regulation_2011).exists()
