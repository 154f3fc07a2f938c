"""Strict query strings: an argument no schema of the endpoint declares is a 422 naming it.

webargs drops unknown query arguments (its default for the query location), so
``/api/v1/markets?distrct=171`` used to answer every market. Schemas cannot refuse
them one by one either: a paginated view parses the query string twice (its own
arguments, then ``page``/``page_size``), so each parse would refuse the other's
names. This check runs once per request, before the view, against every name the
endpoint declares (its ``location="query"`` schemas and its pagination), and so
also covers endpoints that take no query argument at all. The 422 body is the one
webargs gives a bad query argument: ``{"errors": {"query": {name: [...]}}}``.

Also here: :func:`typed_body`, the way round webargs for a large body that a typed
decoder takes whole (the transaction batch).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cache
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_smorest import abort

from market40 import inputpolicy
from market40.auth.access import guarded

UNKNOWN = "Unknown field."
# The OpenAPI document and Swagger UI are not operations: browsers add cache-busters.
DOCUMENT_ENDPOINTS = frozenset({"api-docs.openapi_json", "api-docs.openapi_swagger_ui",
                                "swagger_assets"})
PAGINATION_ARGUMENTS = frozenset({"page", "page_size"})


def _schema_names(schema: ma.Schema | type[ma.Schema]) -> set[str]:
    instance = schema() if isinstance(schema, type) else schema
    return {field.data_key or name for name, field in instance.fields.items()
            if not field.dump_only}


@cache
def declared_query_arguments(view: Callable[..., Any]) -> frozenset[str]:
    """The query argument names a view function's flask-smorest decorators declare."""
    doc = getattr(view, "_apidoc", {})
    names: set[str] = set()
    for parameter in doc.get("arguments", {}).get("parameters", []):
        if parameter["in"] in ("query", "querystring"):
            names |= _schema_names(parameter["schema"])
    if "pagination" in doc:
        names |= PAGINATION_ARGUMENTS
    return frozenset(names)


def _view_function(endpoint: str, method: str) -> Callable[..., Any] | None:
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the method's own function carries the docs
        return getattr(view_class, "get" if method == "HEAD" else method.lower(), None)
    return view


def refuse_unknown_query_arguments() -> None:
    """Before every API request: 422 naming each query argument the endpoint does not take."""
    rule = request.url_rule
    if rule is None or request.method == "OPTIONS" or not request.args or not guarded(rule.rule):
        return
    if request.endpoint in DOCUMENT_ENDPOINTS:
        return
    view = _view_function(request.endpoint or "", request.method)
    if view is None:
        return
    unknown = sorted(set(request.args) - declared_query_arguments(view))
    if unknown:
        abort(422, messages={"query": {name: [UNKNOWN] for name in unknown}},
              message=f"Unknown query argument(s): {', '.join(unknown)}.")


def typed_body(decoder: Callable[[bytes], Any]) -> Callable[[Callable[..., Any]], Any]:
    """Above a view's ``@blp.arguments``: a JSON body that ``decoder`` takes whole (typed
    in one pass, see ``inputpolicy.decoded_by_view``) goes straight to the view; any other
    body goes through the arguments' schema, with the same errors as ever. The schema
    stays the one the OpenAPI document shows."""

    def decorate(view: Callable[..., Any]) -> Any:
        unparsed = view.__wrapped__  # under webargs' use_args: the view taking the body

        @functools.wraps(view)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            body = inputpolicy.decoded_body()
            if body is None:
                return view(self, *args, **kwargs)
            return unparsed(self, body, *args, **kwargs)

        return inputpolicy.decoded_by_view(decoder)(wrapper)

    return decorate
