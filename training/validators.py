"""Checks on what trainers upload with a guide."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cvm_portal import formatting

MAX_IMAGE_BYTES = 2 * 1024 * 1024

# The first bytes of the image formats a browser shows safely (no SVG: it can carry script).
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}
_EXTENSIONS = {"png": {".png"}, "jpeg": {".jpg", ".jpeg"}, "gif": {".gif"}, "webp": {".webp"}}


def image_format(head: bytes) -> str | None:
    """The image format the file's first bytes announce, or None."""
    for signature, fmt in _SIGNATURES.items():
        if head.startswith(signature):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def validate_guide_image(upload) -> None:
    """A PNG, JPEG, GIF or WebP image of at most 2 MB, whose content matches its name."""
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is 2 MB. Make it smaller and upload it again.")
            % {"size": formatting.number(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    fmt = image_format(head)
    name = (upload.name or "").lower()
    if fmt is None or not any(name.endswith(ext) for ext in _EXTENSIONS[fmt]):
        raise ValidationError(
            _("Upload a PNG, JPEG, GIF or WebP image (the file's content must match its name)."),
            code="not_an_image",
        )
