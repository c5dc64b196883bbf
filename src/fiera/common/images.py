"""Uploaded pictures, checked and re-encoded with Pillow before anything is stored.

``image_prepare`` reads an upload (at most ``MAX_UPLOAD_BYTES``), refuses what is not a
JPEG, PNG or WebP picture Pillow can decode (``verify()`` on the header and data, then a
real decode of a fresh copy), refuses decompression bombs (more than ``MAX_PIXELS`` pixels,
checked from the header before decoding), turns the picture upright by its EXIF orientation
and re-encodes it as WebP without any metadata (no EXIF, GPS, ICC profile or comments reach
storage), downscaled to fit ``max_edge``, together with a thumbnail that fits ``thumb_edge``.

The caller stores the bytes through Django's storage API (``default_storage`` or an
``ImageField``), so the same code works with the filesystem and S3-compatible storage.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from fiera.common.errors import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel picture decodes to ~160 MB of RGBA; more is refused
MIN_EDGE = 16
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {
    "webp": "image/webp",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
PRODUCT_MAX_EDGE = 1600
THUMB_EDGE = 480
LOGO_EDGE = 400
WEBP_QUALITY = 84


class ImageUnreadable(InvalidInput):
    code = "image_unreadable"
    message_template = gettext_lazy(
        "This file is not a picture we can read; upload a JPEG, PNG or WebP image."
    )


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    message_template = gettext_lazy(
        "This file is larger than %(max_megabytes)s MB; upload a smaller picture."
    )


class ImageTooManyPixels(InvalidInput):
    code = "image_too_many_pixels"
    message_template = gettext_lazy(
        "This picture is too big: at most %(max_megapixels)s megapixels; upload a smaller one."
    )


class ImageTooSmall(InvalidInput):
    code = "image_too_small"
    message_template = gettext_lazy(
        "This picture is too small: at least %(min_edge)s pixels on each side."
    )


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """A picture ready to store: WebP bytes of the picture and of its thumbnail."""

    data: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int
    extension: str = "webp"


def _read(upload: IO[bytes] | bytes) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge(
            f"the upload has more than {MAX_UPLOAD_BYTES} bytes",
            max_megabytes=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    if not data:
        raise ImageUnreadable("the upload is empty")
    return data


def _decode(data: bytes) -> Image.Image:
    """The decoded picture, upright; raises the errors above."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns from MAX_IMAGE_PIXELS on: make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ImageTooManyPixels(
                        f"{width}x{height} pixels is more than {MAX_PIXELS}",
                        max_megapixels=MAX_PIXELS // 1_000_000,
                    )
                probe.verify()
            picture = Image.open(io.BytesIO(data), formats=FORMATS)
            picture.seek(0)  # the first frame of an animated PNG or WebP
            picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooManyPixels(
            "Pillow refused the picture as a decompression bomb",
            max_megapixels=MAX_PIXELS // 1_000_000,
        ) from None
    except ImageTooManyPixels:
        raise
    except Exception as exc:  # damaged data can fail anywhere in a decoder
        raise ImageUnreadable(f"Pillow cannot read the upload: {exc!r}") from None
    if min(picture.size) < MIN_EDGE:
        raise ImageTooSmall(f"{picture.size[0]}x{picture.size[1]} pixels", min_edge=MIN_EDGE)
    try:
        upright = ImageOps.exif_transpose(picture)
    except Exception as exc:  # damaged data can fail anywhere in a decoder
        raise ImageUnreadable(f"the picture's EXIF data cannot be read: {exc}") from None
    return upright if upright is not None else picture


def _webp(picture: Image.Image, edge: int) -> tuple[bytes, int, int]:
    image = picture.copy()
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = image.mode in ("LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue(), image.width, image.height


def image_prepare(
    upload: IO[bytes] | bytes, *, max_edge: int = PRODUCT_MAX_EDGE, thumb_edge: int = THUMB_EDGE
) -> PreparedImage:
    """Check an uploaded picture and re-encode it (see the module's docstring).

    Raises ``ImageTooLarge`` (over 10 MB), ``ImageUnreadable`` (not a JPEG, PNG or WebP
    picture, or a damaged one), ``ImageTooManyPixels`` (a decompression bomb) or
    ``ImageTooSmall``; all are ``InvalidInput`` (422) with messages for people.
    """
    picture = _decode(_read(upload))
    data, width, height = _webp(picture, max_edge)
    thumbnail, thumb_width, thumb_height = _webp(picture, thumb_edge)
    return PreparedImage(
        data=data,
        width=width,
        height=height,
        thumbnail=thumbnail,
        thumbnail_width=thumb_width,
        thumbnail_height=thumb_height,
    )
