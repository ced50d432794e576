"""The one place where user-facing problems and errors are defined.

Every stage reports what is wrong as a ``Problem``: the file, the line where
there is one, the key path inside the file, what is wrong and what to change.
The exceptions below carry problems; the CLI turns any of them into their
lines and exit code 1 (see ``cli._run``), with a traceback only under ``--debug``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def shown_path(path: Path | str) -> str:
    """Return ``path`` as users see it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dataclass(frozen=True)
class Problem:
    """One thing a user must change, located in a file: ``file:line: key: message; hint.``"""

    file: str
    message: str
    line: int = 0
    key: str = ""
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text if text.endswith((".", "。", "?", "!")) else text + "."


@dataclass(frozen=True)
class Origin:
    """Where a text came from: a content key (file, line, key path) or a template line."""

    file: str
    line: int = 0
    key: str = ""

    def problem(self, message: str, hint: str = "") -> Problem:
        """Return the Problem ``message`` (with ``hint``) located here."""
        return Problem(self.file, message, self.line, self.key, hint)


class BriefError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""

    def __init__(self, problem: Problem | str) -> None:
        self.problems: list[Problem | str] = [problem]
        self.message = str(problem)
        super().__init__(self.message)

    def lines(self) -> list[str]:
        """Return the message as the lines the CLI prints, one per problem."""
        return [str(problem) for problem in self.problems]

    def __reduce__(self):
        """Return how to rebuild the error (it crosses from a build's worker process)."""
        return type(self), (self.problems[0],)


class ContentError(BriefError):
    """One or more problems in a content (or theme) file, all reported at once."""

    def __init__(self, problems: list[Problem | str]) -> None:
        self.problems = list(problems)
        self.message = "\n".join(map(str, self.problems))
        Exception.__init__(self, self.message)

    def __reduce__(self):
        return type(self), (self.problems,)


class TemplateError(BriefError):
    """A template is missing, broken, or uses something that does not exist."""


class FetchError(TemplateError):
    """A template or stylesheet referenced a file or URL outside the sandbox."""


class MasterError(BriefError):
    """The slide master (.pptx) is unusable or lacks a layout or placeholder."""


class OutputError(BriefError):
    """An output could not be written where it was asked to go."""
