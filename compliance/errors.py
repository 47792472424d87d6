"""The exception tree.  Messages name the file and say what to do."""

from __future__ import annotations

__all__ = [
    "ComplianceError",
    "InputError",
    "RegistryError",
    "RulesError",
    "ReportError",
]


class ComplianceError(Exception):
    """Base of every error the tool reports without a traceback (exit code 2)."""

    exit_code = 2


class InputError(ComplianceError):
    """An input file or record cannot be read (missing, binary, bad encoding, empty)."""


class RegistryError(ComplianceError):
    """The registry file is missing, locked, corrupt or of an unknown schema."""


class RulesError(ComplianceError):
    """One or more rule files are invalid; the message lists every problem."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ReportError(ComplianceError):
    """A report or evidence packet cannot be written or verified."""
