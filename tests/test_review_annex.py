"""The restricted annex of the review report: the persons verified in the period, by name.

The report's body names nobody; the annex names the persons whose verification was
answered "clarified" in the period, as far as the one asking may see them, and every
download is logged per person with its declared purpose. Files are read back with
python-docx and pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.reviews import annex, report
from phoihop.reviews import services as review_services
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import AccessKind, AccessPurpose, SubjectRole, VerificationOutcome
from phoihop.subjects.models import SubjectAccess
from tests.factories import UserFactory, open_dossier
from tests.web_fixtures import login, scene  # noqa: F401

FROM, TO = dt.date(2010, 1, 1), dt.date(2010, 12, 31)
VISIBLE = ("Vương Tiểu Minh", "Lý Thị Mai")
OUTSIDE_PERIOD = "Sùng Mí Chá"
NOT_CLARIFIED = "Giàng A Lử"
HIDDEN = "Hầu Mí Sính"  # in a Tuyệt mật dossier the leader is not named on


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def docx_text(content: bytes) -> str:
    d = Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        parts += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return flat("\n".join(parts))


def docx_rows(content: bytes) -> list[list[str]]:
    """The persons' table: the one whose header starts with STT."""
    d = Document(io.BytesIO(content))
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "STT")
    return [[c.text for c in row.cells] for row in table.rows]


def pdf_text(content: bytes) -> str:
    return flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def _verified(
    dossier, name, *, answered_on, outcome=VerificationOutcome.IDENTITY_CONFIRMED, of, **fields
):
    person = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.UNDER_VERIFICATION,
        owner_agency=dossier.lead_agency,
        full_name=name,
        **fields,
    )
    _answer(dossier, person, answered_on=answered_on, outcome=outcome, of=of)
    return person


def _answer(dossier, person, *, answered_on, outcome=VerificationOutcome.IDENTITY_CONFIRMED, of):
    verification = subject_services.verification_request(
        actor=SYSTEM,
        dossier=dossier,
        subject=person,
        requested_by=dossier.lead_agency,
        requested_of=of,
        question="Đề nghị xác minh nhân thân, lý lịch.",
        requested_on=dossier.opened_on,
    )
    subject_services.verification_answer(
        actor=SYSTEM,
        verification=verification,
        outcome=outcome,
        answer="Đã có kết quả xác minh.",
        answered_on=answered_on,
    )


@pytest.fixture
def annexed(scene):
    """Verifications of 2010 under the scene's regulation, and the review of that year."""
    w = scene.world
    w.regulation.place = "Hà Giang"
    w.regulation.save()
    dossier = open_dossier(
        w.verification,
        w.a,
        supporting=[w.b],
        counterpart=w.f,
        classification=Classification.MAT,
        title="Xác minh nhóm người nhập cảnh trái phép",
    )
    minh = _verified(
        dossier,
        VISIBLE[0],
        native_name="王小明",
        pinyin="Wang Xiaoming",
        nationality="CN",
        birth_year=1980,
        answered_on=dt.date(2010, 4, 5),
        of=w.f,
    )
    _answer(dossier, minh, answered_on=dt.date(2010, 6, 1), of=w.b)  # a second, later answer
    mai = _verified(dossier, VISIBLE[1], birth_year=1991, answered_on=dt.date(2010, 5, 10), of=w.b)
    _verified(dossier, OUTSIDE_PERIOD, answered_on=dt.date(2011, 2, 1), of=w.f)
    _verified(
        dossier,
        NOT_CLARIFIED,
        answered_on=dt.date(2010, 7, 7),
        outcome=VerificationOutcome.NO_RECORD,
        of=w.f,
    )
    named = UserFactory(
        username="a.chuyenan",
        agency=w.a,
        unit=w.unit_a,
        role=Role.OFFICER,
        clearance=Classification.TUYET_MAT,
    )
    secret = open_dossier(
        w.verification,
        w.a,
        supporting=[w.b],
        classification=Classification.TUYET_MAT,
        title="Chuyên án xác minh",
        named_users=[named],
    )
    hidden = _verified(secret, HIDDEN, answered_on=dt.date(2010, 8, 8), of=w.b)
    review = review_services.review_open(
        actor=w.secretariat, regulation=w.regulation, date_from=FROM, date_to=TO
    )
    # A unit writes a name into its assessment: the report's body must still not show it.
    review_services.assessment_save(
        actor=SYSTEM,
        review=review,
        unit=w.unit_a,
        submit=True,
        results=f"Đã phối hợp xác minh làm rõ {VISIBLE[1]} và {VISIBLE[0]}.",
    )
    return SimpleNamespace(
        scene=scene, world=w, review=review, minh=minh, mai=mai, hidden=hidden, dossier=dossier
    )


def _post(client, review, *, purpose="review", note="", fmt="docx"):
    return client.post(
        reverse("reviews:persons-annex", args=[review.pk]),
        {"annex-purpose": purpose, "annex-note": note, "annex-format": fmt},
    )


def test_the_frozen_statistics_count_the_hidden_person_too(annexed):
    assert annexed.review.statistics["subjects_verified"] == 3


def test_the_docx_annex_names_the_visible_clarified_persons_and_the_report_body_none(
    annexed, client
):
    login(client, annexed.world.leader_a)
    response = _post(client, annexed.review, fmt="docx")
    assert response.status_code == 200, response.content[:2000]
    text = docx_text(response.content)
    for name in VISIBLE:
        assert name in text
    for name in (OUTSIDE_PERIOD, NOT_CLARIFIED, HIDDEN):
        assert name not in text
    rows = docx_rows(response.content)
    assert rows[0] == [
        "STT",
        "Họ và tên (tên gốc, phiên âm)",
        "Năm sinh",
        "Quốc tịch",
        "Cơ quan xác minh",
        "Ngày trả lời",
        "Số hồ sơ",
    ]
    # one row per person, by the earliest clarified answer in the period
    reference = annexed.dossier.reference
    assert rows[1:] == [
        [
            "1",
            "Vương Tiểu Minh (王小明 / Wang Xiaoming)",
            "1980",
            "Trung Quốc",
            "CA Văn Sơn",
            "05/04/2010",
            reference,
        ],
        ["2", "Lý Thị Mai", "1991", "Việt Nam", "Sở Ngoại vụ", "10/05/2010", reference],
    ]
    assert "Có 1 người được tính trong số liệu của kỳ không được liệt kê" in text
    assert "PHỤ LỤC" in text and "Danh sách người được trao đổi, xác minh làm rõ" in text
    assert f"Kèm theo Báo cáo số {annexed.review.pk:02d}/BC-CAT-SNgV" in text
    header = Document(io.BytesIO(response.content)).tables[0].rows[0].cells[0]
    assert "MẬT" in [p.text for p in header.paragraphs]
    # the report's body, in both formats, names none of them
    body = docx_text(report.render(annexed.review, "docx")[0])
    pdf = pdf_text(report.render(annexed.review, "pdf")[0])
    assert "[đã lược họ tên]" in body
    for name in (*VISIBLE, HIDDEN):
        assert name not in body and name not in pdf


def test_the_pdf_annex_names_the_persons_and_carries_the_mark(annexed, client):
    login(client, annexed.world.leader_a)
    response = _post(client, annexed.review, fmt="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for name in VISIBLE:
        assert name in text
    for name in (OUTSIDE_PERIOD, NOT_CLARIFIED, HIDDEN):
        assert name not in text
    first = flat(PdfReader(io.BytesIO(response.content)).pages[0].extract_text())
    assert "MẬT" in first and "PHỤ LỤC" in first
    assert "Wang Xiaoming" in text and annexed.dossier.reference in text
    # Hán tự only where the embedded serif has them; otherwise the PDF says where they are
    assert "王小明" in text or "xem bản Word (DOCX)" in text
    assert "\ufffd" not in text


def test_a_valid_download_logs_each_listed_person_with_the_purpose(annexed, client):
    leader = annexed.world.leader_a
    login(client, leader)
    response = _post(client, annexed.review, purpose="other", note="Chuẩn bị hội nghị tổng kết")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="phu-luc-nguoi-xac-minh-{annexed.review.pk}-20100101-20101231.docx"'
    )
    assert disposition.isascii()
    log = SubjectAccess.objects.filter(user=leader)
    assert {a.subject_id for a in log} == {annexed.minh.pk, annexed.mai.pk}
    assert {(a.kind, a.purpose, a.note) for a in log} == {
        (AccessKind.EXPORT, AccessPurpose.OTHER, "Chuẩn bị hội nghị tổng kết")
    }
    event = AuditEvent.objects.get(action="subject.accessed")
    assert event.changes["subjects"] == sorted([annexed.minh.pk, annexed.mai.pk])
    assert event.changes["purpose"] == "other" and event.changes["kind"] == "export"
    assert log.first().event_id == event.pk
    produced = AuditEvent.objects.get(action="review.persons_annex")
    assert produced.object_id == str(annexed.review.pk)
    assert produced.changes["listed"] == 2 and produced.changes["not_listed"] == 1


@pytest.mark.parametrize(
    ("purpose", "note", "field_error"),
    [
        ("", "", "Mục đích truy cập"),
        ("tò mò", "", "Mục đích truy cập"),
        ("other", "  ", "Ghi rõ mục đích khi chọn «Mục đích khác»."),
    ],
)
def test_an_invalid_purpose_answers_400_on_the_review_page_and_logs_nothing(
    annexed, client, purpose, note, field_error
):
    login(client, annexed.world.leader_a)
    events = AuditEvent.objects.count()
    response = _post(client, annexed.review, purpose=purpose, note=note)
    assert response.status_code == 400
    page = response.content.decode()
    assert annexed.review.title in page  # the review page, with the form open on its error
    assert "error-summary" in page and field_error in page
    assert 'id="phu-luc-han-che" open' in page
    assert not SubjectAccess.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_unknown_format_answers_400_and_logs_nothing(annexed, client):
    login(client, annexed.world.leader_a)
    assert _post(client, annexed.review, fmt="xlsx").status_code == 400
    assert not SubjectAccess.objects.exists()


@pytest.mark.parametrize("kind", ["lead", "support", "other_agency", "oversight", "admin"])
def test_who_may_not_read_the_review_or_see_a_person_gets_404(annexed, client, kind):
    """Officers do not read reviews; oversight reads them but sees no person."""
    login(client, annexed.scene.actors[kind])
    assert _post(client, annexed.review).status_code == 404
    assert client.get(reverse("reviews:persons-annex", args=[annexed.review.pk])).status_code == 404
    assert not SubjectAccess.objects.exists()


def test_oversight_reads_the_review_page_without_the_annex_form(annexed, client):
    login(client, annexed.world.oversight)
    page = client.get(annexed.review.get_absolute_url())
    assert page.status_code == 200
    assert reverse("reviews:persons-annex", args=[annexed.review.pk]) not in page.content.decode()


def test_the_leader_and_the_secretariat_see_the_annex_form(annexed, client):
    url = reverse("reviews:persons-annex", args=[annexed.review.pk])
    for user in (annexed.world.leader_a, annexed.world.secretariat):
        login(client, user)
        page = client.get(annexed.review.get_absolute_url()).content.decode()
        assert url in page and 'name="annex-purpose"' in page and 'name="annex-format"' in page
        assert "Phụ lục hạn chế" in page
        assert "<script>" not in page  # no inline script (CSP)
    login(client, annexed.world.secretariat)
    response = _post(client, annexed.review)
    assert response.status_code == 200
    # the secretariat (Mật clearance) sees the same two persons
    assert {a.subject_id for a in SubjectAccess.objects.all()} == {
        annexed.minh.pk,
        annexed.mai.pk,
    }


def test_a_missing_review_answers_404(annexed, client):
    login(client, annexed.world.leader_a)
    missing = annexed.review.pk + 1000
    assert _post(client, SimpleNamespace(pk=missing)).status_code == 404


def test_a_named_reader_of_the_tuyet_mat_dossier_sees_its_person_and_the_higher_mark(annexed):
    w = annexed.world
    chief = UserFactory(
        username="a.giamdoc",
        agency=w.a,
        unit=w.unit_a,
        role=Role.LEADER,
        clearance=Classification.TUYET_MAT,
    )
    annexed.hidden.verifications.first().dossier.named_users.add(chief)
    doc = annex.build_persons_annex(annexed.review, chief)
    assert doc.classification == "TUYỆT MẬT"
    table = next(b for b in doc.body if isinstance(b, report.Table))
    assert [r[1].split(" (")[0] for r in table.rows] == [VISIBLE[0], VISIBLE[1], HIDDEN]
    assert not any("không được liệt kê" in getattr(b, "text", "") for b in doc.body)


def test_a_period_without_verified_persons_says_so(annexed, client):
    empty = review_services.review_open(
        actor=annexed.world.secretariat,
        regulation=annexed.world.regulation,
        date_from=dt.date(2005, 1, 1),
        date_to=dt.date(2005, 12, 31),
    )
    doc = annex.build_persons_annex(empty, annexed.world.leader_a)
    assert doc.classification == "MẬT"
    assert not any(isinstance(b, report.Table) for b in doc.body)
    login(client, annexed.world.leader_a)
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        response = _post(client, empty, fmt=fmt)
        assert response.status_code == 200
        assert "không có người nào được trao đổi, xác minh làm rõ" in read(response.content)
    assert not SubjectAccess.objects.exists()  # nobody listed, nobody's data read


def test_more_persons_than_the_cap_are_refused_with_a_message(annexed, client, monkeypatch):
    monkeypatch.setattr(annex, "LIMIT", 1)
    login(client, annexed.world.leader_a)
    response = _post(client, annexed.review)
    assert response.status_code == 400
    assert "vượt giới hạn 1 người" in response.content.decode()
    assert not SubjectAccess.objects.exists()
    with pytest.raises(annex.AnnexTooLarge):
        annex.build_persons_annex(annexed.review, annexed.world.leader_a)


def test_the_cap_is_the_persons_export_cap():
    from phoihop.subjects.views import EXPORT_LIMIT

    assert annex.LIMIT == EXPORT_LIMIT


def test_the_annex_is_queried_in_a_fixed_number_of_queries(annexed):
    leader = annexed.world.leader_a
    annex.build_persons_annex(annexed.review, leader)  # warm up (fonts)
    with CaptureQueriesContext(connection) as two:
        annex.build_persons_annex(annexed.review, leader)
    for i in range(5):
        _verified(
            annexed.dossier,
            f"Lò Văn Sáng {i}",
            answered_on=dt.date(2010, 9, 1 + i),
            of=annexed.world.f,
        )
    with CaptureQueriesContext(connection) as seven:
        doc = annex.build_persons_annex(annexed.review, leader)
    table = next(b for b in doc.body if isinstance(b, report.Table))
    assert len(table.rows) == 7
    assert len(seven) == len(two) <= 4, [q["sql"] for q in seven.captured_queries]


def test_the_pdf_model_leaves_out_a_script_its_font_cannot_draw(annexed):
    leader = annexed.world.leader_a
    docx_doc = annex.build_persons_annex(annexed.review, leader)
    pdf_doc = annex.build_persons_annex(annexed.review, leader, for_pdf=True)
    name = next(b for b in docx_doc.body if isinstance(b, report.Table)).rows[0][1]
    assert name == "Vương Tiểu Minh (王小明 / Wang Xiaoming)"
    pdf_name = next(b for b in pdf_doc.body if isinstance(b, report.Table)).rows[0][1]
    notes = " ".join(b.text for b in pdf_doc.annex)
    if annex._pdf_draws("王小明"):
        assert pdf_name == name
    else:
        assert pdf_name == "Vương Tiểu Minh (Wang Xiaoming)"
        assert "xem bản Word (DOCX)" in notes
    assert "xem bản Word (DOCX)" not in " ".join(b.text for b in docx_doc.annex)


def test_a_change_after_the_figures_were_frozen_is_said(annexed):
    _verified(annexed.dossier, "Lò Thị Hoa", answered_on=dt.date(2010, 10, 10), of=annexed.world.b)
    doc = annex.build_persons_annex(annexed.review, annexed.world.leader_a)
    text = " ".join(b.text for b in doc.body if isinstance(b, report.Para))
    assert "Số liệu đã chốt của đợt ghi 3 người; dữ liệu hiện tại có 4 người" in text
    assert "danh sách dưới đây gồm 3 người" in text


def test_the_annex_carries_the_reviews_level_when_it_is_higher(annexed):
    review = annexed.review
    review.classification = Classification.TOI_MAT
    review.save(update_fields=["classification"])
    doc = annex.build_persons_annex(review, annexed.world.leader_a)  # cleared for Tối mật
    assert doc.classification == "TỐI MẬT"
