"""One JSON error shape for the whole API, and no tracebacks for anyone.

Domain errors and HTTP errors become flask-smorest's ``{"code", "status",
"message", "errors"}``; web pages get a short HTML page instead.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from market40.errors import DomainError, Unavailable
from market40.extensions import db

log = logging.getLogger(__name__)


def json_keys(errors: Any) -> Any:
    """Error maps with every key a string: a multipart part without a name reaches
    marshmallow as the key ``None``, which JSON cannot sort or encode (it was a 500)."""
    if isinstance(errors, dict):
        return {"" if k is None else str(k): json_keys(v) for k, v in errors.items()}
    if isinstance(errors, list | tuple):
        return [json_keys(v) for v in errors]
    return errors


def error_body(status: int, message: str | None = None, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase}
    if message:
        body["message"] = message
    if errors:
        body["errors"] = json_keys(errors)
    return body


def wants_json() -> bool:
    return request.path.startswith("/api") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, message: str | None = None, errors: Any = None) -> Response:
    if wants_json():
        response = jsonify(error_body(status, message, errors))
    else:
        html = render_template("error.html", status=status, message=message, errors=errors)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def handle_domain_error(error: DomainError) -> Response:
    db.session.rollback()
    response = error_response(error.status, error.message, getattr(error, "errors", None))
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="market40"'
    return response


def handle_http_error(error: HTTPException) -> Response:
    db.session.rollback()
    status = error.code or 500
    # webargs puts field errors on error.data (flask-smorest's 422 with "errors").
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    message = data.get("message") if isinstance(data, dict) else None
    response = error_response(status, message or error.description, messages)
    for name, value in (data.get("headers") or {}).items() if isinstance(data, dict) else ():
        response.headers[name] = value
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_database_down(error: sqlalchemy.exc.OperationalError | sqlalchemy.exc.TimeoutError
                         ) -> Response:
    """The database is down, or every connection of this worker's pool stayed busy for
    ``pool_timeout`` (``TimeoutError``): either way, try again shortly."""
    db.session.rollback()
    log.error("database unavailable: %s",
              type(getattr(error, "orig", None) or error).__name__)
    response = error_response(503, Unavailable.message)
    response.headers["Retry-After"] = "5"
    return response


def handle_unexpected(error: Exception) -> Response:
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "An internal error occurred; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sqlalchemy.exc.OperationalError, handle_database_down)
    app.register_error_handler(sqlalchemy.exc.TimeoutError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
