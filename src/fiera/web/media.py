"""Serves uploaded images (MEDIA_ROOT) when the default storage is the filesystem.

The demo and small installs run with the filesystem storage and DEBUG off, so Django's
``static()`` helper (DEBUG only) does not apply. Production with S3-compatible storage
links straight to the bucket (the storage's own URLs) and this view answers 404.

Only plain, relative names of pictures are served (letters, digits, ``._-/``; no ``..``,
no hidden files, no directory listings), with the content type fixed by the extension,
``X-Content-Type-Options: nosniff``, a CSP that runs nothing, and long-lived caching:
stored names never change content (uploads get fresh names).
"""

from __future__ import annotations

import os
import re
from email.utils import formatdate, parsedate_to_datetime

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

CONTENT_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
_PART = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,150}"
_NAME = re.compile(rf"{_PART}(?:/{_PART}){{0,8}}")
CACHE_SECONDS = 7 * 24 * 3600


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    storage = default_storage
    if not isinstance(getattr(storage, "_wrapped", storage), FileSystemStorage):
        raise Http404("media are not served from this host")
    extension = os.path.splitext(path)[1].lower()
    if not _NAME.fullmatch(path) or ".." in path or extension not in CONTENT_TYPES:
        raise Http404("no such file")
    try:
        full = safe_join(str(settings.MEDIA_ROOT), path)
        stat = os.stat(full)
    except (OSError, ValueError):
        raise Http404("no such file") from None
    if not os.path.isfile(full):
        raise Http404("no such file")
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            if int(stat.st_mtime) <= parsedate_to_datetime(since).timestamp():
                return HttpResponseNotModified()
        except (TypeError, ValueError, OverflowError):
            pass
    response = FileResponse(open(full, "rb"), content_type=CONTENT_TYPES[extension])  # noqa: SIM115 - FileResponse closes it
    response["Last-Modified"] = formatdate(stat.st_mtime, usegmt=True)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
