"""Versions, amendments and signing of a regulation, end to end (issue 5, items 3 and 4).

A new version is a draft copy of the one in force; amendments are proposed by units and
leaders (or come from a review), decided by the secretariat and merged into the draft;
the draft is finalised as a PDF which each party's head signs with a real PAdES
signature (certificates from a test CA made with `signing.create_demo_ca`); once every
party has signed, the new version supersedes the old one on its effective date, and
dossiers opened from then on follow its clauses.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.core.text import fold
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.models import Task
from phoihop.regulations import lifecycle
from phoihop.regulations.choices import (
    AmendmentOrigin,
    AmendmentStatus,
    CategoryKind,
    RegulationState,
    RegulationStatus,
    ResponsibilityRole,
)
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    ClauseAmendment,
    Point,
    Regulation,
    RegulationSignature,
    Responsibility,
    Section,
    TrustedRoot,
)
from phoihop.regulations.selectors import regulation_as_tree, regulation_in_force
from phoihop.regulations.signing import SignatureCoverage, create_demo_ca, issue_certificate
from tests.conftest import LEAD_DAYS
from tests.factories import RegulationFactory, UserFactory, open_dossier
from tests.web_fixtures import login

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "mat-khau-ky-so"
POLICE = "Công an tỉnh Hà Giang"
FOREIGN_AFFAIRS = "Sở Ngoại vụ tỉnh Hà Giang"
HEAD_A = "Nguyễn Văn Hùng"
HEAD_B = "Trần Thị Lan"
NEW_FROM = dt.date(2011, 12, 3)  # the new version's first day in force
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)", re.IGNORECASE)


# --- certificates (no database) --------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    return create_demo_ca("CA Thử nghiệm phoihop", "Ban Cơ yếu (thử nghiệm)")


def _p12(ca, name, organization, *, start=None, end=None, title="Giám đốc"):
    return issue_certificate(
        ca,
        common_name=name,
        title=title,
        organization=organization,
        valid_from=start or NOW - timedelta(days=30),
        valid_to=end or NOW + timedelta(days=365),
        password=PASSWORD,
    )


@pytest.fixture(scope="module")
def certs(ca):
    return SimpleNamespace(
        # the organisation in capitals: the match ignores case and accents
        a=_p12(ca, HEAD_A, POLICE.upper()),
        b=_p12(ca, HEAD_B, FOREIGN_AFFAIRS),
    )


# --- the world with heads and a trusted root -------------------------------------------------


@pytest.fixture
def lc(world, ca):
    """The `world` with a head for each party (leader_a, and a new leader_b), the test CA
    trusted, and the agencies' head titles."""
    w = world
    w.a.name, w.b.name = POLICE, FOREIGN_AFFAIRS
    w.leader_a.last_name, w.leader_a.first_name = "Nguyễn Văn", "Hùng"
    w.leader_a.save()
    leader_b = UserFactory(
        username="b.lanhdao",
        agency=w.b,
        unit=w.unit_b,
        role=Role.LEADER,
        clearance=Classification.TOI_MAT,
        last_name="Trần Thị",
        first_name="Lan",
    )
    w.a.head, w.a.head_title = w.leader_a, "Giám đốc Công an tỉnh"
    w.b.head, w.b.head_title = leader_b, "Giám đốc Sở Ngoại vụ"
    w.a.save()
    w.b.save()
    w.regulation.place = "Hà Giang"
    w.regulation.save()
    TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=ca.certificate_pem().decode())
    w.leader_b = leader_b
    return w


def _draft(w, code="QC-MOI") -> Regulation:
    return lifecycle.version_create(actor=w.secretariat, regulation=w.regulation, code=code)


def _final(w, effective_from=NEW_FROM) -> Regulation:
    return lifecycle.version_finalise(
        actor=w.secretariat, regulation=_draft(w), effective_from=effective_from
    )


def _sign(user, version, p12, password=PASSWORD):
    return lifecycle.version_sign(actor=user, regulation=version, pkcs12=p12, password=password)


def _signed(w, certs) -> Regulation:
    version = _final(w)
    _sign(w.leader_a, version, certs.a)
    _sign(w.leader_b, version, certs.b)
    version.refresh_from_db()
    return version


def _state(w, version: Regulation) -> tuple:
    """Everything a refused signature could have touched."""
    version.refresh_from_db()
    old = Regulation.objects.get(pk=w.regulation.pk)
    return (
        version.status,
        version.signed_on,
        version.signed_pdf.name,
        RegulationSignature.objects.count(),
        AuditEvent.objects.count(),
        old.effective_to,
        old.superseded_by_id,
    )


# --- versions --------------------------------------------------------------------------------


def _regulation_with(w, code: str, articles: int) -> Regulation:
    """A signed regulation of the two parties with a chapter, a section, `articles` articles
    of two clauses of two points each, responsibilities and a category."""
    regulation = RegulationFactory(code=code, parties=[w.a, w.b])
    general = Chapter.objects.create(regulation=regulation, number=1, title="Quy định chung")
    Article.objects.create(chapter=general, number=1, title="Phạm vi", text="Quy chế này quy định…")
    chapter = Chapter.objects.create(regulation=regulation, number=2, title="Nội dung phối hợp")
    section = Section.objects.create(chapter=chapter, number=1, title="Phối hợp trong nước")
    first_clause = None
    for n in range(articles):
        article = Article.objects.create(
            chapter=chapter, section=section, number=n + 2, title=f"Phối hợp việc {n + 1}"
        )
        for c in (1, 2):
            clause = Clause.objects.create(
                article=article, number=c, text=f"Khoản {c} điều {n + 2}: hai bên phối hợp."
            )
            first_clause = first_clause or clause
            Point.objects.create(clause=clause, letter="a", text="Trao đổi thông tin;", position=0)
            Point.objects.create(clause=clause, letter="đ", text="Xác minh đối tượng.", position=1)
            Responsibility.objects.create(
                clause=clause, agency=w.a, role=ResponsibilityRole.LEAD, response_days=5
            )
            Responsibility.objects.create(
                clause=clause,
                agency=w.b,
                role=ResponsibilityRole.SUPPORT,
                response_hours=48,
                task_title="Phối hợp xác minh",
            )
    Category.objects.create(
        regulation=regulation,
        code="xac-minh",
        name="Xác minh",
        kind=CategoryKind.VERIFICATION,
        clause=first_clause,
    )
    return regulation


def _responsibilities(regulation) -> set:
    return set(
        Responsibility.objects.filter(clause__article__chapter__regulation=regulation).values_list(
            "clause__article__number",
            "clause__number",
            "agency_id",
            "role",
            "response_days",
            "response_hours",
            "task_title",
        )
    )


def _categories(regulation) -> set:
    return set(
        Category.objects.filter(regulation=regulation).values_list(
            "code", "name", "kind", "clause__article__number", "clause__number"
        )
    )


def test_a_new_version_is_a_draft_copy_of_the_whole_text_responsibilities_and_categories(lc):
    w = lc
    old = _regulation_with(w, "QC-CU", articles=3)

    new = lifecycle.version_create(
        actor=w.secretariat, regulation=old, code="QC-MOI", number_symbol="02/QCPH"
    )

    assert (new.status, new.version, new.previous, new.series) == (
        RegulationStatus.DRAFT,
        old.version + 1,
        old,
        old.series,
    )
    assert (new.title, new.number_symbol) == (old.title, "02/QCPH")
    assert set(new.parties.all()) == {w.a, w.b}
    old_tree, new_tree = regulation_as_tree(old), regulation_as_tree(new)
    assert new_tree.same_text(old_tree)
    assert new_tree.chapters[1].sections[0].title == "Phối hợp trong nước"
    assert new_tree.articles()[1].section == 1
    assert new_tree.articles()[0].text == "Quy chế này quy định…"
    for model, lookup in (
        (Chapter, "regulation"),
        (Section, "chapter__regulation"),
        (Article, "chapter__regulation"),
        (Clause, "article__chapter__regulation"),
        (Point, "clause__article__chapter__regulation"),
        (Responsibility, "clause__article__chapter__regulation"),
        (Category, "regulation"),
    ):
        assert (
            model.objects.filter(**{lookup: new}).count()
            == model.objects.filter(**{lookup: old}).count()
            > 0
        ), model
    assert _responsibilities(new) == _responsibilities(old)
    assert _categories(new) == _categories(old)
    # the copies are new rows: the old version keeps its own
    category = new.categories.get()
    assert category.clause.article.chapter.regulation == new
    assert Clause.objects.filter(article__chapter__regulation=old).count() == 6
    event = AuditEvent.objects.get(action="regulation.version_create")
    assert event.changes["articles"] == 4 and event.object_id == str(new.pk)


def test_copying_a_version_takes_the_same_bounded_number_of_queries_whatever_its_size(lc):
    w = lc
    small = _regulation_with(w, "QC-NHO", articles=2)
    large = _regulation_with(w, "QC-LON", articles=30)
    _proposed(w)  # the audit trail's first event creates its head: not counted below

    counts = []
    for source, code in ((small, "QC-NHO-2"), (large, "QC-LON-2")):
        with CaptureQueriesContext(connection) as queries:
            lifecycle.version_create(actor=w.secretariat, regulation=source, code=code)
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts
    assert (
        Point.objects.filter(clause__article__chapter__regulation__code="QC-LON-2").count() == 120
    )


def test_only_the_secretariat_or_an_administrator_makes_a_version_and_one_draft_at_a_time(lc):
    w = lc
    for outsider in (w.officer_a, w.leader_a, w.oversight, None):
        with pytest.raises(policy.NotFound):
            lifecycle.version_create(actor=outsider, regulation=w.regulation, code="QC-X")
    with pytest.raises(ServiceError) as taken:
        lifecycle.version_create(actor=w.admin, regulation=w.regulation, code=w.regulation.code)
    assert "đã tồn tại" in taken.value.message_dict["code"][0]
    with pytest.raises(ServiceError) as bad:
        lifecycle.version_create(actor=w.admin, regulation=w.regulation, code="mã có dấu")
    assert "code" in bad.value.message_dict

    draft = _draft(w)
    before = Regulation.objects.count()
    with pytest.raises(ServiceError) as second:
        lifecycle.version_create(actor=w.secretariat, regulation=w.regulation, code="QC-KHAC")
    assert draft.code in second.value.message_dict["regulation"][0]
    assert Regulation.objects.count() == before


# --- amendments ------------------------------------------------------------------------------


def test_a_unit_proposes_under_its_unit_and_a_leader_as_leader(lc):
    w = lc
    by_unit = lifecycle.amendment_propose(
        actor=w.officer_b,
        clause=w.clause_verification,
        text="Sở Ngoại vụ trả lời kết quả xác minh trong 05 ngày làm việc.",
        rationale="Thời hạn 07 ngày làm chậm việc trả lời phía bạn.",
        origin=AmendmentOrigin.UNIT,
    )
    by_leader = lifecycle.amendment_propose(
        actor=w.leader_a,
        clause=w.clause,
        text="Công an tỉnh chủ trì, thông báo cho Sở Ngoại vụ trong 24 giờ.",
        rationale="Chỉ đạo của Giám đốc.",
        origin=AmendmentOrigin.LEADER,
    )

    assert (by_unit.status, by_unit.origin, by_unit.unit, by_unit.proposed_by) == (
        AmendmentStatus.PROPOSED,
        AmendmentOrigin.UNIT,
        w.unit_b,
        w.officer_b,
    )
    assert (by_leader.origin, by_leader.unit, by_leader.proposed_by) == (
        AmendmentOrigin.LEADER,
        None,
        w.leader_a,
    )
    assert AuditEvent.objects.filter(action="amendment.propose").count() == 2


def test_proposals_are_refused_to_outsiders_and_with_a_wrong_origin_or_no_rationale(
    lc, django_user_model
):
    w = lc
    outsider = UserFactory(username="khac.canbo", role=Role.OFFICER)  # agency not a party
    kwargs = {"clause": w.clause, "text": "Nội dung mới", "rationale": "Lý do"}
    for actor in (outsider, w.oversight, w.admin, None):
        with pytest.raises(policy.NotFound):
            lifecycle.amendment_propose(actor=actor, origin=AmendmentOrigin.UNIT, **kwargs)
    cases = [
        (w.officer_a, AmendmentOrigin.LEADER, kwargs, "origin"),
        (w.leader_a, AmendmentOrigin.REVIEW, kwargs, "origin"),
        (w.officer_a, AmendmentOrigin.UNIT, {**kwargs, "rationale": "  "}, "rationale"),
        (w.officer_a, AmendmentOrigin.UNIT, {**kwargs, "text": ""}, "text"),
    ]
    for actor, origin, data, field in cases:
        with pytest.raises(ServiceError) as refused:
            lifecycle.amendment_propose(actor=actor, origin=origin, **data)
        assert field in refused.value.message_dict, (origin, field)
    assert not ClauseAmendment.objects.exists()


def _proposed(w, clause=None, text="Công an tỉnh chủ trì, trả lời trong 05 ngày làm việc."):
    return lifecycle.amendment_propose(
        actor=w.officer_a,
        clause=clause or w.clause,
        text=text,
        rationale="Rút ngắn thời hạn cho sát thực tế.",
        origin=AmendmentOrigin.UNIT,
    )


def test_the_secretariat_accepts_or_rejects_a_proposal_once(lc):
    w = lc
    kept, dropped = _proposed(w), _proposed(w, text="Bỏ khoản này.")
    with pytest.raises(policy.NotFound):
        lifecycle.amendment_decide(actor=w.officer_a, amendment=kept, accept=True)

    lifecycle.amendment_decide(actor=w.secretariat, amendment=kept, accept=True, note="Hợp lý")
    lifecycle.amendment_decide(actor=w.secretariat, amendment=dropped, accept=False)

    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.status, dropped.status) == (AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED)
    assert kept.decided_by == w.secretariat and kept.decided_at is not None
    event = AuditEvent.objects.filter(action="amendment.decide").order_by("seq").first()
    assert event.changes == {"status": ["proposed", "accepted"], "note": "Hợp lý"}
    with pytest.raises(ServiceError, match="đã được xử lý"):
        lifecycle.amendment_decide(actor=w.secretariat, amendment=kept, accept=False)


def test_an_accepted_amendment_replaces_the_clause_text_of_the_draft_and_keeps_its_points(lc):
    w = lc
    Point.objects.create(clause=w.clause, letter="a", text="Điều tra;", position=0)
    amendment = _proposed(w)
    draft = _draft(w)
    with pytest.raises(ServiceError, match="đã được chấp nhận"):
        lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=draft)
    lifecycle.amendment_decide(actor=w.secretariat, amendment=amendment, accept=True)
    with pytest.raises(policy.NotFound):
        lifecycle.amendment_merge(actor=w.officer_a, amendment=amendment, version=draft)

    lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=draft)

    target = Clause.objects.get(article__chapter__regulation=draft, article__number=5, number=1)
    assert target.text == "Công an tỉnh chủ trì, trả lời trong 05 ngày làm việc."
    assert list(target.points.values_list("letter", "text")) == [("a", "Điều tra;")]
    w.clause.refresh_from_db()
    assert w.clause.text != target.text  # the version in force is untouched
    amendment.refresh_from_db()
    assert (amendment.status, amendment.merged_into) == (AmendmentStatus.MERGED, draft)
    with pytest.raises(ServiceError):  # merged once
        lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=draft)


def test_an_amendment_listing_points_replaces_them(lc):
    w = lc
    Point.objects.create(clause=w.clause, letter="a", text="Cũ.", position=0)
    amendment = _proposed(
        w, text="Hai bên phối hợp:\na) trao đổi thông tin;\nb) xác minh\nđối tượng."
    )
    lifecycle.amendment_decide(actor=w.secretariat, amendment=amendment, accept=True)
    draft = _draft(w)

    lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=draft)

    target = Clause.objects.get(article__chapter__regulation=draft, article__number=5, number=1)
    assert target.text == "Hai bên phối hợp:"
    assert list(target.points.values_list("letter", "text")) == [
        ("a", "trao đổi thông tin;"),
        ("b", "xác minh\nđối tượng."),
    ]


def test_merging_needs_a_draft_of_the_same_series(lc):
    w = lc
    amendment = _proposed(w)
    lifecycle.amendment_decide(actor=w.secretariat, amendment=amendment, accept=True)
    other = lifecycle.version_create(
        actor=w.secretariat, regulation=_regulation_with(w, "QC-KHAC", 1), code="QC-KHAC-2"
    )
    with pytest.raises(ServiceError, match="không thuộc cùng bộ quy chế"):
        lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=other)
    with pytest.raises(ServiceError, match="Phiên bản đã chốt, không sửa được"):
        lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=w.regulation)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED


def test_a_review_proposal_accepted_by_the_secretariat_is_an_accepted_review_amendment(lc):
    from phoihop.reviews import services as review_services

    w = lc
    review = review_services.review_open(
        actor=SYSTEM,
        regulation=w.regulation,
        date_from=dt.date(2010, 1, 1),
        date_to=dt.date(2010, 12, 31),
        title="Sơ kết năm 2010",
    )
    assessment = review_services.assessment_save(
        actor=w.officer_a, review=review, unit=w.unit_a, results="Kết quả"
    )
    proposal = review_services.proposal_add(
        actor=w.officer_a, assessment=assessment, clause=w.clause, text="Rút thời hạn còn 05 ngày."
    )

    review_services.proposal_decide(actor=w.secretariat, proposal=proposal, accept=True)

    amendment = ClauseAmendment.objects.get()
    assert (amendment.origin, amendment.status, amendment.unit, amendment.decided_by) == (
        AmendmentOrigin.REVIEW,
        AmendmentStatus.ACCEPTED,
        w.unit_a,
        w.secretariat,
    )
    assert (amendment.source_review, amendment.source_proposal) == (review, proposal)
    assert "Phòng Tham mưu" in amendment.rationale and "Sơ kết năm 2010" in amendment.rationale
    draft = _draft(w)
    lifecycle.amendment_merge(actor=w.secretariat, amendment=amendment, version=draft)
    assert draft.merged_amendments.get() == amendment


# --- hand edits ------------------------------------------------------------------------------


def test_the_secretariat_edits_a_draft_clause_its_points_title_and_deadlines(lc):
    w = lc
    draft = _draft(w)
    clause = Clause.objects.get(article__chapter__regulation=draft, article__number=5, number=1)

    lifecycle.clause_edit(
        actor=w.secretariat,
        clause=clause,
        text="Hai bên phối hợp:\na) điều tra;\nb) truy bắt.",
        article_title="Phối hợp điều tra, truy bắt",
        responsibilities=[
            {"agency": w.a, "role": ResponsibilityRole.LEAD, "response_days": 3},
            {"agency": w.b, "role": ResponsibilityRole.SUPPORT, "response_days": 2},
        ],
    )

    clause.refresh_from_db()
    assert clause.text == "Hai bên phối hợp:"
    assert list(clause.points.values_list("letter", flat=True)) == ["a", "b"]
    assert clause.article.title == "Phối hợp điều tra, truy bắt"
    assert set(clause.responsibilities.values_list("agency_id", "response_days")) == {
        (w.a.pk, 3),
        (w.b.pk, 2),
    }
    event = AuditEvent.objects.get(action="clause.edit")
    assert set(event.changes) == {"text", "points", "article_title", "responsibilities"}
    assert (event.scope_type, event.scope_id) == ("regulations.regulation", draft.pk)
    # no point lines: no points
    lifecycle.clause_edit(actor=w.secretariat, clause=clause, text="Chỉ còn lời khoản.")
    assert not clause.points.exists()


def test_editing_a_clause_of_a_finalised_version_is_refused_and_changes_nothing(lc):
    w = lc
    before = (w.clause.text, w.article.title, AuditEvent.objects.count())
    with pytest.raises(ServiceError) as refused:
        lifecycle.clause_edit(
            actor=w.secretariat, clause=w.clause, text="Sửa lén", article_title="Tên mới"
        )
    assert refused.value.messages == ["Phiên bản đã chốt, không sửa được"]
    w.clause.refresh_from_db()
    w.article.refresh_from_db()
    assert (w.clause.text, w.article.title, AuditEvent.objects.count()) == before
    with pytest.raises(policy.NotFound):
        lifecycle.clause_edit(actor=w.officer_a, clause=w.clause, text="x")


# --- finalising ------------------------------------------------------------------------------


def _pdf_text(fieldfile) -> str:
    with fieldfile.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return fold("\n".join(page.extract_text() for page in reader.pages))


def test_finalising_freezes_the_draft_as_a_pdf_with_both_parties(lc):
    w = lc
    draft = _draft(w)

    version = lifecycle.version_finalise(
        actor=w.secretariat, regulation=draft, effective_from=NEW_FROM, signed_place="Hà Giang"
    )

    assert (version.status, version.effective_from, version.place) == (
        RegulationStatus.FINAL,
        NEW_FROM,
        "Hà Giang",
    )
    assert version.state_on(NEW_FROM) == RegulationState.SIGNING
    text = _pdf_text(version.final_pdf)
    # each party's own number and symbol (the version number, no number given), the heads
    for expected in ("02/QCPH-CAT", "02/QCPH-SNgV", HEAD_A, HEAD_B, "GIÁM ĐỐC SỞ NGOẠI VỤ"):
        assert fold(expected) in text, expected
    assert fold(w.clause.text[:40]) in text
    with pytest.raises(ServiceError, match="Phiên bản đã chốt, không sửa được"):
        lifecycle.version_finalise(actor=w.secretariat, regulation=version, effective_from=NEW_FROM)


def test_finalising_needs_a_date_after_the_previous_one_an_article_and_heads(lc):
    w = lc
    draft = _draft(w)
    with pytest.raises(policy.NotFound):
        lifecycle.version_finalise(actor=w.officer_a, regulation=draft, effective_from=NEW_FROM)
    for day, message in (
        (None, "Cần nhập ngày có hiệu lực."),
        (w.regulation.effective_from, "phải sau ngày có hiệu lực của phiên bản trước (02/12/2008)"),
    ):
        with pytest.raises(ServiceError) as refused:
            lifecycle.version_finalise(actor=w.secretariat, regulation=draft, effective_from=day)
        assert message in refused.value.message_dict["effective_from"][0]
    w.b.head = None
    w.b.save()
    with pytest.raises(ServiceError) as headless:
        lifecycle.version_finalise(actor=w.secretariat, regulation=draft, effective_from=NEW_FROM)
    assert FOREIGN_AFFAIRS in headless.value.message_dict["parties"][0]
    Category.objects.filter(regulation=draft).delete()
    Article.objects.filter(chapter__regulation=draft).delete()
    with pytest.raises(ServiceError) as empty:
        lifecycle.version_finalise(actor=w.secretariat, regulation=draft, effective_from=NEW_FROM)
    assert "chưa có điều nào" in empty.value.message_dict["regulation"][0]
    draft.refresh_from_db()
    assert (draft.status, draft.final_pdf.name) == (RegulationStatus.DRAFT, "")


# --- signing ---------------------------------------------------------------------------------


def test_both_heads_sign_in_turn_and_the_version_is_signed(lc, certs, ca):
    w = lc
    version = _final(w)

    first = _sign(w.leader_a, version, certs.a)
    version.refresh_from_db()
    assert version.status == RegulationStatus.FINAL
    assert (first.agency, first.signer, first.field_name) == (w.a, w.leader_a, "Ky-cat")
    assert "Ban Cơ yếu (thử nghiệm)" in first.issuer and HEAD_A in first.subject
    (report,) = lifecycle.verify_signed(version)
    assert report.ok and report.coverage == SignatureCoverage.WHOLE
    with pytest.raises(ServiceError, match="đã ký phiên bản này"):
        _sign(w.leader_a, version, certs.a)

    second = _sign(w.leader_b, version, certs.b)
    version.refresh_from_db()

    assert (version.status, version.signed_on) == (RegulationStatus.SIGNED, dt.date.today())
    assert second.agency == w.b
    reports = lifecycle.verify_signed(version)
    assert [r.signer_common_name for r in reports] == [HEAD_A, HEAD_B]
    assert all(r.ok and r.intact and r.trusted for r in reports), [r.problems for r in reports]
    assert [r.coverage for r in reports] == [SignatureCoverage.INCREMENTAL, SignatureCoverage.WHOLE]
    with version.signed_pdf.open("rb") as signed, version.final_pdf.open("rb") as final:
        assert signed.read().startswith(final.read())  # incremental updates of the final PDF
    actions = list(
        AuditEvent.objects.filter(action__startswith="regulation.").values_list("action", flat=True)
    )
    assert actions.count("regulation.sign") == 2 and "regulation.supersede" in actions


def test_a_pdf_changed_after_signing_is_reported_on_the_signatures_page(lc, certs, client):
    w = lc
    version = _signed(w, certs)
    path = Path(version.signed_pdf.path)
    data = path.read_bytes()
    assert b"ReportLab" in data[:2000] or b"ReportLab" in data
    tampered = data.replace(b"ReportLab", b"ReportLob", 1)  # inside the signed bytes
    assert len(tampered) == len(data) and tampered != data
    path.write_bytes(tampered)

    reports = lifecycle.verify_signed(version)

    assert len(reports) == 2
    for report in reports:
        assert not report.intact and not report.ok
        assert report.problems[0].startswith("Nội dung được ký đã bị thay đổi")
    login(client, w.officer_b)
    page = client.get(reverse("regulations:signatures", args=[version.code])).content.decode()
    assert "Không hợp lệ" in page and "Nội dung được ký đã bị thay đổi" in page


def test_signatures_removed_from_the_file_are_named_on_the_signatures_page(lc, certs, client):
    w = lc
    version = _signed(w, certs)
    with version.final_pdf.open("rb") as final:
        Path(version.signed_pdf.path).write_bytes(final.read())  # the unsigned PDF put back

    assert lifecycle.verify_signed(version) == []
    login(client, w.officer_a)
    page = client.get(reverse("regulations:signatures", args=[version.code])).content.decode()
    assert "không còn thấy trong tệp PDF" in page
    assert POLICE in page and FOREIGN_AFFAIRS in page


def test_only_a_partys_head_signs(lc, certs):
    w = lc
    version = _final(w)
    before = _state(w, version)
    for actor in (w.officer_a, w.secretariat, w.admin, SYSTEM, None):
        with pytest.raises(policy.NotFound):
            _sign(actor, version, certs.a)
    assert _state(w, version) == before


def test_a_head_cannot_sign_with_someone_elses_certificate(lc, certs, ca):
    w = lc
    version = _final(w)
    before = _state(w, version)
    stranger = _p12(ca, "Hoàng Văn Khác", POLICE)

    for p12, message in (
        (certs.b, "không phải “Công an tỉnh Hà Giang”"),
        (stranger, f"không phải {HEAD_A}, người đứng đầu Công an tỉnh Hà Giang"),
    ):
        with pytest.raises(ServiceError) as refused:
            _sign(w.leader_a, version, p12)
        assert message in refused.value.message_dict["pkcs12"][0]
    assert _state(w, version) == before


def test_a_wrong_password_is_refused_under_the_password_field(lc, certs):
    w = lc
    version = _final(w)
    before = _state(w, version)

    with pytest.raises(ServiceError) as refused:
        _sign(w.leader_a, version, certs.a, password="sai-mat-khau")

    assert refused.value.message_dict["password"][0].startswith("Mật khẩu của tệp chứng thư số")
    with pytest.raises(ServiceError) as not_p12:
        _sign(w.leader_a, version, b"day khong phai PKCS#12")
    assert "không phải định dạng PKCS#12" in not_p12.value.message_dict["pkcs12"][0]
    assert _state(w, version) == before


def test_expired_and_not_yet_valid_certificates_are_refused(lc, ca):
    w = lc
    version = _final(w)
    before = _state(w, version)
    expired = _p12(ca, HEAD_A, POLICE, start=NOW - timedelta(days=400), end=NOW - timedelta(days=1))
    future = _p12(ca, HEAD_A, POLICE, start=NOW + timedelta(days=1), end=NOW + timedelta(days=400))

    for p12, message in ((expired, "đã hết hạn"), (future, "chưa có hiệu lực")):
        with pytest.raises(ServiceError) as refused:
            _sign(w.leader_a, version, p12)
        assert message in refused.value.message_dict["pkcs12"][0]
    assert _state(w, version) == before


def test_a_certificate_from_an_untrusted_authority_is_refused(lc):
    w = lc
    version = _final(w)
    before = _state(w, version)
    foreign_ca = create_demo_ca("CA không được khai báo", "Tổ chức khác")

    with pytest.raises(ServiceError) as refused:
        _sign(w.leader_a, version, _p12(foreign_ca, HEAD_A, POLICE))

    assert "không do tổ chức chứng thực tin cậy cấp" in refused.value.message_dict["pkcs12"][0]
    assert _state(w, version) == before


def test_signing_a_draft_is_refused_and_changes_nothing(lc, certs):
    w = lc
    draft = _draft(w)
    before = _state(w, draft)

    with pytest.raises(ServiceError) as refused:
        _sign(w.leader_a, draft, certs.a)

    assert "còn là dự thảo" in refused.value.message_dict["regulation"][0]
    assert _state(w, draft) == before


# --- supersession and the dossiers that follow it --------------------------------------------


def test_the_new_version_supersedes_the_old_one_on_its_effective_date(lc, certs):
    w = lc
    old = w.regulation
    version = _final(w)
    _sign(w.leader_a, version, certs.a)
    old.refresh_from_db()
    assert (old.effective_to, old.superseded_by) == (None, None)  # one signature is not enough

    _sign(w.leader_b, version, certs.b)
    old.refresh_from_db()
    version.refresh_from_db()

    eve = NEW_FROM - dt.timedelta(days=1)
    assert (old.effective_to, old.superseded_by) == (eve, version)
    assert old.state_on(eve) == RegulationState.IN_FORCE
    assert old.state_on(NEW_FROM) == RegulationState.SUPERSEDED
    assert version.state_on(eve) == RegulationState.PENDING
    assert version.state_on(NEW_FROM) == RegulationState.IN_FORCE
    assert regulation_in_force(SYSTEM, eve) == old
    assert regulation_in_force(SYSTEM, NEW_FROM) == version


def test_dossiers_opened_from_the_effective_date_follow_the_new_versions_deadlines(lc, certs):
    w = lc
    draft = _draft(w)
    clause = Clause.objects.get(article__chapter__regulation=draft, article__number=5, number=1)
    lifecycle.clause_edit(
        actor=w.secretariat,
        clause=clause,
        text=clause.text,
        responsibilities=[
            {"agency": w.a, "role": ResponsibilityRole.LEAD, "response_days": 3},
            {"agency": w.b, "role": ResponsibilityRole.SUPPORT, "response_days": 2},
        ],
    )
    lifecycle.version_finalise(actor=w.secretariat, regulation=draft, effective_from=NEW_FROM)
    _sign(w.leader_a, draft, certs.a)
    _sign(w.leader_b, draft, certs.b)

    before = open_dossier(w.joint, w.a, supporting=[w.b], opened_on=dt.date(2011, 11, 28))
    after = open_dossier(w.joint, w.a, supporting=[w.b], opened_on=dt.date(2012, 1, 9))

    assert (before.category, before.clause) == (w.joint, w.clause)
    assert after.category.regulation == draft and after.category.code == w.joint.code
    assert after.clause == clause
    due = dict(Task.objects.filter(dossier=after).values_list("agency_id", "due_on"))
    assert due == {
        w.a.pk: add_working_days(after.opened_on, 3),
        w.b.pk: add_working_days(after.opened_on, 2),
    }
    old_due = Task.objects.get(dossier=before, agency=w.a).due_on
    assert old_due == add_working_days(before.opened_on, LEAD_DAYS)


# --- pages -----------------------------------------------------------------------------------


def _page(client, user, name, *args, **kwargs):
    login(client, user)
    return client.get(reverse(f"regulations:{name}", args=args), **kwargs)


def test_the_panel_shows_each_user_only_the_actions_they_may_take(lc, client):
    w = lc
    code = w.regulation.code
    secretariat = _page(client, w.secretariat, "detail", code).content.decode()
    officer = _page(client, w.officer_a, "detail", code).content.decode()
    oversight = _page(client, w.oversight, "detail", code).content.decode()

    assert "Tạo phiên bản mới từ phiên bản này" in secretariat
    assert "Đang có hiệu lực" in secretariat and "phiên bản 1" in secretariat
    assert "Tạo phiên bản mới" not in officer and "Tạo phiên bản mới" not in oversight
    assert "Đề xuất sửa đổi một khoản" in officer
    assert "Đề xuất sửa đổi" not in oversight.replace("Đề xuất sửa đổi các khoản", "")
    assert not INLINE_SCRIPT.search(secretariat)


def test_lifecycle_forms_answer_404_to_those_not_allowed(lc, client):
    w = lc
    draft = _draft(w)
    clause = Clause.objects.filter(article__chapter__regulation=draft).first()
    pages = [
        ("version-create", [w.regulation.code], {w.secretariat, w.admin}),
        ("finalise", [draft.code], {w.secretariat, w.admin}),
        ("clause-edit", [draft.code, clause.pk], {w.secretariat, w.admin}),
        (
            "amendment-create",
            [w.regulation.code],
            {w.officer_a, w.officer_b, w.leader_a, w.leader_b, w.secretariat},
        ),
        ("sign", [draft.code], {w.leader_a, w.leader_b}),
    ]
    everyone = [
        w.officer_a,
        w.officer_b,
        w.leader_a,
        w.leader_b,
        w.secretariat,
        w.admin,
        w.oversight,
    ]
    for name, args, allowed in pages:
        for user in everyone:
            response = _page(client, user, name, *args)
            expected = 200 if user in allowed else 404
            assert response.status_code == expected, (name, user.username, response.status_code)
            if expected == 200:
                assert not INLINE_SCRIPT.search(response.content.decode()), name


def test_changes_are_post_only_and_need_the_csrf_token(lc, client):
    w = lc
    amendment = _proposed(w)
    login(client, w.secretariat)
    for name in ("amendment-decide", "amendment-merge"):
        assert client.get(reverse(f"regulations:{name}", args=[amendment.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    login(strict, w.secretariat)
    response = strict.post(
        reverse("regulations:amendment-decide", args=[amendment.pk]), {"accept": "1"}
    )
    assert response.status_code == 403
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_a_unit_proposes_on_the_page_and_the_secretariat_accepts_and_merges_it(lc, client):
    w = lc
    login(client, w.officer_a)
    response = client.post(
        reverse("regulations:amendment-create", args=[w.regulation.code]),
        {
            "clause": w.clause.pk,
            "text": "Công an tỉnh chủ trì, thông báo cho Sở Ngoại vụ trong 03 ngày làm việc.",
            "rationale": "Thời hạn 10 ngày quá dài.",
            "origin": AmendmentOrigin.UNIT,
        },
    )
    assert response.status_code == 302
    amendment = ClauseAmendment.objects.get()
    assert amendment.unit == w.unit_a
    assert (
        client.post(
            reverse("regulations:amendment-decide", args=[amendment.pk]), {"accept": "1"}
        ).status_code
        == 404
    )  # a unit does not decide

    login(client, w.secretariat)
    page = client.get(reverse("regulations:detail", args=[w.regulation.code])).content.decode()
    assert "Thời hạn 10 ngày quá dài." in page and "Đơn vị đề xuất" in page
    assert "Phòng Tham mưu" in page and "Chấp nhận" in page
    client.post(reverse("regulations:amendment-decide", args=[amendment.pk]), {"accept": "1"})
    response = client.post(
        reverse("regulations:version-create", args=[w.regulation.code]), {"code": "QC-MOI"}
    )
    draft = Regulation.objects.get(code="QC-MOI")
    assert response["Location"] == reverse("regulations:detail", args=["QC-MOI"])
    draft_page = client.get(response["Location"]).content.decode()
    assert "Sửa đổi đã chấp nhận, chờ đưa vào dự thảo này" in draft_page
    assert "Chốt văn bản để ký" in draft_page and "Sửa khoản 1 Điều 5" in draft_page

    client.post(reverse("regulations:amendment-merge", args=[amendment.pk]), {"version": draft.pk})

    amendment.refresh_from_db()
    assert (amendment.status, amendment.merged_into) == (AmendmentStatus.MERGED, draft)
    draft_page = client.get(reverse("regulations:detail", args=["QC-MOI"])).content.decode()
    assert (
        "trong 03 ngày làm việc" in draft_page and "Sửa đổi đã đưa vào phiên bản này" in draft_page
    )


def test_the_clause_page_of_a_final_version_says_it_cannot_be_edited(lc, client):
    w = lc
    login(client, w.secretariat)
    url = reverse("regulations:clause-edit", args=[w.regulation.code, w.clause.pk])
    assert "Phiên bản đã chốt, không sửa được" in client.get(url).content.decode()
    response = client.post(url, {"article_title": "Tên mới", "text": "Sửa lén"})
    assert response.status_code == 400
    w.clause.refresh_from_db()
    assert w.clause.text != "Sửa lén"


def test_finalise_then_both_heads_sign_on_the_pages_and_the_signatures_page_verifies(
    lc, certs, client
):
    w = lc
    draft = _draft(w)
    login(client, w.secretariat)
    response = client.post(
        reverse("regulations:finalise", args=[draft.code]),
        {"effective_from": "03/12/2011", "signed_place": "Hà Giang"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RegulationStatus.FINAL

    for head, p12 in ((w.leader_a, certs.a), (w.leader_b, certs.b)):
        page = _page(client, head, "detail", draft.code).content.decode()
        assert "Ký số thay mặt" in page
        wrong = client.post(
            reverse("regulations:sign", args=[draft.code]),
            {"pkcs12": _upload(p12), "password": "sai"},
        )
        assert wrong.status_code == 400
        assert "Mật khẩu của tệp chứng thư số không đúng" in wrong.content.decode()
        response = client.post(
            reverse("regulations:sign", args=[draft.code]),
            {"pkcs12": _upload(p12), "password": PASSWORD},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == reverse("regulations:signatures", args=[draft.code])

    draft.refresh_from_db()
    assert draft.status == RegulationStatus.SIGNED
    login(client, w.oversight)  # everyone signed in reads the signatures
    page = client.get(reverse("regulations:signatures", args=[draft.code])).content.decode()
    for expected in (
        HEAD_A,
        HEAD_B,
        POLICE,
        FOREIGN_AFFAIRS,
        "CN=CA Thử nghiệm phoihop, O=Ban Cơ yếu (thử nghiệm), C=VN",
        f"CN={HEAD_B}, T=Giám đốc, O={FOREIGN_AFFAIRS}",
        "Chữ ký hợp lệ",
        "Có: nội dung được ký không bị thay đổi",
        "Có: chứng thư do tổ chức chứng thực tin cậy cấp",
        str(SignatureCoverage.INCREMENTAL.label),
        str(SignatureCoverage.WHOLE.label),
    ):
        assert expected in page, expected
    assert "Không hợp lệ" not in page and not INLINE_SCRIPT.search(page)
    pdf = client.get(reverse("regulations:signed-pdf", args=[draft.code]))
    assert pdf["Content-Type"] == "application/pdf"
    with draft.signed_pdf.open("rb") as stored:
        assert b"".join(pdf.streaming_content) == stored.read()  # byte for byte
    login(client, w.leader_a)
    assert client.get(reverse("regulations:sign", args=[draft.code])).status_code == 200
    assert (
        "đã được các bên ký đủ"
        in client.get(reverse("regulations:sign", args=[draft.code])).content.decode()
    )


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("chung-thu.p12", data, content_type="application/x-pkcs12")


def test_a_version_without_a_pdf_has_no_pdf_and_no_signatures(lc, client):
    w = lc
    login(client, w.officer_a)
    assert _page(client, w.officer_a, "signed-pdf", w.regulation.code).status_code == 404
    page = _page(client, w.officer_a, "signatures", w.regulation.code).content.decode()
    assert "Không có chữ ký số: văn bản được ký trên giấy" in page  # signed, no PDF


def test_the_detail_page_reads_the_panel_in_a_bounded_number_of_queries(lc, client):
    w = lc
    login(client, w.secretariat)
    url = reverse("regulations:detail", args=[w.regulation.code])
    _proposed(w)
    client.get(url)  # the session's first request reads more (the user, the device)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for clause in (w.clause, w.clause_verification) * 3:
        _proposed(w, clause=clause)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(url).content.decode()

    assert len(seven) == len(one), (len(one), len(seven))
    assert page.count("Rút ngắn thời hạn cho sát thực tế.") == 7


# --- the demo's certificates -----------------------------------------------------------------


def test_the_demo_pki_writes_a_trusted_ca_and_a_certificate_each_head_can_sign_with(lc, tmp_path):
    from phoihop.demo.pki import CA_NAME, demo_password, demo_pki
    from phoihop.regulations.signing import load_pkcs12

    w = lc
    written = demo_pki(tmp_path)

    assert set(written) == {"ca", "a.lanhdao", "b.lanhdao"}
    assert (tmp_path / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    root = TrustedRoot.objects.get(name=CA_NAME)
    assert root.certificate_pem.encode() == (tmp_path / "ca.pem").read_bytes()
    info = load_pkcs12((tmp_path / "b.lanhdao.p12").read_bytes(), demo_password("b.lanhdao")).info
    assert (info.common_name, info.organization, info.title) == (
        HEAD_B,
        FOREIGN_AFFAIRS,
        "Giám đốc Sở Ngoại vụ",
    )
    assert info.valid_from <= datetime(2011, 12, 2, tzinfo=UTC) < NOW < info.valid_to
    version = _final(w)
    for head in (w.leader_a, w.leader_b):
        _sign(
            head,
            version,
            written[head.username].read_bytes(),
            password=demo_password(head.username),
        )
    version.refresh_from_db()
    assert version.status == RegulationStatus.SIGNED
    assert all(r.ok for r in lifecycle.verify_signed(version))
    demo_pki(tmp_path)  # again: the root is replaced, not added
    assert TrustedRoot.objects.filter(name=CA_NAME).count() == 1
