"""Banner images of offers: which files are accepted, where they are stored, how they are served.

A banner is shown by the app and the web shop and previewed by CVM managers, so a file must be
an image every browser shows safely: PNG, JPEG or WebP, told by its first bytes (never by its
name: a renamed SVG or HTML page can carry script), at most 500 KB so the app loads it on a
slow connection. The stored name takes the extension of the type found in the content, so
whoever serves the file (Django in development, the web server in production) sends the right
content type.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BANNER_BYTES = 500 * 1024

# Content type and file extension of each accepted format, by the format's first bytes.
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}


def image_format(head: bytes) -> str | None:
    """ "png", "jpeg" or "webp" when ``head`` (a file's first 12 bytes or more) starts one."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _head(upload) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    return head


def validate_banner_image(upload) -> None:
    """A PNG, JPEG or WebP image of at most 500 KB, judged by its content."""
    if upload.size > MAX_BANNER_BYTES:
        raise ValidationError(
            _(
                "The image is %(size)d KB; a banner may have at most %(limit)d KB, so the app "
                "loads it quickly on a slow connection. Make it %(over)d KB smaller."
            ),
            code="banner_too_large",
            params={
                "size": -(-upload.size // 1024),
                "limit": MAX_BANNER_BYTES // 1024,
                "over": -(-(upload.size - MAX_BANNER_BYTES) // 1024),
            },
        )
    if image_format(_head(upload)) is None:
        raise ValidationError(
            _(
                "This file is not a PNG, JPEG or WebP image (judged by its content, not its "
                "name). Banners take only these formats: other files, SVG included, can carry "
                "script."
            ),
            code="banner_not_an_image",
        )


def banner_upload_to(instance, _filename: str) -> str:
    """offers/<offer id>/<random>.<extension of the type found in the content>; the uploaded
    name is not kept (it may claim any type, or carry a customer's name)."""
    fmt = image_format(_head(instance.banner_image.file)) or "png"
    return f"offers/{instance.offer_id or 'new'}/{uuid.uuid4().hex}.{EXTENSIONS[fmt]}"


def content_type_of(file) -> str | None:
    """The content type of a stored banner, from its first bytes (None: not an accepted image)."""
    fmt = image_format(_head(file))
    return CONTENT_TYPES.get(fmt) if fmt else None
