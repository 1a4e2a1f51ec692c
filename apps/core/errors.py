"""Domain errors: each has a stable `code` and an HTTP status.

Services raise them; the API's exception handler turns them into problem+json and panel forms into field
errors. The codes are the contract of DESIGN section 6.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One entry of `validation_errors`: what went wrong, and with which request field (None: the whole request)."""

    code: str
    message: str
    field: str | None = None


class DomainError(Exception):
    code = "invalid"
    status = 400
    title = "Invalid request"

    def __init__(self, detail: str = "", *, field: str | None = None, problems: list[FieldProblem] | None = None):
        self.detail = detail or self.title
        self.problems = problems if problems is not None else [FieldProblem(self.code, self.detail, field)]
        super().__init__(self.detail)

    @property
    def field(self) -> str | None:
        return self.problems[0].field if len(self.problems) == 1 else None


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 400
    title = "Validation failed"

    @classmethod
    def from_problems(cls, problems: list[FieldProblem]) -> ValidationFailed:
        detail = "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)
        return cls(detail, problems=problems)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class InsufficientLevel(DomainError):
    code = "insufficient_level"
    status = 403
    title = "Insufficient level"


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 409
    title = "Quota exceeded"


class SizeExceedsServicepack(DomainError):
    code = "size_exceeds_servicepack"
    status = 409
    title = "Size exceeds servicepack"


class Duplicate(DomainError):
    code = "duplicate"
    status = 409
    title = "Already exists"


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409
    title = "Invalid state"


class PreconditionFailed(DomainError):
    code = "precondition_failed"
    status = 412
    title = "Precondition failed"


class Gone(DomainError):
    code = "gone"
    status = 410
    title = "Gone"
