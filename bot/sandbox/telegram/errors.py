"""Bot API errors as Telegram words them, and errors of the control API."""

from __future__ import annotations

from typing import Any

# The prefix Telegram puts before every description, by HTTP status (PROTOCOLS.md A3).
_PREFIXES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """A Bot API failure: becomes `{"ok": false, "error_code", "description", "parameters"?}`."""

    def __init__(self, code: int, text: str | None, parameters: dict[str, Any] | None = None):
        prefix = _PREFIXES.get(code, "Error")
        self.code = code
        self.description = f"{prefix}: {text}" if text else prefix
        self.parameters = parameters
        super().__init__(self.description)

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, text)


def forbidden(text: str) -> ApiError:
    return ApiError(403, text)


def conflict(text: str) -> ApiError:
    return ApiError(409, text)


def retry_after(seconds: int) -> ApiError:
    """A 429; the server adds the matching `Retry-After` header."""
    return ApiError(429, f"retry after {seconds}", {"retry_after": seconds})


class ControlError(Exception):
    """A control API request the sandbox cannot carry out; answered as `{"ok": false, "error"}`."""

    def __init__(self, status: int, text: str):
        self.status = status
        self.text = text
        super().__init__(text)
