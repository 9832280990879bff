"""Errors of the REST API as JSON `{"error": code, "message": text}` with the right status.

`ApiError` is raised by the endpoints; storage errors are mapped here in one table; the
framework's own 404 and 405 become JSON under /api. Other paths keep plain text (pages
render their own errors).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ..storage import errors as storage_errors

__all__ = ["ApiError", "exception_handlers", "is_api"]

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal_error",
    503: "unavailable",
}

_STORAGE_STATUS: list[tuple[type[storage_errors.StorageError], int]] = [
    (storage_errors.NotFound, 404),
    (storage_errors.Conflict, 409),
    (storage_errors.Invalid, 422),
    (storage_errors.DraftRejected, 422),
]


class ApiError(Exception):
    """An answer other than success: status, machine code, human message, extra fields."""

    def __init__(
        self, status: int, code: str, message: str, *,
        headers: dict[str, str] | None = None, **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.code, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)

    @classmethod
    def invalid(cls, field: str, message: str) -> ApiError:
        """422 for one field; the message starts with the field's name."""
        return cls(422, "invalid", f"{field}: {message}", field=field)

    @classmethod
    def from_storage(cls, error: storage_errors.StorageError) -> ApiError:
        status = next(code for kind, code in _STORAGE_STATUS if isinstance(error, kind))
        extra: dict[str, Any] = {}
        if isinstance(error, storage_errors.Invalid):
            extra["field"] = error.field
        if isinstance(error, storage_errors.DraftRejected):
            extra["problems"] = [problem.to_dict() for problem in error.problems]
        if isinstance(error, storage_errors.AlreadyFinal):
            extra.update(invoice_status=error.status, number=error.number)
        return cls(status, error.code, error.message, **extra)


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _storage_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, storage_errors.StorageError)
    return ApiError.from_storage(exc).response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not is_api(request):
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
    message = exc.detail
    if exc.status_code == 404:
        message = f"no API endpoint at {request.url.path}; see /api/openapi.json"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed on {request.url.path} (allowed: {allowed})"
    code = _HTTP_CODES.get(exc.status_code, "error")
    return ApiError(exc.status_code, code, message, headers=exc.headers).response()


async def _server_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the traceback and re-raises after this answer.
    if is_api(request):
        return ApiError(500, "internal_error", "the server failed; the error is logged").response()
    return PlainTextResponse("Internal Server Error", status_code=500)


exception_handlers: dict[Any, Any] = {
    ApiError: _api_error,
    storage_errors.StorageError: _storage_error,
    HTTPException: _http_error,
    Exception: _server_error,
}
