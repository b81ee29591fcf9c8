"""Errors a user can cause and fix. The CLI turns them into a message and an exit status."""

from __future__ import annotations


class KitError(Exception):
    """Base of every error the kit raises on purpose.

    ``exit_code`` is what the CLI exits with; the message is shown without a traceback.
    """

    exit_code = 2

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\nFix: {self.fix}"


class DataError(KitError):
    """A fatal problem with an input file: missing, unreadable, empty, or missing a column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message, fix=fix)
        self.file = file
        self.column = column


class FrameworkError(KitError):
    """A framework YAML file that is missing, malformed or breaks the schema."""

    def __init__(self, message: str, *, key: str | None = None, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.key = key


class ParameterError(KitError):
    """Report parameters that are unknown, of the wrong type, or name no entity in the facts."""


class FactsError(KitError):
    """A facts store that is missing, from another kit version, or lacks a table."""


class SetupError(KitError):
    """A program or package the command needs is not installed (exit status 2, like every
    problem the user fixes before running again)."""


class RenderError(KitError):
    """A report that failed to execute or export."""

    exit_code = 1

    def __init__(self, message: str, *, cell: int | None = None, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.cell = cell
