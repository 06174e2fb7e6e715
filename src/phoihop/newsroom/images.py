"""Images attached to articles: checked by content, resized, re-encoded with nothing but pixels.

A photo from a camera or a phone carries what readers must not get: the GPS position
where it was taken, the device's serial number, the author, edit history (EXIF, XMP,
IPTC, comments). The upload is decoded (its name and declared type are not trusted: only
JPEG, PNG and WebP are accepted, as recognised from the bytes), turned upright by its
EXIF orientation, brought to the sRGB colours a browser assumes, scaled to at most
`MAX_SIDE` pixels on its long side, and the pixels alone are written into a new file of
the same format. Nothing of the original file is copied.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Decoded size refused before the pixels are read (a small file can decode to gigabytes).
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
QUALITY = 85

# Pillow's format name → (MIME type, extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class ImageRejected(ValueError):
    """The upload is not an image this desk takes; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _read(fileobj) -> bytes:
    data = fileobj.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected(
            _("Ảnh quá lớn: tối đa %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    if not data:
        raise ImageRejected(_("Tệp rỗng."))
    return data


def _open(data: bytes) -> tuple[Image.Image, str]:
    not_image = _("Tệp không phải ảnh JPEG, PNG hoặc WebP.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected(
                    _("Ảnh có quá nhiều điểm ảnh (%(w)s × %(h)s).")
                    % {"w": image.width, "h": image.height}
                )
            fmt = image.format or ""
            image.seek(0)  # an animation: its first frame
            image.load()
    except ImageRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise ImageRejected(not_image) from exc
    if fmt not in FORMATS:
        raise ImageRejected(not_image)
    return image, fmt


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from the embedded profile to sRGB, since the profile is dropped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without littlecms
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode) or image
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image  # an unreadable profile: the pixels as they are


def _mode_for(image: Image.Image, fmt: str) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if fmt == "JPEG":
        return "L" if image.mode in ("L", "1") else "RGB"
    if fmt == "PNG" and image.mode in ("L", "LA"):
        return image.mode
    return "RGBA" if has_alpha else "RGB"


def clean_image(fileobj) -> CleanImage:
    """The upload as a new image file of its own format, without any metadata.

    Raises ImageRejected when it is too big or not a JPEG, PNG or WebP image.
    """
    image, fmt = _open(_read(fileobj))
    image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    mode = _mode_for(image, fmt)
    if image.mode != mode:
        image = image.convert(mode)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: no info dictionary, no EXIF, XMP, ICC or text
    # chunk can ride along into the saved file.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        bare.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "WEBP", quality=QUALITY, method=4)
    content_type, extension = FORMATS[fmt]
    return CleanImage(out.getvalue(), content_type, extension, bare.width, bare.height)
