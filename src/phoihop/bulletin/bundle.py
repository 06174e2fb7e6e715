"""Signed bundles: how articles travel one way, from the back office to the public site.

A bundle is a ZIP file holding `manifest.json` (UTF-8), `manifest.sig` (the
Ed25519 signature of the exact manifest bytes) and `images/<sha256>.<ext>` files.
The manifest is a full snapshot of what should be public:

    {"format": "phoihop-bulletin/1", "created_at": "<ISO 8601 UTC>", "articles": [...]}

`write()` signs with the back office's private key; `read()` trusts nothing until
the signature is checked with the public (verify) key, then checks the manifest's
shape and every file's sha256, with limits on sizes, file count and compression
ratio, and refuses any name other than the three kinds above (no path traversal).

Keys: the signing key (PEM, private, back office only) is at
`settings.PHOIHOP_BULLETIN_SIGNING_KEY`, created on first use with mode 0600, and
its public half written to `settings.PHOIHOP_BULLETIN_VERIFY_KEY` beside it. The
public deployment holds a copy of the verify key only (`phoihop bulletin key`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

FORMAT = "phoihop-bulletin/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
IMAGE_NAME = re.compile(r"^images/([0-9a-f]{64})\.(jpg|jpeg|png|webp|gif)$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
# First path segments of the bulletin's own routes: an article cannot take them.
RESERVED_SLUGS = frozenset({"tim-kiem", "the", "anh", "nhan-goi-tin", "ngon-ngu", "kiem-duyet"})

DEFAULT_LIMITS = {
    # The bundle file as received.
    "max_bytes": 200 * 1024 * 1024,
    # Everything once decompressed, and each file.
    "max_total": 400 * 1024 * 1024,
    "max_file": 20 * 1024 * 1024,
    "max_manifest": 8 * 1024 * 1024,
    "max_files": 5000,
    "max_articles": 2000,
    "max_images_per_article": 50,
    # Decompressed / compressed: images barely compress, a bomb compresses a thousandfold.
    "max_ratio": 50,
}
# Field lengths accepted in an article (the models' limits; the body's text is bounded too).
FIELD_LIMITS = {
    "slug": 200,
    "title": 300,
    "lead": 5000,
    "body": 100_000,
    "author_agency": 255,
    "tag": 80,
    "caption": 500,
    "alt": 300,
}


class BundleError(Exception):
    """A bundle refused: `message` says why, in words an operator can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Bundle:
    manifest: dict
    files: dict[str, bytes] = field(default_factory=dict)
    # sha256 of the signed manifest bytes: it names every file by its hash, so it
    # identifies the whole content.
    digest: str = ""


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "PHOIHOP_BULLETIN_LIMITS", {})}


# ---------------------------------------------------------------- keys


def _signing_path() -> Path | None:
    """Where the private key is; None on the public deployment, which never signs."""
    if getattr(settings, "PHOIHOP_SITE", "office") == "public":
        return None
    value = getattr(settings, "PHOIHOP_BULLETIN_SIGNING_KEY", None)
    return Path(value) if value else Path(settings.VAR_DIR) / "keys" / "bulletin-signing.pem"


def _verify_path() -> Path:
    value = getattr(settings, "PHOIHOP_BULLETIN_VERIFY_KEY", None)
    return Path(value) if value else Path(settings.VAR_DIR) / "keys" / "bulletin-verify.pem"


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to a file that must not exist yet, created with `mode`."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def signing_key() -> Ed25519PrivateKey:
    """The back office's private key, created on first use (mode 0600)."""
    path = _signing_path()
    if path is None:
        raise BundleError(
            _("Trang công khai không có khóa ký: gói tin chỉ được lập ở hệ thống nội bộ.")
        )
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        # Another process may have made it first: then theirs is used.
        with contextlib.suppress(FileExistsError):
            _write_new(path, pem, 0o600)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(_("Tệp khóa ký %(path)s không phải khóa Ed25519.") % {"path": path})
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        path.chmod(0o600)
    verify = _verify_path()
    if not verify.exists():
        with contextlib.suppress(FileExistsError):
            _write_new(verify, _public_pem(key.public_key()), 0o644)
    return key


def verify_key() -> Ed25519PublicKey:
    """The public key bundles are checked with.

    Where the signing key lives (the back office), both are created on first use;
    the public deployment must have been given a copy of the verify key.
    """
    path = _verify_path()
    if not path.exists():
        if _signing_path() is None:
            raise BundleError(
                _(
                    "Chưa có khóa kiểm tra chữ ký tại %(path)s: chép khóa công khai từ hệ thống "
                    "nội bộ (lệnh phoihop bulletin key) vào tệp này."
                )
                % {"path": path}
            )
        signing_key()
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except ValueError as exc:
        raise BundleError(_("Tệp khóa kiểm tra %(path)s không đọc được.") % {"path": path}) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError(_("Tệp khóa kiểm tra %(path)s không phải khóa Ed25519.") % {"path": path})
    return key


def verify_key_pem() -> str:
    """The verify key as PEM text, to copy to the public deployment."""
    return _public_pem(verify_key()).decode("ascii")


# ---------------------------------------------------------------- writing


def write(manifest: dict, files: dict[str, bytes]) -> bytes:
    """A signed bundle of `manifest` and its image files (named `images/<sha256>.<ext>`)."""
    for name in files:
        if not IMAGE_NAME.match(name):
            raise BundleError(_("Tên tệp không hợp lệ trong gói tin: %(name)s") % {"name": name})
    payload = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    signature = signing_key().sign(payload)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(_entry(MANIFEST), payload, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(_entry(SIGNATURE), signature, compress_type=zipfile.ZIP_STORED)
        for name in sorted(files):
            # Images are already compressed: stored as they are.
            archive.writestr(_entry(name), files[name], compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    # A fixed date: the same content gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=(2011, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    return info


# ---------------------------------------------------------------- reading


def read(data: bytes | BinaryIO) -> Bundle:
    """The bundle in `data` (bytes, or a binary file open for reading), checked;
    BundleError (with the reason) for anything amiss."""
    lim = limits()
    if isinstance(data, bytes | bytearray):
        source: BinaryIO = io.BytesIO(data)
        size = len(data)
    else:
        source = data
        size = source.seek(0, io.SEEK_END)
        source.seek(0)
    if size > lim["max_bytes"]:
        raise BundleError(
            _("Gói tin quá lớn: %(size)s byte (tối đa %(max)s).")
            % {"size": size, "max": lim["max_bytes"]}
        )
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BundleError(_("Tệp không phải gói tin hợp lệ (không đọc được dạng ZIP).")) from exc
    with archive:
        _check_entries(infos, lim)
        # The signature is checked before any image is decompressed: whoever may post to
        # the receiver cannot make it unpack anything bigger than a manifest unsigned.
        signed = [i for i in infos if i.filename in (MANIFEST, SIGNATURE)]
        head, total = _read_files(archive, signed, lim, 0)
        if MANIFEST not in head or SIGNATURE not in head:
            raise BundleError(_("Gói tin thiếu bản kê (manifest.json) hoặc chữ ký (manifest.sig)."))
        payload, signature = head[MANIFEST], head[SIGNATURE]
        try:
            verify_key().verify(signature, payload)
        except InvalidSignature as exc:
            raise BundleError(
                _(
                    "Chữ ký của gói tin không hợp lệ: gói đã bị sửa hoặc không do hệ thống nội "
                    "bộ có khóa tương ứng lập ra."
                )
            ) from exc
        images = [i for i in infos if i.filename not in (MANIFEST, SIGNATURE)]
        raw, _total = _read_files(archive, images, lim, total)
    try:
        manifest = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(_("Bản kê của gói tin không phải JSON hợp lệ.")) from exc
    _check_manifest(manifest, raw, lim)
    return Bundle(manifest=manifest, files=raw, digest=hashlib.sha256(payload).hexdigest())


def _check_entries(infos: list[zipfile.ZipInfo], lim: dict) -> None:
    """What the ZIP directory says of each entry, checked before anything is decompressed."""
    if len(infos) > lim["max_files"]:
        raise BundleError(
            _("Gói tin có quá nhiều tệp: %(n)s (tối đa %(max)s).")
            % {"n": len(infos), "max": lim["max_files"]}
        )
    declared = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if name in seen:
            raise BundleError(_("Tệp %(name)s có hai lần trong gói tin.") % {"name": name})
        seen.add(name)
        if name not in (MANIFEST, SIGNATURE) and not IMAGE_NAME.match(name):
            raise BundleError(
                _(
                    "Tên tệp không được phép trong gói tin: %(name)s (chỉ manifest.json, "
                    "manifest.sig và images/<sha256>.<đuôi ảnh>)."
                )
                % {"name": name[:200]}
            )
        if info.flag_bits & 0x1:
            raise BundleError(_("Tệp %(name)s trong gói tin bị mã hóa.") % {"name": name})
        cap = lim["max_manifest"] if name == MANIFEST else lim["max_file"]
        if info.file_size > cap:
            raise BundleError(
                _("Tệp %(name)s quá lớn: %(size)s byte (tối đa %(max)s).")
                % {"name": name, "size": info.file_size, "max": cap}
            )
        if info.file_size > 1024 * 1024 and info.file_size > lim["max_ratio"] * max(
            info.compress_size, 1
        ):
            raise BundleError(
                _("Tệp %(name)s nén bất thường (nghi là bom nén): gói tin bị từ chối.")
                % {"name": name}
            )
        declared += info.file_size
    if declared > lim["max_total"]:
        raise BundleError(
            _("Gói tin giải nén quá lớn: %(size)s byte (tối đa %(max)s).")
            % {"size": declared, "max": lim["max_total"]}
        )


def _read_files(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], lim: dict, total: int
) -> tuple[dict[str, bytes], int]:
    """The entries' contents, never read past their limits; (files, bytes read so far)."""
    files: dict[str, bytes] = {}
    for info in infos:
        cap = lim["max_manifest"] if info.filename == MANIFEST else lim["max_file"]
        try:
            with archive.open(info) as handle:
                # The sizes in the ZIP headers are claims: never read past the limit.
                content = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise BundleError(
                _("Tệp %(name)s trong gói tin bị hỏng.") % {"name": info.filename}
            ) from exc
        total += len(content)
        if len(content) > cap or total > lim["max_total"]:
            raise BundleError(
                _("Tệp %(name)s giải nén vượt giới hạn (nghi là bom nén): gói tin bị từ chối.")
                % {"name": info.filename}
            )
        files[info.filename] = content
    return files, total


def _text(article: dict, name: str, where: str, *, required: bool = True) -> str:
    value = article.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BundleError(
            _("%(where)s: trường “%(field)s” thiếu hoặc không phải chuỗi.")
            % {"where": where, "field": name}
        )
    limit = FIELD_LIMITS.get(name)
    if limit and len(value) > limit:
        raise BundleError(
            _("%(where)s: trường “%(field)s” dài quá %(max)s ký tự.")
            % {"where": where, "field": name, "max": limit}
        )
    return value


def parse_time(value, where: str, name: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(dt.UTC)
    raise BundleError(
        _("%(where)s: trường “%(field)s” không phải thời điểm ISO 8601 có múi giờ.")
        % {"where": where, "field": name}
    )


def _check_manifest(manifest, files: dict[str, bytes], lim: dict) -> None:
    if not isinstance(manifest, dict):
        raise BundleError(_("Bản kê của gói tin không đúng cấu trúc."))
    if manifest.get("format") != FORMAT:
        raise BundleError(
            _("Gói tin định dạng “%(got)s”, trang này chỉ đọc “%(want)s”.")
            % {"got": str(manifest.get("format"))[:60], "want": FORMAT}
        )
    parse_time(manifest.get("created_at"), _("Bản kê"), "created_at")
    articles = manifest.get("articles")
    if not isinstance(articles, list):
        raise BundleError(_("Bản kê: trường “articles” phải là danh sách."))
    if len(articles) > lim["max_articles"]:
        raise BundleError(
            _("Gói tin có quá nhiều bài: %(n)s (tối đa %(max)s).")
            % {"n": len(articles), "max": lim["max_articles"]}
        )
    uids: set[str] = set()
    slugs: set[str] = set()
    used: set[str] = set()
    for index, article in enumerate(articles, start=1):
        where = _("Bài thứ %(n)s") % {"n": index}
        if not isinstance(article, dict):
            raise BundleError(_("%(where)s: không đúng cấu trúc.") % {"where": where})
        try:
            uid = str(uuid.UUID(str(article.get("uid", ""))))
        except ValueError as exc:
            raise BundleError(_("%(where)s: mã “uid” không hợp lệ.") % {"where": where}) from exc
        slug = _text(article, "slug", where)
        where = _("Bài “%(slug)s”") % {"slug": slug[:80]}
        if not SLUG.match(slug) or slug in RESERVED_SLUGS:
            raise BundleError(
                _("%(where)s: đường dẫn không hợp lệ hoặc trùng với một trang của bản tin.")
                % {"where": where}
            )
        if uid in uids or slug in slugs:
            raise BundleError(_("%(where)s: mã hoặc đường dẫn bị trùng.") % {"where": where})
        uids.add(uid)
        slugs.add(slug)
        _text(article, "title", where)
        _text(article, "lead", where, required=False)
        _text(article, "body", where, required=False)
        _text(article, "author_agency", where)
        parse_time(article.get("publish_at"), where, "publish_at")
        parse_time(article.get("revised_at"), where, "revised_at")
        if article.get("moderation") not in ("pre", "post"):
            raise BundleError(
                _("%(where)s: “moderation” phải là “pre” hoặc “post”.") % {"where": where}
            )
        if not isinstance(article.get("comments_open"), bool):
            raise BundleError(
                _("%(where)s: “comments_open” phải là true hoặc false.") % {"where": where}
            )
        tags = article.get("tags", [])
        if not isinstance(tags, list) or not all(
            isinstance(t, str) and t.strip() and len(t) <= FIELD_LIMITS["tag"] for t in tags
        ):
            raise BundleError(_("%(where)s: danh sách thẻ không hợp lệ.") % {"where": where})
        _check_images(article.get("images", []), files, where, lim, used)
    unused = set(files) - used
    if unused:
        raise BundleError(
            _("Gói tin có tệp không được bản kê nhắc tới: %(name)s") % {"name": sorted(unused)[0]}
        )


def _check_images(images, files: dict[str, bytes], where: str, lim: dict, used: set) -> None:
    if not isinstance(images, list) or len(images) > lim["max_images_per_article"]:
        raise BundleError(_("%(where)s: danh sách ảnh không hợp lệ.") % {"where": where})
    keys: set[str] = set()
    for image in images:
        if not isinstance(image, dict):
            raise BundleError(_("%(where)s: một ảnh không đúng cấu trúc.") % {"where": where})
        key = image.get("key")
        if not isinstance(key, str) or not KEY.match(key) or key in keys:
            raise BundleError(
                _("%(where)s: khóa ảnh “%(key)s” không hợp lệ hoặc bị trùng.")
                % {"where": where, "key": str(key)[:40]}
            )
        keys.add(key)
        name, digest = image.get("file"), image.get("sha256")
        match = IMAGE_NAME.match(name) if isinstance(name, str) else None
        if match is None or match.group(1) != digest:
            raise BundleError(
                _("%(where)s: ảnh “%(key)s” trỏ tới tệp không hợp lệ.")
                % {"where": where, "key": key}
            )
        if name not in files:
            raise BundleError(
                _("%(where)s: ảnh “%(key)s” thiếu tệp %(name)s trong gói tin.")
                % {"where": where, "key": key, "name": name}
            )
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise BundleError(
                _("%(where)s: tệp ảnh %(name)s không khớp mã băm sha256 trong bản kê.")
                % {"where": where, "name": name}
            )
        used.add(name)
        for text in ("caption", "alt"):
            _text(image, text, where, required=False)
