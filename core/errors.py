"""Named domain errors. Each carries a catalog key so the page can show it in the user's language."""

from __future__ import annotations

from core.i18n import catalog, t


class DomainError(Exception):
    """Base of every error a user may see; ``str()`` is the Indonesian message."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.message("id"))

    def message(self, lang: str = "id") -> str:
        """The message in ``lang``; parameters that are catalog keys (field names) are translated too."""
        names = catalog()
        shown = {k: t(v, lang) if isinstance(v, str) and v in names else v for k, v in self.params.items()}
        return t(self.key, lang, **shown)


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
