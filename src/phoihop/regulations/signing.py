"""PAdES signatures on regulation PDFs, with pyHanko; no database access.

Each party's head signs the same PDF in turn, in their own signature field, as an
incremental update, so the earlier signatures stay valid. Signatures are PAdES
baseline B-B: the intranet has no time-stamping authority, so the signing time is
the one the signer's software declares (the /M entry of the signature dictionary,
which the signature covers), not a trusted time.

The certificates come from PKCS#12 files. `create_demo_ca` and `issue_certificate`
make a small CA for the demo and the tests; in production the agencies use the
certificates of their own CA (e.g. the Government Cipher Committee's), and the
verifier is given that CA's root.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils import misc as pdf_misc
from pyhanko.pdf_utils import reader as pdf_reader
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.generic import ArrayObject, Reference
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from phoihop.core.exceptions import ServiceError

__all__ = [
    "CertBundle",
    "CertificateInfo",
    "SignatureCoverage",
    "SignatureReport",
    "SigningError",
    "create_demo_ca",
    "issue_certificate",
    "load_pkcs12",
    "sign_pdf",
    "verify_pdf",
]

# Vietnam keeps UTC+7 all year, so a fixed offset is exact and needs no tz database.
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

# RFC 9336 id-kp-documentSigning; emailProtection too, because NSS (and so
# poppler's pdfsig) checks signer certificates for the e-mail signing purpose.
_EKU_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_STAMP_SIZE = (250, 72)  # points
_STAMP_MARGIN = 36
_STAMP_GAP = 10
_STAMP_FONT_NAME = "PhoihopSignatureStamp"
_UNICODE_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Arial.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


class SigningError(ServiceError):
    """Signing or verification refused; the message says why, in Vietnamese."""


class SignatureCoverage(models.TextChoices):
    """How much of the file a signature vouches for."""

    WHOLE = "whole", gettext_lazy("Toàn bộ tài liệu")
    INCREMENTAL = "incremental", gettext_lazy("Sau đó chỉ có cập nhật được phép (chữ ký khác)")
    MODIFIED = "modified", gettext_lazy("Tài liệu bị sửa sau khi ký")


# --- certificates ----------------------------------------------------------------------------

_NAME_LABELS = {
    NameOID.COMMON_NAME: "CN",
    NameOID.TITLE: "T",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "E",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
}


def _readable_name(name: x509.Name) -> str:
    """`CN=…, T=…, O=…, C=VN`: most specific first, Unicode kept as is (unlike RFC 4514)."""
    parts = []
    for rdn in reversed(name.rdns):
        for attribute in rdn:
            label = _NAME_LABELS.get(attribute.oid, attribute.oid.dotted_string)
            parts.append(f"{label}={attribute.value}")
    return ", ".join(parts)


def _name_value(name: x509.Name, oid: ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


@dataclass(frozen=True)
class CertificateInfo:
    """What a person reads on a certificate; `expected_signer` callbacks receive one."""

    common_name: str
    title: str
    organization: str
    email: str
    subject: str
    issuer: str
    serial: str  # upper-case hex, as certificate viewers show it
    valid_from: datetime
    valid_to: datetime
    fingerprint_sha256: str
    certificate: x509.Certificate = field(repr=False, compare=False)

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate) -> CertificateInfo:
        subject = certificate.subject
        email = _name_value(subject, NameOID.EMAIL_ADDRESS)
        if not email:
            try:
                san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
                emails = san.value.get_values_for_type(x509.RFC822Name)
                email = emails[0] if emails else ""
            except x509.ExtensionNotFound:
                email = ""
        return cls(
            common_name=_name_value(subject, NameOID.COMMON_NAME),
            title=_name_value(subject, NameOID.TITLE),
            organization=_name_value(subject, NameOID.ORGANIZATION_NAME),
            email=email,
            subject=_readable_name(subject),
            issuer=_readable_name(certificate.issuer),
            serial=f"{certificate.serial_number:X}",
            valid_from=certificate.not_valid_before_utc,
            valid_to=certificate.not_valid_after_utc,
            fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex().upper(),
            certificate=certificate,
        )

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment <= self.valid_to


@dataclass(frozen=True)
class CertBundle:
    """A certificate with its private key and the chain above it (CA first-level up)."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def info(self) -> CertificateInfo:
        return CertificateInfo.from_certificate(self.certificate)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def to_pkcs12(self, password: str) -> bytes:
        """The bundle as a password-protected PKCS#12 file (AES-256, PBKDF2)."""
        if not password:
            raise ValueError("a PKCS#12 file needs a password")
        return pkcs12.serialize_key_and_certificates(
            name=_name_value(self.certificate.subject, NameOID.COMMON_NAME).encode(),
            key=self.private_key,
            cert=self.certificate,
            cas=list(self.chain) or None,
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(UTC)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def create_demo_ca(
    common_name: str,
    organization: str,
    *,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> CertBundle:
    """A self-signed root CA for the demo and the tests (RSA 2048, 20 years by default)."""
    now = datetime.now(UTC)
    valid_from = _aware(valid_from, "valid_from") if valid_from else now - timedelta(days=1)
    valid_to = _aware(valid_to, "valid_to") if valid_to else now + timedelta(days=365 * 20)
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertBundle(certificate=certificate, private_key=key)


def issue_certificate(
    ca: CertBundle,
    *,
    common_name: str,
    title: str,
    organization: str,
    email: str | None = None,
    valid_from: datetime,
    valid_to: datetime,
    password: str,
) -> bytes:
    """A signing certificate for one person, issued by `ca`, as PKCS#12 (key, cert, chain).

    The subject carries the person's name (CN), their position (title, 2.5.4.12) and
    their agency (O), as UTF8String so Vietnamese survives.
    """
    valid_from = _aware(valid_from, "valid_from")
    valid_to = _aware(valid_to, "valid_to")
    if valid_to <= valid_from:
        raise ValueError("valid_to must be after valid_from")
    key = _new_key()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.TITLE, title),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([_EKU_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.certificate.public_key()),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    certificate = builder.sign(ca.private_key, hashes.SHA256())
    bundle = CertBundle(certificate=certificate, private_key=key, chain=(ca.certificate, *ca.chain))
    return bundle.to_pkcs12(password)


def _looks_like_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
            "data",
            "signed_data",
        )
    except (ValueError, TypeError, KeyError):
        return False


def load_pkcs12(data: bytes, password: str) -> CertBundle:
    """The key, certificate and chain in a PKCS#12 file, or SigningError saying what is wrong."""
    if not data or not _looks_like_pkcs12(bytes(data)):
        raise SigningError(_("Tệp chứng thư số không phải định dạng PKCS#12 (.p12/.pfx)."))
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            bytes(data), password.encode() if password else None
        )
    except ValueError:
        raise SigningError(
            _("Mật khẩu của tệp chứng thư số không đúng, hoặc tệp đã bị hỏng.")
        ) from None
    if key is None or certificate is None:
        raise SigningError(_("Tệp PKCS#12 không chứa đủ khóa bí mật và chứng thư số."))
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError(_("Chỉ hỗ trợ chứng thư số dùng khóa RSA hoặc ECDSA."))
    return CertBundle(certificate=certificate, private_key=key, chain=tuple(chain))


def _load_certificate(data: bytes) -> x509.Certificate:
    data = bytes(data)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise SigningError(_("Chứng thư gốc tin cậy không đọc được (cần DER hoặc PEM).")) from None


def _to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


# --- reading PDFs ----------------------------------------------------------------------------


def _require_pdf(pdf: bytes) -> bytes:
    data = bytes(pdf or b"")
    # The header may legally follow some junk, but within the first kilobyte.
    if b"%PDF-" not in data[:1024]:
        raise SigningError(_("Tệp không phải là PDF."))
    return data


# What pyHanko raises on malformed input, beyond its own PdfError.
_PDF_ERRORS = (pdf_misc.PdfError, ValueError, KeyError, IndexError, TypeError)


def _open_reader(data: bytes) -> pdf_reader.PdfFileReader:
    # Strict mode (pyHanko's default) refuses hybrid-reference files, whose content can
    # differ between readers; we sign and verify the same way so what we sign verifies.
    try:
        reader = pdf_reader.PdfFileReader(BytesIO(data))
        reader.root  # noqa: B018 (forces the catalogue to be read)
    except _PDF_ERRORS as exc:
        raise SigningError(
            _("Tệp PDF bị hỏng, không đọc được: %(detail)s") % {"detail": exc}
        ) from exc
    if reader.encrypted:
        raise SigningError(_("Tệp PDF được mã hóa bằng mật khẩu; hãy dùng bản không mã hóa."))
    return reader


def _page_refs(reader: pdf_reader.PdfFileReader) -> list[tuple[Reference, set[Reference]]]:
    """Each page's object reference with the references of its content streams, in order."""
    pages: list[tuple[Reference, set[Reference]]] = []

    def walk(node_ref, depth=0):
        if depth > 64:
            return
        node = node_ref.get_object()
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node.raw_get("/Kids"):
                walk(kid, depth + 1)
            return
        contents = node.raw_get("/Contents") if "/Contents" in node else None
        content_refs: set[Reference] = set()
        if isinstance(contents, ArrayObject):
            content_refs = {c.reference for c in contents if hasattr(c, "reference")}
        elif contents is not None:
            if hasattr(contents, "reference"):
                content_refs.add(contents.reference)
            array = contents.get_object()
            if isinstance(array, ArrayObject):
                content_refs |= {c.reference for c in array if hasattr(c, "reference")}
        pages.append((node_ref.reference, content_refs))

    try:
        walk(reader.root.raw_get("/Pages"))
    except _PDF_ERRORS:
        return pages
    return pages


# --- signing ---------------------------------------------------------------------------------


def _unicode_font() -> str | None:
    return next((p for p in _UNICODE_FONT_CANDIDATES if Path(p).is_file()), None)


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn" and ord(ch) < 128)


def _stamp_pdf(lines: list[str], size: tuple[int, int]) -> bytes:
    """A one-page PDF the size of the stamp, drawn with reportlab (which shapes Vietnamese)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font_path = _unicode_font()
    if font_path:
        if _STAMP_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(_STAMP_FONT_NAME, font_path))
        font = _STAMP_FONT_NAME
    else:
        # No font with Vietnamese letters: an unaccented stamp beats missing glyphs.
        font, lines = "Helvetica", [_ascii(line) for line in lines]
    width, height = size
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    page.setStrokeColorRGB(0.75, 0.1, 0.1)
    page.setFillColorRGB(0.75, 0.1, 0.1)
    page.setLineWidth(1.2)
    page.rect(1, 1, width - 2, height - 2)
    font_size = 8.0
    widest = max(pdfmetrics.stringWidth(line, font, font_size) for line in lines)
    if widest > width - 10:
        font_size = max(5.0, font_size * (width - 10) / widest)
    leading = font_size * 1.25
    y = height - 6 - font_size
    for line in lines:
        page.setFont(font, font_size)
        page.drawString(5, y, line)
        y -= leading
    page.showPage()
    page.save()
    return buffer.getvalue()


class _PdfSignerAt(signers.PdfSigner):
    """PdfSigner that puts a chosen time in /M instead of the clock's.

    pyHanko takes the session's `system_time` from the clock and offers no argument
    for it; the caller records the moment it decided to sign, and we want the same
    moment in the PDF.
    """

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _signature_field_names(reader) -> dict[str, bool]:
    """Signature field name → already signed."""
    try:
        return {
            name: value is not None for name, value, _ref in sig_fields.enumerate_sig_fields(reader)
        }
    except _PDF_ERRORS:
        return {}


def _stamp_box(writer: IncrementalPdfFileWriter, index: int) -> tuple[int, int, int, int]:
    """The `index`-th stamp slot at the bottom of the last page: left to right, bottom up."""
    last = writer.root["/Pages"]["/Count"] - 1
    page = writer.find_page_for_modification(last)[0].get_object()
    mediabox = [float(v) for v in page.get("/MediaBox", (0, 0, 595, 842))]
    page_left, page_bottom, page_right = mediabox[0], mediabox[1], mediabox[2]
    width, height = _STAMP_SIZE
    per_row = max(
        1, int((page_right - page_left - 2 * _STAMP_MARGIN + _STAMP_GAP) // (width + _STAMP_GAP))
    )
    row, col = divmod(index, per_row)
    x = int(page_left + _STAMP_MARGIN + col * (width + _STAMP_GAP))
    y = int(page_bottom + _STAMP_MARGIN + row * (height + _STAMP_GAP))
    return (x, y, x + width, y + height)


def sign_pdf(
    pdf: bytes,
    *,
    pkcs12: bytes,
    password: str,
    field_name: str,
    reason: str,
    location: str,
    signing_time: datetime | None = None,
    expected_signer: Callable[[CertificateInfo], bool | None] | None = None,
    visible: bool = True,
) -> bytes:
    """`pdf` with one more PAdES B-B signature, added as an incremental update.

    The field `field_name` is used if it exists and is empty, otherwise created; when
    `visible`, it shows a stamp (signer, position, agency, time) at the bottom of the
    last page, next to the earlier ones. `expected_signer` receives the certificate's
    `CertificateInfo` and refuses it by returning False or raising SigningError.
    """
    data = _require_pdf(pdf)
    if not field_name or "." in field_name:
        raise SigningError(_("Tên ô chữ ký không hợp lệ."))
    bundle = load_pkcs12(pkcs12, password)
    info = bundle.info
    moment = _aware(signing_time, "signing_time") if signing_time else datetime.now(UTC)
    moment = moment.replace(microsecond=0)  # /M keeps whole seconds
    if moment < info.valid_from:
        raise SigningError(
            _("Chứng thư số của %(name)s chưa có hiệu lực: có hiệu lực từ %(start)s.")
            % {"name": info.common_name, "start": _format_time(info.valid_from)}
        )
    if moment > info.valid_to:
        raise SigningError(
            _("Chứng thư số của %(name)s đã hết hạn từ %(end)s.")
            % {"name": info.common_name, "end": _format_time(info.valid_to)}
        )
    if expected_signer is not None and expected_signer(info) is False:
        raise SigningError(
            _(
                "Chứng thư số của %(name)s (%(title)s, %(org)s) không phải của người có thẩm quyền ký."
            )
            % {"name": info.common_name, "title": info.title, "org": info.organization}
        )

    reader = _open_reader(data)
    existing = _signature_field_names(reader)
    if existing.get(field_name):
        raise SigningError(_("Ô chữ ký “%(field)s” đã được ký.") % {"field": field_name})
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data))
    except _PDF_ERRORS as exc:
        raise SigningError(
            _("Tệp PDF bị hỏng, không đọc được: %(detail)s") % {"detail": exc}
        ) from exc

    signer = signers.SimpleSigner(
        signing_cert=_to_asn1(bundle.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            bundle.private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(c) for c in bundle.chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=info.common_name,
        md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES,
    )
    with tempfile.TemporaryDirectory(prefix="phoihop-sign-") as tmp:
        stamp_path = Path(tmp) / "stamp.pdf"
        stamp_path.write_bytes(_stamp_pdf(_stamp_lines(info, moment), _STAMP_SIZE))
        # Also used for a visible field prepared in advance (scaled to its box), so
        # pyHanko's default stamp, whose font has no Vietnamese letters, never shows.
        stamp_style = StaticStampStyle(
            background=ImportedPdfPage(str(stamp_path)),
            border_width=0,
            background_layout=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MID,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins.uniform(0),
            ),
        )
        new_field_spec = None
        try:
            if field_name not in existing:
                new_field_spec = sig_fields.SigFieldSpec(
                    sig_field_name=field_name,
                    on_page=writer.root["/Pages"]["/Count"] - 1,
                    box=_stamp_box(writer, len(existing)) if visible else None,
                )
            pdf_signer = _PdfSignerAt(
                meta,
                signer,
                stamp_style=stamp_style,
                new_field_spec=new_field_spec,
                signing_time=moment.astimezone(VIETNAM_TIME),
            )
            output = pdf_signer.sign_pdf(writer)
        except PyhankoSigningError as exc:
            raise SigningError(_("Không ký được tệp PDF: %(detail)s") % {"detail": exc}) from exc
        except _PDF_ERRORS as exc:
            raise SigningError(
                _("Tệp PDF bị hỏng, không ký được: %(detail)s") % {"detail": exc}
            ) from exc
    return output.getvalue()


def _format_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME).strftime("%H:%M:%S %d/%m/%Y")


def _stamp_lines(info: CertificateInfo, moment: datetime) -> list[str]:
    lines = [_("Ký bởi: %(name)s") % {"name": info.common_name}]
    if info.title:
        lines.append(info.title)
    if info.organization:
        lines.append(info.organization)
    lines.append(_("Thời gian ký: %(time)s") % {"time": _format_time(moment)})
    return lines


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """What one signature in a PDF proves, in Vietnamese for the reader."""

    field_name: str
    signer_common_name: str
    signer_title: str
    organization: str
    signing_time: datetime | None  # declared by the signer (/M), not a trusted timestamp
    subject: str
    issuer: str
    serial: str
    valid_from: datetime | None
    valid_to: datetime | None
    intact: bool  # the signed bytes are unchanged and the signature value checks out
    trusted: bool  # the certificate chains to one of the given roots and is usable now
    coverage: SignatureCoverage
    summary: str
    problems: list[str] = field(default_factory=list)
    fingerprint_sha256: str = ""
    modification_level: str = ""  # pyHanko's ModificationLevel name, for logs

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.coverage != SignatureCoverage.MODIFIED


_TRUST_PROBLEMS = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: gettext_lazy(
        "Chứng thư số không do tổ chức chứng thực tin cậy cấp (không lập được chuỗi tới CA gốc)."
    ),
    AdESIndeterminate.EXPIRED: gettext_lazy("Chứng thư số đã hết hạn tại thời điểm kiểm tra."),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: gettext_lazy(
        "Chứng thư số không còn hiệu lực tại thời điểm kiểm tra, và không có dấu thời gian chứng minh đã ký khi còn hiệu lực."
    ),
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: gettext_lazy(
        "Chứng thư số không còn hiệu lực tại thời điểm kiểm tra (hết hạn hoặc chưa đến hạn)."
    ),
    AdESFailure.NOT_YET_VALID: gettext_lazy(
        "Chứng thư số chưa có hiệu lực tại thời điểm kiểm tra."
    ),
    AdESIndeterminate.NOT_YET_VALID: gettext_lazy(
        "Chứng thư số chưa có hiệu lực tại thời điểm kiểm tra."
    ),
    AdESFailure.REVOKED: gettext_lazy("Chứng thư số đã bị thu hồi."),
    AdESIndeterminate.REVOKED_NO_POE: gettext_lazy("Chứng thư số đã bị thu hồi."),
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: gettext_lazy(
        "Chứng thư số không được phép dùng để ký văn bản (mục đích sử dụng khóa không phù hợp)."
    ),
}


def _trust_problem(status: PdfSignatureStatus, info: CertificateInfo | None) -> str:
    moment = status.validation_time
    # pyHanko reports a certificate outside its validity under several codes (or a
    # generic one); the dates say it plainly.
    if info is not None and moment is not None:
        if moment > info.valid_to:
            return _(
                "Chứng thư số đã hết hạn từ %(end)s (thời điểm kiểm tra %(now)s); chữ ký không "
                "có dấu thời gian tin cậy nên không chứng minh được đã ký khi chứng thư còn hiệu lực."
            ) % {"end": _format_time(info.valid_to), "now": _format_time(moment)}
        if moment < info.valid_from:
            return _(
                "Chứng thư số chỉ có hiệu lực từ %(start)s, sau thời điểm kiểm tra %(now)s."
            ) % {"start": _format_time(info.valid_from), "now": _format_time(moment)}
    indic = status.trust_problem_indic
    if indic in _TRUST_PROBLEMS:
        return str(_TRUST_PROBLEMS[indic])
    name = indic.name if indic is not None else "NO_PATH"
    return _("Không xác lập được độ tin cậy của chứng thư số (%(code)s).") % {"code": name}


def _describe_later_revisions(
    reader, signed_revision: int, signature_revisions: dict[int, str]
) -> list[str]:
    """What each update after `signed_revision` rewrote: a later signature, or pages."""
    xrefs = reader.xrefs
    pages = _page_refs(reader)
    descriptions = []
    for revision in range(signed_revision + 1, xrefs.total_revisions):
        number = revision - signed_revision
        if revision in signature_revisions:
            descriptions.append(
                _("lần cập nhật %(number)d: chữ ký “%(field)s”")
                % {"number": number, "field": signature_revisions[revision]}
            )
            continue
        try:
            changed = xrefs.explicit_refs_in_revision(revision)
        except _PDF_ERRORS:
            continue
        changed_ids = {(ref.idnum, ref.generation) for ref in changed}
        content_pages, page_objects = [], []
        for page_number, (page_ref, content_refs) in enumerate(pages, start=1):
            if {(r.idnum, r.generation) for r in content_refs} & changed_ids:
                content_pages.append(str(page_number))
            elif (page_ref.idnum, page_ref.generation) in changed_ids:
                page_objects.append(str(page_number))
        parts = []
        if content_pages:
            parts.append(_("nội dung trang %(pages)s") % {"pages": ", ".join(content_pages)})
        if page_objects:
            parts.append(
                _("thuộc tính/chú thích trang %(pages)s") % {"pages": ", ".join(page_objects)}
            )
        refs = sorted(changed_ids)
        parts.append(
            _("%(count)d đối tượng PDF được ghi lại (%(refs)s)")
            % {
                "count": len(refs),
                "refs": ", ".join(f"{i} {g} R" for i, g in refs[:8])
                + ("…" if len(refs) > 8 else ""),
            }
        )
        descriptions.append(
            _("lần cập nhật %(number)d: %(parts)s") % {"number": number, "parts": "; ".join(parts)}
        )
    return descriptions


_PYHANKO_REFERENCE = re.compile(r"Reference\(idnum=(\d+), generation=(\d+)\)")


def _pyhanko_detail(diff: SuspiciousModification) -> str:
    """pyHanko's first line on the modification, with its references written as in PDF."""
    text = (str(diff) or diff.__class__.__name__).strip().splitlines()[0]
    text = _PYHANKO_REFERENCE.sub(r"\1 \2 R", text)
    return text if len(text) <= 300 else text[:299] + "…"


def _coverage_and_problems(
    status: PdfSignatureStatus, reader, signed_revision: int, signature_revisions: dict[int, str]
) -> tuple[SignatureCoverage, list[str]]:
    level = status.modification_level
    diff = status.diff_result
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCoverage.WHOLE, []
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return SignatureCoverage.MODIFIED, [
            _(
                "Tệp đã bị sửa sau khi ký: vùng được ký không bao trọn phiên bản tài liệu (phạm vi ký bất thường)."
            )
        ]
    allowed = (
        not isinstance(diff, SuspiciousModification)
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )
    if allowed:
        return SignatureCoverage.INCREMENTAL, []
    changes = "; ".join(_describe_later_revisions(reader, signed_revision, signature_revisions))
    if isinstance(diff, SuspiciousModification):
        what = _("phân tích khác biệt của pyHanko báo thay đổi không được phép (%(detail)s)") % {
            "detail": _pyhanko_detail(diff)
        }
    elif level == ModificationLevel.ANNOTATIONS:
        what = _("đã thêm hoặc sửa chú thích (annotation) trên trang, có thể che nội dung")
    else:
        what = _("mức sửa đổi %(level)s") % {"level": level.name if level else "?"}
    message = _("Tệp đã bị sửa sau khi ký: %(what)s") % {"what": what}
    if changes:
        message += "; " + changes
    return SignatureCoverage.MODIFIED, [message + "."]


def _report(
    embedded,
    status: PdfSignatureStatus | None,
    reader,
    signature_revisions: dict[int, str],
    error: str = "",
) -> SignatureReport:
    try:
        certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
        info: CertificateInfo | None = CertificateInfo.from_certificate(certificate)
    except (ValueError, KeyError, TypeError):
        info = None
    try:
        signing_time = embedded.self_reported_timestamp
    except _PDF_ERRORS:
        signing_time = None
    field_name = str(embedded.field_name or "")
    problems: list[str] = []
    if status is None:
        problems.append(_("Không kiểm tra được chữ ký: %(detail)s") % {"detail": error})
        intact = trusted = False
        coverage = SignatureCoverage.MODIFIED
        level = ""
    else:
        intact = bool(status.intact and status.valid)
        trusted = bool(status.trusted)
        if not status.intact:
            problems.append(
                _(
                    "Nội dung được ký đã bị thay đổi: giá trị băm của tài liệu không khớp với chữ ký."
                )
            )
        elif not status.valid:
            problems.append(_("Giá trị chữ ký số không hợp lệ về mặt mật mã."))
        if intact and not trusted:
            problems.append(_trust_problem(status, info))
        coverage, coverage_problems = _coverage_and_problems(
            status, reader, embedded.signed_revision, signature_revisions
        )
        problems.extend(coverage_problems)
        level = status.modification_level.name if status.modification_level else ""

    who = info.common_name if info else _("(không rõ người ký)")
    if info and (info.title or info.organization):
        who += " (" + ", ".join(p for p in (info.title, info.organization) if p) + ")"
    when = _format_time(signing_time) if signing_time else _("không rõ thời gian")
    if not problems:
        summary = _("Chữ ký hợp lệ: %(who)s ký lúc %(when)s; %(coverage)s.") % {
            "who": who,
            "when": when,
            "coverage": str(coverage.label).lower(),
        }
    else:
        summary = _("Chữ ký KHÔNG hợp lệ: %(who)s, ô “%(field)s”. %(problem)s") % {
            "who": who,
            "field": field_name,
            "problem": problems[0],
        }
    return SignatureReport(
        field_name=field_name,
        signer_common_name=info.common_name if info else "",
        signer_title=info.title if info else "",
        organization=info.organization if info else "",
        signing_time=signing_time,
        subject=info.subject if info else "",
        issuer=info.issuer if info else "",
        serial=info.serial if info else "",
        valid_from=info.valid_from if info else None,
        valid_to=info.valid_to if info else None,
        intact=intact,
        trusted=trusted,
        coverage=coverage,
        summary=summary,
        problems=problems,
        fingerprint_sha256=info.fingerprint_sha256 if info else "",
        modification_level=level,
    )


def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: Iterable[bytes],
    validation_time: datetime | None = None,
) -> list[SignatureReport]:
    """A report per signature in `pdf`, in signing order; [] if it has none.

    `trust_roots` are the CA certificates (DER or PEM) the reader trusts. Certificates
    are checked at `validation_time` (now by default): with B-B signatures there is no
    trusted proof of when the signature was made, so an expired certificate makes
    the signature untrusted. No revocation data is fetched (no Internet); none is
    required.
    """
    data = _require_pdf(pdf)
    roots = [_to_asn1(_load_certificate(root)) for root in trust_roots]
    reader = _open_reader(data)
    try:
        embedded_signatures = list(reader.embedded_regular_signatures)
    except _PDF_ERRORS as exc:
        raise SigningError(
            _("Không đọc được các chữ ký trong tệp PDF: %(detail)s") % {"detail": exc}
        ) from exc
    moment = _aware(validation_time, "validation_time") if validation_time else None
    signature_revisions = {sig.signed_revision: str(sig.field_name) for sig in embedded_signatures}
    reports = []
    for embedded in embedded_signatures:
        context = ValidationContext(
            trust_roots=roots,
            allow_fetching=False,
            revocation_mode="soft-fail",
            moment=moment,
        )
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context)
        except (*_PDF_ERRORS, PyhankoSigningError) as exc:
            reports.append(_report(embedded, None, reader, signature_revisions, error=str(exc)))
            continue
        reports.append(_report(embedded, status, reader, signature_revisions))
    return reports
