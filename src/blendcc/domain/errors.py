"""Domain errors: each carries a stable code that the API maps to an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a command was refused because of the state of the centre or bad input."""

    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class InvalidState(DomainError):
    """The command is not allowed in the current state (e.g. accepting an expired offer)."""

    code = "conflict"


class ValidationFailed(DomainError):
    """A document or command argument is invalid."""

    code = "invalid"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid credentials: a missing, expired or revoked token, or a failed login (HTTP 401)."""

    code = "unauthenticated"


class FencedOut(DomainError):
    """This node no longer holds the routing lease: the event store refused its append (a newer leader's
    fencing token is in force). The node stops routing; the client may retry (another node answers)."""

    code = "unavailable"
