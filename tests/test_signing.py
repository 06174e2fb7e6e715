"""PAdES signing of regulation PDFs: two heads sign in turn, verification, refusals.

The doubly signed file is also checked with poppler's `pdfsig` (apt package
poppler-utils), trusting the demo CA through an NSS database made with `certutil`
(apt package libnss3-tools). Both tools are required: a missing one fails the test
with the package to install, it does not skip.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from phoihop.regulations import signing
from phoihop.regulations.signing import (
    SignatureCoverage,
    SigningError,
    create_demo_ca,
    issue_certificate,
    load_pkcs12,
    sign_pdf,
    verify_pdf,
)

POLICE_HEAD = "Nguyễn Văn Hùng"
POLICE_TITLE = "GIÁM ĐỐC CÔNG AN TỈNH"
POLICE = "Công an tỉnh Hà Giang"
FOREIGN_AFFAIRS_HEAD = "Trần Thị Lan"
FOREIGN_AFFAIRS_TITLE = "GIÁM ĐỐC SỞ NGOẠI VỤ"
FOREIGN_AFFAIRS = "Sở Ngoại vụ tỉnh Hà Giang"
TAMPER_MARK = b"(So vu an da pha: 21) Tj"  # an ASCII line in an uncompressed content stream

NOW = datetime.now(UTC).replace(microsecond=0)
SIGNED_AT_1 = NOW - timedelta(hours=2)
SIGNED_AT_2 = NOW - timedelta(hours=1)


def _regulation_pdf() -> bytes:
    font_path = signing._unicode_font()
    assert font_path, "no TrueType font with Vietnamese letters found: install fonts-dejavu-core"
    pdfmetrics.registerFont(TTFont("TestVietnamese", font_path))
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    page.setFont("TestVietnamese", 14)
    page.drawString(72, 780, "QUY CHẾ PHỐI HỢP")
    page.setFont("TestVietnamese", 11)
    page.drawString(72, 755, "giữa Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang")
    page.drawString(
        72, 730, "Điều 1. Phạm vi điều chỉnh: quản lý, bảo vệ an ninh hoạt động đối ngoại."
    )
    page.setFont("Helvetica", 11)
    page.drawString(72, 705, "So vu an da pha: 21")
    page.showPage()
    page.setFont("TestVietnamese", 11)
    page.drawString(72, 780, "Điều 2. Hiệu lực thi hành.")
    page.showPage()
    page.save()
    data = buffer.getvalue()
    assert TAMPER_MARK in data
    return data


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return _regulation_pdf()


@pytest.fixture(scope="module")
def ca():
    return create_demo_ca("CA Thử nghiệm Hà Giang", "Ban Cơ yếu (thử nghiệm)")


PASSWORD = "mat-khau"


def _certificate(ca, name, title, organization, *, start=None, end=None):
    return issue_certificate(
        ca,
        common_name=name,
        title=title,
        organization=organization,
        email="lanhdao@hagiang.gov.vn",
        valid_from=start or NOW - timedelta(days=30),
        valid_to=end or NOW + timedelta(days=365),
        password=PASSWORD,
    )


@pytest.fixture(scope="module")
def police_p12(ca):
    return _certificate(ca, POLICE_HEAD, POLICE_TITLE, POLICE)


@pytest.fixture(scope="module")
def foreign_affairs_p12(ca):
    return _certificate(ca, FOREIGN_AFFAIRS_HEAD, FOREIGN_AFFAIRS_TITLE, FOREIGN_AFFAIRS)


def _sign(pdf, p12, field, when, **kwargs):
    return sign_pdf(
        pdf,
        pkcs12=p12,
        password=kwargs.pop("password", PASSWORD),
        field_name=field,
        reason="Ký ban hành Quy chế phối hợp",
        location="Hà Giang",
        signing_time=when,
        **kwargs,
    )


@pytest.fixture(scope="module")
def once_signed(pdf, police_p12):
    return _sign(pdf, police_p12, "KyCongAn", SIGNED_AT_1)


@pytest.fixture(scope="module")
def twice_signed(once_signed, foreign_affairs_p12):
    return _sign(once_signed, foreign_affairs_p12, "KySoNgoaiVu", SIGNED_AT_2)


def test_two_heads_sign_in_turn_and_both_signatures_verify(pdf, once_signed, twice_signed, ca):
    # incremental updates: each signed file starts with the previous one, byte for byte
    assert once_signed.startswith(pdf)
    assert twice_signed.startswith(once_signed)

    first, second = verify_pdf(twice_signed, trust_roots=[ca.certificate_der()])

    assert (first.field_name, second.field_name) == ("KyCongAn", "KySoNgoaiVu")
    assert (first.signer_common_name, first.signer_title, first.organization) == (
        POLICE_HEAD,
        POLICE_TITLE,
        POLICE,
    )
    assert second.signer_common_name == FOREIGN_AFFAIRS_HEAD
    assert first.signing_time == SIGNED_AT_1
    assert second.signing_time == SIGNED_AT_2
    for report in (first, second):
        assert report.intact and report.trusted and report.ok, report.problems
        assert report.problems == []
        assert report.issuer == "CN=CA Thử nghiệm Hà Giang, O=Ban Cơ yếu (thử nghiệm), C=VN"
        assert report.summary.startswith("Chữ ký hợp lệ: ")
    # the second signature is an allowed update for the first; nothing follows the second
    assert first.coverage == SignatureCoverage.INCREMENTAL
    assert second.coverage == SignatureCoverage.WHOLE
    assert f"CN={POLICE_HEAD}, T={POLICE_TITLE}, O={POLICE}" in first.subject
    assert first.valid_from <= SIGNED_AT_1 <= first.valid_to
    assert int(first.serial, 16) > 0


def test_pem_roots_are_accepted_and_the_first_signature_alone_covers_the_whole_file(
    once_signed, ca
):
    (report,) = verify_pdf(once_signed, trust_roots=[ca.certificate_pem()])

    assert report.ok
    assert report.coverage == SignatureCoverage.WHOLE
    assert "Hà Giang" in report.summary


def _require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` not found: install the apt package {package} (CI needs it)")
    return path


def _pdfsig(pdf_path, nss_dir) -> str:
    # pdfsig's OCSP check stays on: with -no-ocsp, poppler 22.12 reports "Unknown issue
    # with Certificate" even for a trusted chain. Our certificates name no OCSP
    # responder, so nothing is fetched.
    result = subprocess.run(
        [_require_tool("pdfsig", "poppler-utils"), "-nssdir", f"sql:{nss_dir}", str(pdf_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _nss_database(directory, root_pem: bytes | None):
    certutil = _require_tool("certutil", "libnss3-tools")
    directory.mkdir()
    subprocess.run(
        [certutil, "-N", "-d", f"sql:{directory}", "--empty-password"], check=True, timeout=60
    )
    if root_pem is not None:
        root_file = directory / "root.pem"
        root_file.write_bytes(root_pem)
        add = ["-A", "-n", "demo-ca", "-t", "CT,C,C", "-i", str(root_file)]
        subprocess.run(
            [certutil, "-d", f"sql:{directory}", *add],
            check=True,
            timeout=60,
        )
    return directory


def test_pdfsig_reports_both_signatures_valid_and_trusted(twice_signed, ca, tmp_path):
    signed_file = tmp_path / "quy-che.pdf"
    signed_file.write_bytes(twice_signed)

    trusting = _pdfsig(signed_file, _nss_database(tmp_path / "trusting", ca.certificate_pem()))

    assert trusting.count("Signature is Valid.") == 2, trusting
    assert trusting.count("Certificate is Trusted.") == 2, trusting
    assert "Signature Field Name: KyCongAn" in trusting
    assert "Signature Field Name: KySoNgoaiVu" in trusting
    assert f"Signer Certificate Common Name: {POLICE_HEAD}" in trusting
    assert f"Signer Certificate Common Name: {FOREIGN_AFFAIRS_HEAD}" in trusting
    assert trusting.count("Signature Type: ETSI.CAdES.detached") == 2  # PAdES
    assert "Not total document signed" in trusting  # the first, followed by the second
    assert "Total document signed" in trusting

    # Without the root the signatures are still cryptographically valid, but untrusted.
    stranger = _pdfsig(signed_file, _nss_database(tmp_path / "empty", None))
    assert stranger.count("Signature is Valid.") == 2, stranger
    assert "Certificate is Trusted." not in stranger


def test_changing_bytes_inside_the_signed_range_breaks_integrity(twice_signed, ca):
    tampered = twice_signed.replace(TAMPER_MARK, TAMPER_MARK.replace(b"21", b"99"))
    assert tampered != twice_signed and len(tampered) == len(twice_signed)

    reports = verify_pdf(tampered, trust_roots=[ca.certificate_der()])

    assert len(reports) == 2
    for report in reports:
        assert not report.intact
        assert not report.ok
        assert report.problems[0].startswith("Nội dung được ký đã bị thay đổi")
        assert report.summary.startswith("Chữ ký KHÔNG hợp lệ")


def test_incremental_update_changing_page_content_is_reported_as_modified(twice_signed, ca):
    writer = IncrementalPdfFileWriter(BytesIO(twice_signed))
    first_page = writer.root["/Pages"]["/Kids"][0].get_object()
    content = first_page["/Contents"].data.replace(b"da pha: 21", b"da pha: 99")
    first_page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=content))
    writer.update_container(first_page)
    out = BytesIO()
    writer.write(out)

    first, second = verify_pdf(out.getvalue(), trust_roots=[ca.certificate_der()])

    for report in (first, second):
        # the signed bytes are untouched, but what follows them is not allowed
        assert report.intact
        assert report.coverage == SignatureCoverage.MODIFIED
        assert not report.ok
        (problem,) = report.problems
        assert problem.startswith("Tệp đã bị sửa sau khi ký: ")
        assert "nội dung trang 1" in problem
    # the first signature's report tells the legitimate later signature apart
    assert "chữ ký “KySoNgoaiVu”" in first.problems[0]


def test_wrong_password_is_refused_in_vietnamese(pdf, police_p12):
    with pytest.raises(SigningError, match="Mật khẩu của tệp chứng thư số không đúng"):
        _sign(pdf, police_p12, "KyCongAn", SIGNED_AT_1, password="sai-mat-khau")
    with pytest.raises(SigningError, match="Mật khẩu"):
        load_pkcs12(police_p12, "sai-mat-khau")


def test_a_file_that_is_not_pkcs12_is_refused(pdf):
    with pytest.raises(SigningError, match="không phải định dạng PKCS#12"):
        load_pkcs12(b"-----BEGIN CERTIFICATE-----\nabc\n", PASSWORD)
    with pytest.raises(SigningError, match="không phải định dạng PKCS#12"):
        _sign(pdf, pdf, "KyCongAn", SIGNED_AT_1)


def test_an_expired_certificate_cannot_sign(pdf, ca):
    expired = _certificate(
        ca,
        POLICE_HEAD,
        POLICE_TITLE,
        POLICE,
        start=NOW - timedelta(days=400),
        end=NOW - timedelta(days=1),
    )

    with pytest.raises(SigningError, match=f"Chứng thư số của {POLICE_HEAD} đã hết hạn"):
        _sign(pdf, expired, "KyCongAn", NOW)


def test_a_certificate_not_yet_valid_cannot_sign(pdf, ca):
    future = _certificate(
        ca,
        POLICE_HEAD,
        POLICE_TITLE,
        POLICE,
        start=NOW + timedelta(days=1),
        end=NOW + timedelta(days=400),
    )

    with pytest.raises(SigningError, match="chưa có hiệu lực"):
        _sign(pdf, future, "KyCongAn", NOW)


def test_the_expected_signer_check_refuses_someone_else(pdf, foreign_affairs_p12):
    seen = []

    def only_police_head(info):
        seen.append(info)
        return info.organization == POLICE and info.title == POLICE_TITLE

    with pytest.raises(SigningError, match="không phải của người có thẩm quyền ký"):
        _sign(pdf, foreign_affairs_p12, "KyCongAn", SIGNED_AT_1, expected_signer=only_police_head)
    assert seen[0].common_name == FOREIGN_AFFAIRS_HEAD

    def refuse_with_reason(info):
        raise SigningError(f"{info.common_name} không phải Giám đốc Công an tỉnh.")

    with pytest.raises(SigningError, match="không phải Giám đốc Công an tỉnh"):
        _sign(pdf, foreign_affairs_p12, "KyCongAn", SIGNED_AT_1, expected_signer=refuse_with_reason)


def test_the_expected_signer_check_lets_the_right_head_sign(pdf, police_p12, ca):
    signed = _sign(
        pdf,
        police_p12,
        "KyCongAn",
        SIGNED_AT_1,
        expected_signer=lambda info: info.title == POLICE_TITLE,
        visible=False,
    )

    (report,) = verify_pdf(signed, trust_roots=[ca.certificate_der()])
    assert report.ok


def test_a_signed_field_cannot_be_signed_again(once_signed, foreign_affairs_p12):
    with pytest.raises(SigningError, match="“KyCongAn” đã được ký"):
        _sign(once_signed, foreign_affairs_p12, "KyCongAn", SIGNED_AT_2)


def test_input_that_is_not_a_pdf_is_refused(police_p12, ca):
    docx_like = b"PK\x03\x04" + b"\x00" * 64
    with pytest.raises(SigningError, match="Tệp không phải là PDF"):
        _sign(docx_like, police_p12, "KyCongAn", SIGNED_AT_1)
    with pytest.raises(SigningError, match="Tệp không phải là PDF"):
        verify_pdf(docx_like, trust_roots=[ca.certificate_der()])
    with pytest.raises(SigningError, match="Tệp PDF bị hỏng"):
        verify_pdf(b"%PDF-1.7\nnot really\n", trust_roots=[ca.certificate_der()])


def test_a_pdf_without_signatures_has_no_reports(pdf, ca):
    assert verify_pdf(pdf, trust_roots=[ca.certificate_der()]) == []


def test_a_signature_from_another_ca_is_intact_but_untrusted(twice_signed):
    other_root = create_demo_ca("CA khác", "Tổ chức khác").certificate_der()

    reports = verify_pdf(twice_signed, trust_roots=[other_root])

    for report in reports:
        assert report.intact and not report.trusted and not report.ok
        assert report.problems == [
            "Chứng thư số không do tổ chức chứng thực tin cậy cấp (không lập được chuỗi tới CA gốc)."
        ]


def test_a_bb_signature_is_trusted_only_while_the_certificate_is_valid(twice_signed, ca):
    # B-B has no trusted timestamp, so nothing proves the signature predates expiry.
    later, _second = verify_pdf(
        twice_signed,
        trust_roots=[ca.certificate_der()],
        validation_time=NOW + timedelta(days=400),
    )
    earlier, _second = verify_pdf(
        twice_signed,
        trust_roots=[ca.certificate_der()],
        validation_time=NOW - timedelta(days=60),
    )

    assert later.intact and not later.trusted
    assert later.problems[0].startswith("Chứng thư số đã hết hạn từ ")
    assert earlier.intact and not earlier.trusted
    assert earlier.problems[0].startswith("Chứng thư số chỉ có hiệu lực từ ")


def test_vietnamese_subject_survives_the_round_trip(police_p12, ca):
    decomposed = unicodedata.normalize("NFD", POLICE_HEAD)
    assert decomposed != POLICE_HEAD  # the comparison below is not trivially true

    info = load_pkcs12(police_p12, PASSWORD).info

    assert info.common_name == POLICE_HEAD
    assert info.title == POLICE_TITLE
    assert info.organization == POLICE
    assert info.email == "lanhdao@hagiang.gov.vn"
    assert info.subject == (
        f"E=lanhdao@hagiang.gov.vn, CN={POLICE_HEAD}, T={POLICE_TITLE}, O={POLICE}, C=VN"
    )
    assert info.issuer == "CN=CA Thử nghiệm Hà Giang, O=Ban Cơ yếu (thử nghiệm), C=VN"
    assert load_pkcs12(police_p12, PASSWORD).chain == (ca.certificate,)
