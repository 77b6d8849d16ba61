"""What every area stands on: accounts and sessions, the audit trail, regions and paging, gap-free
numbers, parameters and the holiday calendar, the deployed processes and decision tables, job
scheduling, mail and backup — and the errors use cases raise.

A use case is a public function of an area's module; each one that writes is one transaction: it
commits, or changes nothing and raises one of these errors, which a route turns into an answer."""

import math


class ServiceError(Exception):
    """Base of the errors a route turns into an HTTP answer; the message is shown to the user."""

    status = 400

    @property
    def headers(self) -> dict[str, str]:
        """Response headers the answer carries besides its status."""
        return {}


class NotFound(ServiceError):
    status = 404


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class InvalidInput(ServiceError):
    status = 422


class InvalidFields(InvalidInput):
    """Input a form accepted but the case refuses, with a message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("；".join(fields.values()))
        self.details = fields


class Unavailable(ServiceError):
    """Something the server needs is missing (its administrator can fix it, the user cannot)."""

    status = 503


class TooManyAttempts(ServiceError):
    status = 429

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = math.ceil(retry_after)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
