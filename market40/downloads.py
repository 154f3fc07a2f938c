"""Everything the API answers that is not JSON: one way to send a file, one way to choose it.

``download`` sends bytes (or a stream of text chunks) with its media type, an
``attachment``/``inline`` file name, and, for content that is the same for the
same request (cards, QR images), a content ETag so a client's revalidation is a
304. ``wants`` chooses the representation: the ``format`` query argument first,
else the ``Accept`` header among those the endpoint offers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Response, request

CSV = "text/csv"
PDF = "application/pdf"
JSON = "application/json"
CACHE_CONTROL = "private, max-age=300"


def download(
    body: bytes | Iterable[str],
    mimetype: str,
    filename: str | None = None,
    *,
    inline: bool = False,
    cached: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A file response: ``filename`` as attachment (``inline``: shown in the browser);
    ``cached``: a content ETag and a short private cache, answering If-None-Match."""
    response = Response(body, mimetype=mimetype)
    if filename is not None:
        disposition = "inline" if inline else "attachment"
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if cached and isinstance(body, bytes):
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response.make_conditional(request)
    return response


def wants(args: Mapping[str, Any], offered: Sequence[tuple[str, str]]) -> str:
    """The format asked for: ``format=`` if given, else the best ``Accept`` match.

    ``offered`` pairs each format name with its media type, the default first, e.g.
    ``(("json", JSON), ("csv", CSV))``.
    """
    if args.get("format"):
        return args["format"]
    types = {mimetype: name for name, mimetype in offered}
    best = request.accept_mimetypes.best_match(list(types))
    return types.get(best, offered[0][0])
