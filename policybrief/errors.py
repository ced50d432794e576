"""The one place where user-facing errors are defined.

Every exception here carries a message a non-programmer can act on: it names
the file, the line where there is one, and what to change. The CLI turns any
of them into that message and exit code 1 (see ``cli.main``).
"""

from __future__ import annotations


class BriefError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """Return the message as the lines the CLI prints."""
        return [self.message]


class ContentError(BriefError):
    """One or more problems in a content (or theme) file, all reported at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def lines(self) -> list[str]:
        return list(self.problems)

    def __reduce__(self):
        """Return how to rebuild the error from its problems (it crosses from a build's worker process)."""
        return type(self), (self.problems,)


class TemplateError(BriefError):
    """A template is missing, broken, or uses something that does not exist."""


class FetchError(TemplateError):
    """A template or stylesheet referenced a file or URL outside the sandbox."""


class MasterError(BriefError):
    """The slide master (.pptx) is unusable or lacks a layout or placeholder."""


class OutputError(BriefError):
    """An output could not be written where it was asked to go."""
