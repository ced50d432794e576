"""Read a YAML file as plain data, remembering the line of every key.

``yaml.safe_load`` forgets where things were, so errors could not name a line.
Here the file is composed into nodes by PyYAML's safe loader and built into
plain dicts, lists and scalars by hand, recording for each key path the line
it stands on. Duplicate keys are problems, not silent overwrites.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from policybrief.errors import BriefError, ContentError, Problem
from policybrief.load.files import MAX_BYTES, check_size
from policybrief.load.yamlsyntax import comment_as_value, explain

KeyPath = tuple[str | int, ...]

# A content file holds a few thousand values; aliases that expand beyond this
# are a "billion laughs" file, not a report.
MAX_VALUES = 100_000
# 107005 holds about 16,000 characters of text; a file whose texts add up to
# more than this (aliases counted each time they are used) would make a PDF
# of hundreds of pages: it is refused before any layout.
MAX_CHARACTERS = 250_000
# A report is about 20 KB and 7 levels deep; limits far above that stop a
# wrong or hostile file before it costs time or memory (MAX_BYTES: load.files).
MAX_DEPTH = 20
# Tags PyYAML's safe loader gives plain data; any other tag (``!!python/object``,
# ``!custom``) asks for something content must never be.
# What PyYAML's reader refuses (its NON_PRINTABLE), plus the characters it
# silently takes for line breaks, which would shift every later line number.
_UNREADABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029]")
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


class Written(str):
    """An unquoted value kept as the user wrote it where YAML 1.1 would read something else (``017005``, ``0x1A``, ``yes``)."""


@dataclass
class YamlDocument:
    """Plain data read from a YAML file, with the line of every key path."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Key paths whose value was dropped for a problem above; validation does
    # not report them again as "missing" or "got nothing".
    dropped: set[KeyPath] = field(default_factory=set)

    def line_of(self, key_path: KeyPath) -> int:
        """Return the line of ``key_path``, or of its nearest ancestor that has one."""
        for end in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:end]))
            if line is not None:
                return line
        return 1


def format_key_path(key_path: KeyPath) -> str:
    """Return ``key_path`` written as ``sections[1].topics[0].headline``."""
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def strings_in(value: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key path, text) for every string inside the plain data ``value``."""
    if isinstance(value, str):
        yield key_path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, (*key_path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, (*key_path, index))


def read_text(path: Path, shown: str) -> str:
    """Return the text of ``path`` decoded as UTF-8 (a BOM is accepted).

    Raises BriefError naming the file when it is missing, binary or in
    another encoding.
    """
    try:
        raw = _read_small(path, shown)
    except FileNotFoundError:
        raise BriefError(f"{shown}: no such file; check the path.") from None
    except IsADirectoryError:
        raise BriefError(f"{shown}: is a folder, not a YAML file; name a .yaml file inside it.") from None
    except OSError as error:
        raise BriefError(f"{shown}: cannot be read ({error.strerror}); check the file and its permissions.") from None
    if len(raw) > MAX_BYTES:
        raise BriefError(
            f"{shown}: is {len(raw) / 1_000_000:.1f} MB, more than the {MAX_BYTES // 1_000_000} MB "
            "a content file may hold; check it is the right file."
        )
    if _looks_utf16(raw):
        raise BriefError(f"{shown}: is saved as UTF-16; save it as UTF-8.")
    if raw.count(0) > len(raw) // 100:
        raise BriefError(f"{shown}: is a binary file, not YAML text; check the path.")
    try:
        return raw.decode("utf-8-sig")  # a stray NUL in good UTF-8 is reported with its line later
    except UnicodeDecodeError as error:
        if b"\x00" in raw:
            raise BriefError(f"{shown}: is a binary file, not YAML text; check the path.") from None
        line = raw[: error.start].count(b"\n") + 1
        guess = _guess_encoding(raw)
        raise BriefError(
            f"{shown}:{line}: is not UTF-8 text{guess}; save the file as UTF-8."
        ) from None


def _read_small(path: Path, shown: str) -> bytes:
    """Return the bytes of ``path`` after checking by ``stat`` that it is a regular file of at most MAX_BYTES.

    Reads at most one byte more than the limit, in case the file grew since.
    """
    check_size(path, shown)
    with open(path, "rb") as file:
        return file.read(MAX_BYTES + 1)


def _looks_utf16(raw: bytes) -> bool:
    """Return True for UTF-16 text: a byte-order mark, or every other byte zero (YAML is mostly ASCII)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    half = len(raw) // 2
    return half > 0 and max(raw[0::2].count(0), raw[1::2].count(0)) > half * 0.4


def _guess_encoding(raw: bytes) -> str:
    """Return ' (it looks like Big5)' or similar when a legacy encoding fits."""
    for name, label in (("big5", "Big5"), ("gb18030", "GB18030")):
        try:
            raw.decode(name)
        except UnicodeDecodeError:
            continue
        return f" (it looks like {label})"
    return ""


def load_yaml(path: Path, shown: str | None = None, example: str = "title",
              as_written: Callable[[KeyPath], bool] | None = None) -> YamlDocument:
    """Return the YAML mapping in ``path`` as a YamlDocument.

    ``shown`` is how the file is named in messages (default: ``path``);
    ``example`` is a key of such a file, named when the file is not a mapping;
    an unquoted value at a key path ``as_written`` accepts stays its text (``Written``).
    Raises BriefError for a file that is not YAML or not a mapping; collects
    duplicate keys in ``problems``.
    """
    shown = shown or str(path)
    text = read_text(path, shown)
    _check_characters(text, shown)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise ContentError([_syntax_message(shown, text, error)]) from None
    except yaml.YAMLError as error:
        raise ContentError([f"{shown}:1: YAML syntax error: {error}."]) from None
    except RecursionError:
        raise ContentError([f"{shown}:1: the YAML is nested too deeply; a report needs only a few levels."]) from None
    if root is None:
        raise ContentError([f"{shown}:1: the file is empty; it must hold a mapping of keys such as '{example}:'."])
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise ContentError(
            [f"{shown}:{root.start_mark.line + 1}: the top level is {kind}; it must be a mapping of keys such as '{example}:'."]
        )
    document = YamlDocument(shown, None)
    builder = _Builder(document, text.splitlines(), as_written)
    document.data = builder.build(root, ())
    return document


def _check_characters(text: str, shown: str) -> None:
    """Raise ContentError at the first character a YAML file may not hold as it is."""
    match = _UNREADABLE.search(text)
    if match is None:
        return
    char, line = match[0], text.count("\n", 0, match.start()) + 1
    if char in "\x85\u2028\u2029":
        what = "a hidden line break U+{:04X}; replace it with a normal line break or remove it"
    elif unicodedata.category(char) == "Cc":
        what = "a control character U+{:04X}; remove it"
    else:
        what = "a non-character U+{:04X}; remove it"
    raise ContentError([f"{shown}:{line}: contains {what.format(ord(char))}."])


def _syntax_message(shown: str, text: str, error: yaml.MarkedYAMLError) -> str:
    """Return the one located sentence for a YAML syntax error: a slip in plain words, else PyYAML's words."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    problem = error.problem or error.context or "invalid YAML"
    context_line = error.context_mark.line + 1 if error.context_mark else None
    slip = explain(text, line, f"{error.context or ''} {problem}", context_line)
    if slip is not None and not _hint(text, slip.line):
        return f"{shown}:{slip.line}: {slip.message}."
    return f"{shown}:{line}: YAML syntax error: {problem}{_hint(text, line)}."


def _hint(text: str, line: int) -> str:
    """Return advice for the commonest syntax slips on ``line``."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source[: len(source) - len(source.lstrip())]:
        return "; indent with spaces, not tabs"
    return ""


class _Builder:
    """Turns composed nodes into plain data, recording lines and duplicates."""

    def __init__(self, document: YamlDocument, lines: list[str], as_written: Callable[[KeyPath], bool] | None = None) -> None:
        self.document = document
        self.lines = lines
        self.as_written = as_written
        self.constructor = SafeConstructor()
        self.count = 0
        self.characters = 0

    def build(self, node: Node, key_path: KeyPath) -> Any:
        """Return the plain value of ``node`` found at ``key_path``."""
        self.count += 1
        if self.count > MAX_VALUES:
            raise ContentError(
                [f"{self.document.path}:{node.start_mark.line + 1}: the file expands to more than "
                 f"{MAX_VALUES:,} values (YAML aliases repeated?); write the content out plainly."]
            )
        self.document.lines.setdefault(key_path, node.start_mark.line + 1)
        if len(key_path) > MAX_DEPTH:
            raise ContentError(
                [f"{self.document.path}:{node.start_mark.line + 1}: {key_path[0]}: nested more than "
                 f"{MAX_DEPTH} levels deep; a report needs only a few levels."]
            )
        if node.tag not in PLAIN_TAGS:
            self._problem(node, key_path, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                          "content is plain text, numbers, lists and mappings — remove the tag")
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, SequenceNode):
            return [self.build(item, key_path + (i,)) for i, item in enumerate(node.value)]
        self._count_characters(node)
        if self.as_written and node.style is None and node.tag != "tag:yaml.org,2002:str" and self.as_written(key_path):
            return Written(node.value)
        if node.tag.endswith(":null") and node.value == "" and key_path:
            advice = comment_as_value(self.lines[node.start_mark.line]) if node.start_mark.line < len(self.lines) else None
            if advice:
                self._problem(node, key_path, advice)
                return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            self._problem(node, key_path, str(error.problem or error))
        except (ValueError, OverflowError) as error:  # a date not in the calendar, an integer too long to read
            self._problem(node, key_path, _unreadable_value(node, error))
        return None

    def _count_characters(self, node: Node) -> None:
        """Add the text of scalar ``node`` to the file's total; raise ContentError past MAX_CHARACTERS."""
        self.characters += len(node.value)
        if self.characters > MAX_CHARACTERS:
            raise ContentError(
                [f"{self.document.path}:{node.start_mark.line + 1}: the file holds more than {MAX_CHARACTERS:,} characters "
                 "of text (YAML aliases counted each time they are used); a report needs far fewer — "
                 "write the content out plainly or split it into several reports."]
            )

    def _problem(self, node: Node, key_path: KeyPath, what: str) -> None:
        """Record ``what`` as a problem at ``node``'s line and ``key_path``."""
        where = format_key_path(key_path) or "top level"
        self.document.dropped.add(key_path)
        self.document.problems.append(Problem(self.document.path, what, node.start_mark.line + 1, where))

    def _mapping(self, node: MappingNode, key_path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.document.problems.append(Problem(self.document.path, "a key must be a plain word, not a list or mapping",
                                                      line, format_key_path(key_path) or "top level"))
                continue
            key = str(key_node.value)
            self._count_characters(key_node)
            child = key_path + (key,)
            if key in first_line:
                self.document.problems.append(Problem(self.document.path, f"duplicate key (first at line {first_line[key]})",
                                                      line, format_key_path(child), "keep only one"))
                continue
            first_line[key] = line
            self.document.lines[child] = line
            result[key] = self.build(value_node, child)
        return result


def _unreadable_value(node: Node, error: Exception) -> str:
    """Return what is wrong with a scalar YAML could not turn into a value (a date, a number)."""
    shown = node.value if len(node.value) <= 24 else f"{node.value[:24]}…"
    if node.tag.endswith(":timestamp"):
        return f"{shown} is not a date in the calendar ({error}); write a date that exists"
    if node.tag.endswith(":int"):
        return f"the number {shown} has {len(node.value):,} characters, more than can be read; write it in quotes as text"
    return f"{shown!r} cannot be read as a value ({error}); write it in quotes as text"
