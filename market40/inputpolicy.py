"""The input policy: one rule for every piece of text that enters market40.

Text is NFC-normalised (macOS and some phone keyboards send decomposed Vietnamese) and
refused, never silently cleaned, when it holds:

- NUL and the other C0/C1 control characters, DEL (tab, CR and LF are allowed only in
  multi-line fields: a reason, a note; names and codes collapse their whitespace);
- bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C): they reorder what
  a reader sees ("Trojan Source"), in HTML, PDFs and CSV alike;
- zero-width characters (U+200B-U+200D, U+2060, U+FEFF, U+180E): two names that look the
  same must be the same;
- lone surrogates and the non-characters U+FFFE/U+FFFF (PostgreSQL cannot store them).

Identifiers and names (``identifier=True``) are also NFKC-folded, so full-width
look-alikes (``Ａ-０１``) become the ASCII they imitate.

``init_app`` applies the policy to every request before its view runs: a path segment
that breaks it is a 404, a query argument, JSON field or form field a 422 naming it
(``{"errors": {"query"|"json"|"form": {field: [problem]}}}``), and JSON nested deeper
than ``MAX_JSON_DEPTH`` a 400. A JSON integer too long for Python to read (more than
``sys.get_int_max_str_digits()``, 4,300 digits: a guard against quadratic conversions)
is a 422 naming its field too: every JSON parser after this one would fail on it.
The same answer on SQLite and PostgreSQL, because the database never sees the text.
Services call ``clean`` for text that arrives otherwise (files, the CLI).

An API view whose JSON body a typed decoder can take whole (the batch of transactions:
10,000 items, 60,000 strings) names it with ``decoded_by_view``: when the body is
:func:`plain_json` and the decoder accepts it, every string provably passes the policy
and the type bounds the depth, so the walk is skipped and the view reads the typed body
from :func:`decoded_body`. Any other body is walked as always, with the same answers.

A page form whose view validates some fields with this same policy (the registry's
vendor fields do, for imported rows too) names them with ``checked_by_view``: those
fields then reach the view, which shows the form again with the problem next to the
field, as it does for any other mistake. Every other field is still refused here.

>>> clean("Cho\u0302\u0323 Đại Từ", "name")  # decomposed ộ -> NFC
'Chộ Đại Từ'
>>> problem("a\u202eb")
'must not contain the bidi control U+202E'
>>> clean("Ａ-０１", "stall_code", identifier=True)
'A-01'
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from werkzeug.exceptions import BadRequest, NotFound

from market40.errors import InvalidInput

MAX_JSON_DEPTH = 32
MULTILINE = frozenset("\t\n\r")
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
NONCHARACTERS = frozenset("\ufffe\uffff")
_VIEW_CHECKED = "input_policy_checked_by_view"
_VIEW_DECODER = "input_policy_decoder"
_DECODED = "input_policy_decoded_body"

View = TypeVar("View", bound=Callable[..., Any])


def _describe(char: str) -> str | None:
    """Why ``char`` is refused, or None when it is fine in a multi-line field."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        if char in MULTILINE:
            return None
        return "NUL" if code == 0 else f"the control character U+{code:04X}"
    if char in BIDI:
        return f"the bidi control U+{code:04X}"
    if char in ZERO_WIDTH:
        return f"the zero-width character U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return f"the lone surrogate U+{code:04X}"
    if char in NONCHARACTERS:
        return f"the non-character U+{code:04X}"
    return None


def problem(text: str, *, multiline: bool = True) -> str | None:
    """The first thing wrong with ``text`` under the policy, as a message; None if fine."""
    if text.isascii() and text.isprintable():
        return None  # the common case, in C
    for char in text:
        if not multiline and char in MULTILINE:
            return f"must be one line: no tab or line break (U+{ord(char):04X})"
        reason = _describe(char)
        if reason is not None:
            return f"must not contain {reason}"
    return None


def shown_again(values: dict[str, Any]) -> dict[str, Any]:
    """Form values to show again after a refusal, each without the characters the policy
    refuses, so a page never echoes a bidi override or a NUL back into HTML.

    >>> shown_again({"name": "Rau\u202e sạch", "n": None})
    {'name': 'Rau sạch', 'n': None}
    """
    return {name: "".join(c for c in value if _describe(c) is None)
            if isinstance(value, str) else value for name, value in values.items()}


def clean(text: str, field: str, *, multiline: bool = False, identifier: bool = False) -> str:
    """``text`` NFC- (or, for identifiers, NFKC-) normalised; InvalidInput naming ``field``."""
    message = problem(text, multiline=multiline)
    if message is not None:
        raise InvalidInput.field(field, message)
    return unicodedata.normalize("NFKC" if identifier else "NFC", text)


def plain_json(raw: bytes) -> bool:
    r"""Whether every string a JSON text can hold is printable ASCII: the bytes are ASCII,
    with no escape (no backslash) and no DEL (the one control character JSON allows
    unescaped; a parser refuses the others). Such strings pass the policy unchanged.

    >>> plain_json(b'{"name": "Rau sach"}'), plain_json(b'{"name": "Rau s\\u1ea1ch"}')
    (True, False)
    """
    return raw.isascii() and b"\\" not in raw and b"\x7f" not in raw


def whole_number(text: str, maximum: int) -> int | None:
    """``text`` as a whole number from 0 to ``maximum`` (an id, a version), else None.

    ASCII digits only: ``str.isdigit`` is true for "²" and other scripts' digits, which
    ``int`` refuses or reads. Their count is checked before ``int``, which refuses more
    than 4,300 digits; the bound keeps the number inside the database's integer.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


class LongNumber(str):
    """A JSON integer too long to convert (its digits, kept as text, never as a number)."""

    def problem(self) -> str:
        return (f"A number of {len(self.lstrip('-'))} digits: not one this API takes "
                f"(at most {sys.get_int_max_str_digits()} digits can be read).")


def _integer(text: str) -> int | LongNumber:
    try:
        return int(text)
    except ValueError:  # over sys.get_int_max_str_digits(): never read, named instead
        return LongNumber(text)


def strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every (path, text) of a parsed JSON document: keys, string values and
    :class:`LongNumber` values.

    Raises BadRequest when the document nests deeper than ``MAX_JSON_DEPTH``.
    """
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, key
            yield from strings(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}.{index}" if path else str(index), depth + 1)


def _first_problem(pairs: Iterator[tuple[Any, Any]]) -> tuple[str, str] | None:
    for where, text in pairs:
        if isinstance(text, LongNumber):
            return where, text.problem()
        if not isinstance(text, str):  # a multipart part without a name has the key None
            continue
        message = problem(text)
        if message is not None:
            return where, message
    return None


def _parsed_json() -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw, parse_int=_integer)
    except RecursionError:
        raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        return None  # not JSON at all: the view's parser answers that with its own 400


def _refusal(location: str, field: str, message: str) -> InvalidInput:
    """A 422 in webargs' shape for the API (``errors`` keyed by location, then field);
    a page gets ``{field: [problem]}``, which the error page lists."""
    from market40.api.errors import wants_json

    error = InvalidInput(message=f"{field}: {message}")
    if wants_json():
        error.errors = {location: {field: [message]}}  # type: ignore[assignment]
    else:
        error.errors = {field: [message]}
    return error


def checked_by_view(*fields: str) -> Callable[[View], View]:
    """Mark a page view whose own validation applies this policy to these form fields
    (and answers a problem by showing the form again): ``check_request`` lets them by."""
    def mark(view: View) -> View:
        setattr(view, _VIEW_CHECKED, frozenset(fields))
        return view
    return mark


def decoded_by_view(decoder: Callable[[bytes], Any]) -> Callable[[View], View]:
    """Mark an API view (a MethodView's method) whose JSON body ``decoder`` may take whole:
    it returns the typed body, or None for any body it does not take. A body it takes
    that is also :func:`plain_json` skips the walk; :func:`decoded_body` hands it over."""
    def mark(view: View) -> View:
        setattr(view, _VIEW_DECODER, decoder)
        return view
    return mark


def decoded_body() -> Any:
    """The typed body of this request, when ``check_request`` decoded it; else None."""
    return g.get(_DECODED)


def _view() -> Callable[..., Any] | None:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the method's own function carries marks
        return getattr(view_class, request.method.lower(), None)
    return view


def _fields_checked_by_view() -> frozenset[str]:
    return getattr(_view(), _VIEW_CHECKED, frozenset())


def _decoded_by_view() -> bool:
    """Decode the body with the view's decoder; True when that proves the policy holds."""
    decoder = getattr(_view(), _VIEW_DECODER, None)
    if decoder is None:
        return False
    raw = request.get_data(cache=True)
    if not plain_json(raw):
        return False
    body = decoder(raw)
    if body is None:
        return False
    setattr(g, _DECODED, body)
    return True


def check_request() -> None:
    """Refuse a request whose path, query, JSON or form text breaks the policy."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and problem(value, multiline=False) is not None:
            raise NotFound()
    found = _first_problem(
        pair for key, value in request.args.items(multi=True) for pair in ((key, key),
                                                                           (key, value)))
    if found is not None:
        raise _refusal("query", *found)
    if request.is_json:
        found = None if _decoded_by_view() else _first_problem(strings(_parsed_json()))
        location = "json"
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        by_view = _fields_checked_by_view()
        found = _first_problem(
            pair for key, value in request.form.items(multi=True)
            for pair in ((key, key), (key, value)) if key not in by_view)
        location = "form"
    else:
        found = None
    if found is not None:
        raise _refusal(location, *found)


def init_app(app: Flask) -> None:
    app.before_request(check_request)
