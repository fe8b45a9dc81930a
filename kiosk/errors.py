"""Errors a user can cause: each carries one sentence that says what to do."""


class UserError(Exception):
    """A problem with the user's input or environment, shown as one clear sentence.

    The CLI prints ``str(error)`` without a traceback and exits with ``exit_code``.
    Bugs must not be wrapped in this class: they still raise normally.
    """

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(UserError):
    """The command line itself is wrong (exit status 2)."""

    exit_code = 2
