"""Uploaded files: stored under random names, handed out only by views that check who is asking.

Nothing routes `MEDIA_URL` (in no mode, debug or not): a stored file is reachable only through a view that
applies the owning record's visibility rule and then calls `attachment_response`. Stored names are random
(`<prefix>/<32 hex><.ext>`), so a path can neither be guessed from the uploader's file name nor collide; the
name the uploader gave is kept on the record for display and as the download's file name.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import PurePosixPath

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# What a download may be labelled as. Anything else goes out as opaque bytes, so that a file is never
# given a type a browser would render or run (HTML, SVG, JavaScript…), whatever its name says.
SAFE_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".csv": "text/csv",
    ".txt": "text/plain",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
# A file response must never be rendered as a page, even by a browser that ignores `attachment`.
FILE_RESPONSE_CSP = "default-src 'none'; sandbox"


def safe_extension(filename: str) -> str:
    """The file's extension, lower case with its dot, if it is a plain one (letters/digits); else ""."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    return suffix if _EXTENSION.fullmatch(suffix) else ""


def display_name(filename: str, *, max_length: int = 255) -> str:
    """The uploader's file name without directories or control characters (it goes into headers and pages)."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    cleaned = "".join("_" if unicodedata.category(ch).startswith("C") else ch for ch in base).strip()
    return cleaned[-max_length:] or "file"


@deconstructible
class RandomUploadName:
    """`upload_to` callable: `<prefix>/<uuid4 hex><extension of the uploaded name>`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        return f"{self.prefix}/{uuid.uuid4().hex}{safe_extension(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomUploadName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def content_type_for(filename: str, declared: str = "") -> str:
    """A safe content type: the one our allow-list gives the extension; `declared` only if it agrees."""
    expected = SAFE_CONTENT_TYPES.get(safe_extension(filename), FALLBACK_CONTENT_TYPE)
    if declared and declared != expected:
        return FALLBACK_CONTENT_TYPE
    return expected


def attachment_response(field_file, *, filename: str, content_type: str = "") -> FileResponse:
    """Stream a stored file as a download. The caller has already checked that the user may have it.

    Always `Content-Disposition: attachment`, a type from the allow-list (else octet-stream), `nosniff`, a
    sandboxing CSP and `Cache-Control: private` (no shared cache keeps a non-public document).
    """
    name = display_name(filename)
    if not field_file:
        raise Http404(_("The file is missing."))
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("The file is missing.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=content_type_for(name, content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_RESPONSE_CSP
    patch_cache_control(response, private=True, no_cache=True)
    return response
