"""Errors raised when a record breaks a rule, phrased for practitioners."""

from __future__ import annotations


class ValidationError(ValueError):
    """A record field holds a value the project cannot accept.

    ``field`` names the offending field so forms can show the message next to it.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field.replace('_', ' ')}: {reason}")
