"""Named domain errors. Each carries a catalog key so the page can show it in the user's language."""

from __future__ import annotations

from core.i18n import t


class DomainError(Exception):
    """Base of every error a user may see; ``str()`` is the Indonesian message."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(t(key, "id", **params))

    def message(self, lang: str = "id") -> str:
        return t(self.key, lang, **self.params)


class ValidationError(DomainError):
    """Input that breaks a rule (bad NIP, missing field, value out of range)."""


class NotFound(DomainError):
    """The record asked for does not exist."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow this."""


class Conflict(DomainError):
    """The write clashes with the current state (duplicate, stale version, wrong event state)."""


class AuthError(DomainError):
    """Sign-in failed or was refused (wrong password, locked account)."""
