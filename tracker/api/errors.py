"""Every error of the API in one JSON shape: ``{"error": code, "message": text, "errors": {field:
[{"message", "code"}]}}`` (``errors`` when fields are at fault), whatever raised it."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tracker.scans.schemas import Errors


class FieldError(Schema):
    message: str
    code: str


class ErrorOut(Schema):
    """An error: a code a program can test, a message a person can read, and the fields at fault."""

    error: str
    message: str
    errors: dict[str, list[FieldError]] | None = None
    login_url: str | None = None


class ApiError(Exception):
    """An answer other than success, raised anywhere in a view (or its authentication)."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.body = status, {"error": code, "message": message, **extra}

    @property
    def response(self) -> JsonResponse:
        return JsonResponse(self.body, status=self.status)


def invalid(errors: Errors, message: str = "Some fields cannot be used.") -> ApiError:
    return ApiError(400, "invalid", message, errors=errors)


def _fields(ninja_errors: list[dict]) -> Errors:
    """ninja's validation errors (of a query or path parameter) by field."""
    errors: Errors = {}
    for item in ninja_errors:
        field = str(item["loc"][-1]) if item.get("loc") else "__all__"
        errors.setdefault(
            field, [{"message": item.get("msg", "Invalid."), "code": item.get("type", "invalid")}]
        )
    return errors


def install(api) -> None:
    """Answer every failure in the one shape (replacing ninja's own ``{"detail": ...}``)."""
    handlers = {
        ApiError: lambda request, exc: exc.response,
        ValidationError: lambda request, exc: invalid(_fields(exc.errors)).response,
        AuthenticationError: lambda request, exc: ApiError(401, "login_required", "Log in or send a token.").response,
        Http404: lambda request, exc: ApiError(404, "not_found", "Nothing of yours has this id.").response,
        HttpError: lambda request, exc: ApiError(exc.status_code, "bad_request", str(exc)).response,
        RequestDataTooBig: lambda request, exc: ApiError(
            413, "too_large", "The body is too large: send scans in smaller batches."
        ).response,
    }  # fmt: skip
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)


def error_responses(*statuses: int) -> dict[int, type]:
    return dict.fromkeys(statuses, ErrorOut)
