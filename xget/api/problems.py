"""RFC 9457 problem details for every error the API returns (``application/problem+json``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from xget.commands.errors import InvalidTransition, TaskAlreadyExists, TaskNotFound, ValidationFailed
from xget.eventstore.port import ConcurrencyConflict
from xget.observability.metrics import HTTP_REQUESTS
from xget.outages import OUTAGES

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://xget.dev/problems/"

_FIELD_IN_MESSAGE = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_PATH_IN_MESSAGE = re.compile(r" - at `\$\.?([^`]*)`$")


class ProblemException(HTTPException):
    """An HTTP error with a problem type slug and optional field errors."""

    def __init__(self, status_code: int, slug: str, detail: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(detail=detail, status_code=status_code, headers=headers)
        self.slug = slug
        self.errors = errors
        self.extensions = extensions


def problem(request: Request[Any, Any, Any], status: int, slug: str, title: str, detail: str,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
            extensions: dict[str, Any] | None = None) -> Response[Any]:
    """A problem+json response; ``extensions`` are extra members (RFC 9457 section 3.2)."""
    body = problem_body(status, slug, title, detail, request.url.path, errors, extensions)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_body(status: int, slug: str, title: str, detail: str, instance: str | None = None,
                 errors: list[dict[str, str]] | None = None,
                 extensions: dict[str, Any] | None = None) -> dict[str, Any]:
    """The members of a problem+json document (also written by middleware, before any route)."""
    body: dict[str, Any] = {"type": _TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    for name, value in (extensions or {}).items():
        body.setdefault(name, value)
    return body


def _field_errors(extra: Any) -> list[dict[str, str]]:
    errors = []
    for item in extra if isinstance(extra, list) else []:
        message = str(item.get("message", "invalid value"))
        key = str(item.get("key", ""))
        source = item.get("source")
        path = _PATH_IN_MESSAGE.search(message)
        if path:
            message = _PATH_IN_MESSAGE.sub("", message)
            key = path.group(1) if key in ("", "data") else f"{key}.{path.group(1)}"
        named = _FIELD_IN_MESSAGE.search(message)
        if named and key in ("", "data"):
            key = named.group(1)
        elif named:
            key = f"{key}.{named.group(1)}"
        if key == "data":
            key = "body"
        source_name = getattr(source, "value", source)
        if source_name and source_name != "body":
            key = f"{source_name}.{key}"
        errors.append({"field": key, "message": message})
    return errors


def on_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar's own request validation: 422 naming each invalid field."""
    errors = _field_errors(exc.extra)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or str(exc.detail)
    return problem(request, 422, "validation", "Invalid request", detail, errors)


def on_command_validation(request: Request[Any, Any, Any], exc: ValidationFailed) -> Response[Any]:
    """Domain validation (task parameters): 422 naming each invalid field."""
    errors = [{"field": f, "message": m} for f, m in exc.errors]
    return problem(request, 422, "validation", "Invalid request", str(exc), errors)


def on_not_found(request: Request[Any, Any, Any], exc: TaskNotFound) -> Response[Any]:
    """Unknown, deleted, or someone else's task: 404."""
    return problem(request, 404, "not-found", "Not found", str(exc))


def on_conflict(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The task's state or version does not allow the command: 409."""
    if isinstance(exc, ConcurrencyConflict):
        detail = (f"the task is at version {exc.actual}, the request expected {exc.expected}; "
                  "read it again and retry")
        if exc.expected is not None and exc.expected < 0:
            detail = (f"If-Match has no strong ETag of the task's current version {exc.actual}; weak ETags "
                      "(W/\"...\") never match If-Match")
        if request.headers.get("if-match"):
            return problem(request, 412, "version-conflict", "Precondition Failed", detail)
        return problem(request, 409, "version-conflict", "Conflict", detail)
    slug = "already-exists" if isinstance(exc, TaskAlreadyExists) else "invalid-state"
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after else None
    return problem(request, 409, slug, "Conflict", str(exc), headers=headers)


def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Every other HTTP error Litestar or our handlers raise (401, 403, 404, 405, 413, ...)."""
    if isinstance(exc, ProblemException):
        return problem(request, exc.status_code, exc.slug, _title(exc.status_code), exc.detail, exc.errors,
                       exc.headers, exc.extensions)
    status = exc.status_code
    if "correlation_id" not in request.scope.get("state", {}):
        count_unmatched(request.method, status)
    detail = exc.detail
    if status == 400 and "malformed" in detail.lower():
        return problem(request, 400, "malformed-body", "Malformed body", detail)
    if status == 500:
        log.error("internal error on %s %s: %s", request.method, request.url.path, detail)
    return problem(request, status, _slug(status), _title(status), detail, headers=exc.headers)


def count_unmatched(method: str, status: int) -> None:
    """Count a request no route matched (404, 405): the router answers it before the correlation
    middleware, which counts the others. One fixed route label keeps the label set bounded."""
    HTTP_REQUESTS.labels(method if method in _METHODS else "OTHER", "<unmatched>", str(status)).inc()


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def on_outage(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A database or broker is unreachable: 503 with Retry-After, not a 500."""
    log.warning("dependency unavailable on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return problem(request, 503, "unavailable", "Service Unavailable",
                   "a database the API needs is not reachable right now; retry shortly",
                   headers={"Retry-After": "1"})


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: log it with its traceback and answer 500 without leaking internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "internal", "Internal Server Error", "an internal error occurred; it was logged")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _slug(status: int) -> str:
    return _title(status).lower().replace(" ", "-").replace("'", "")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: on_validation,
    ValidationFailed: on_command_validation,
    TaskNotFound: on_not_found,
    InvalidTransition: on_conflict,
    TaskAlreadyExists: on_conflict,
    ConcurrencyConflict: on_conflict,
    HTTPException: on_http,
    **{outage: on_outage for outage in OUTAGES},
    Exception: on_unexpected,
}
