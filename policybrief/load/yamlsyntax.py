"""YAML syntax errors in plain words, at the line where the problem starts.

PyYAML reports where its parser gave up, in its own terms (``expected <block
end>, but found '<scalar>'``), often many lines after the slip: an unclosed
quote swallows everything up to the next quote. When it gives up, the text is
read again here, line by line, for the slips people make in a hand-written
file — a quote left open, a colon or ``#`` inside an unquoted value, a line
indented to no key above it, a missing space after a colon — and the first one
found before the parser's line is reported instead, as one sentence saying
what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `key: value` or `- key: value` on one line: indentation, the key, what follows the colon.
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s#'\"\[\]{}:-][^:#]*?|\"[^\"]*\"|'[^']*'):(?P<rest>(?: .*)?)$")
# `key:value` (no space) where a key is meant: a word, a colon, then text that is not a URL's `//`.
_NO_SPACE = re.compile(r"^(?P<indent> *)(?:- +)*(?P<key>[A-Za-z_][\w-]*):(?P<value>(?!//)[^\s].*)$")
_BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d*\s*(?:#.*)?$")


@dataclass(frozen=True)
class Slip:
    """A syntax slip found in a YAML text: its line (from 1) and what to change, in one sentence."""

    line: int
    message: str


def explain(text: str, error_line: int, problem: str, context_line: int | None) -> Slip | None:
    """Return the first slip in ``text`` at or before ``error_line`` (where PyYAML stopped), or None.

    ``problem`` is PyYAML's own description and ``context_line`` the line its
    context mark names (for a quoted scalar: where the quote opened).
    """
    lines = text.splitlines()
    limit = min(max(error_line, context_line or 0), len(lines))
    found = [slip for slip in (_unclosed_quote(lines, limit, problem, context_line), _missing_space(lines, limit),
                               _indentation(lines, limit), _colon_in_value(lines, error_line, problem)) if slip]
    return min(found, key=lambda slip: slip.line) if found else None


def comment_as_value(line_text: str) -> str | None:
    """Return the advice for ``key: #value`` on ``line_text`` (YAML reads ``#…`` as a comment), or None."""
    match = re.match(r"^ *(?:- +)*(?P<key>[^\s#:][^:#]*?): +#(?P<value>\S.*?)\s*$", line_text)
    if match is None:
        return None
    key, value = match["key"], match["value"]
    return (f"'#' starts a comment in YAML, so {key} is empty here; put the value in quotes: "
            f"{key}: \"#{value}\"")


def _unclosed_quote(lines: list[str], limit: int, problem: str, context_line: int | None) -> Slip | None:
    """Return the line where a quoted value opens and never closes on that line."""
    if "quoted scalar" in problem and context_line:
        start = context_line
    else:
        start = next((number for number in range(1, limit + 1) if _opens_unclosed(lines[number - 1])), None)
    if start is None:
        return None
    quote = _value_of(lines[start - 1]).lstrip()[:1] or '"'
    return Slip(start, f"the quote {quote} that opens the value here is never closed; end the text with {quote} on this line "
                       f"(or remove the opening {quote})")


def _opens_unclosed(line: str) -> bool:
    """Return whether ``line``'s value starts with a quote that does not close on the line."""
    value = _value_of(line).strip()
    if not value or value[0] not in "\"'":
        return False
    quote, body = value[0], value[1:]
    if quote == '"':
        return re.search(r'(?<!\\)(?:\\\\)*"', body) is None
    return re.search(r"'(?!')", body.replace("''", "")) is None


def _value_of(line: str) -> str:
    """Return what follows ``key:`` (or ``- ``) on ``line``; the whole line when it holds neither."""
    match = _KEY_LINE.match(line)
    if match:
        return match["rest"]
    item = re.match(r"^ *(?:- +)+(.*)$", line)
    return item[1] if item else ""


def _missing_space(lines: list[str], limit: int) -> Slip | None:
    """Return the first line ``key:value`` where a space after the colon is missing."""
    for number in range(1, limit + 1):
        match = _NO_SPACE.match(lines[number - 1])
        if match and not _KEY_LINE.match(lines[number - 1]):
            key, value = match["key"], match["value"]
            return Slip(number, f"'{key}:' needs a space after the colon; write {key}: {value}")
    return None


def _colon_in_value(lines: list[str], error_line: int, problem: str) -> Slip | None:
    """Return the error line when it is ``key: text: more`` (a second ': ' inside an unquoted value)."""
    if "mapping values are not allowed" not in problem or not 0 < error_line <= len(lines):
        return None
    match = _KEY_LINE.match(lines[error_line - 1])
    if match is None or ": " not in match["rest"].strip():
        return None
    key, value = match["key"], match["rest"].strip()
    return Slip(error_line, f"the value of {key} holds a colon followed by a space, which YAML reads as a new key; "
                            f"put the whole value in quotes: {key}: \"{value}\"")


def _indentation(lines: list[str], limit: int) -> Slip | None:
    """Return the first key line, up to ``limit``, indented to no key above it.

    Keeps the columns of the open keys (the ancestors of the current line and
    their earlier siblings' column); a key must start at one of them, or
    further in when the key above holds a nested block (nothing after its colon).
    """
    open_keys: list[tuple[int, str, int, bool]] = []  # (column, key, line, holds a block)
    block_scalar_column: int | None = None
    for number in range(1, limit + 1):
        line = lines[number - 1]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block_scalar_column is not None and indent > block_scalar_column:
            continue
        block_scalar_column = None
        match = _KEY_LINE.match(line)
        if match is None:
            continue  # an item without a key, or the continuation of a long value
        column = indent + len(match["dash"])
        key, rest = match["key"], match["rest"].strip()
        while open_keys and open_keys[-1][0] > column:
            deeper = open_keys.pop()
            if open_keys and open_keys[-1][0] < column and not match["dash"]:
                return _misaligned(number, key, column, open_keys[-1], deeper)
            if not open_keys and column > 0:
                return _misaligned(number, key, column, None, deeper)
        if open_keys and open_keys[-1][0] < column and not open_keys[-1][3] and not match["dash"]:
            parent = open_keys[-1]
            return Slip(number, f"{key} is indented further than {parent[1]} on line {parent[2]}, whose value is already "
                                f"written after its colon; indent {key} {_spaces(parent[0])}, like {parent[1]}")
        if open_keys and open_keys[-1][0] == column:
            open_keys.pop()
        holds_block = rest == "" or rest.startswith("#") or bool(_BLOCK_SCALAR.match(rest))
        open_keys.append((column, key, number, holds_block))
        if _BLOCK_SCALAR.match(rest):
            block_scalar_column = column
    return None


def _misaligned(number: int, key: str, column: int, outer, inner) -> Slip:
    """Return the slip of ``key`` at ``column``, between the ``outer`` and ``inner`` open keys (column, key, line, …)."""
    if outer is None:
        return Slip(number, f"{key} is indented {_spaces(column)}, which lines up with no key above; indent it "
                            f"{_spaces(inner[0])} like {inner[1]} (line {inner[2]}), or 0 to make it a key of the top level")
    return Slip(number, f"{key} is indented {_spaces(column)}, which lines up with no key above; indent it "
                        f"{_spaces(inner[0])} to belong to {outer[1]} (like {inner[1]} on line {inner[2]}), "
                        f"or {_spaces(outer[0])} to sit beside {outer[1]} (line {outer[2]})")


def _spaces(count: int) -> str:
    """Return ``count`` spaces in words: '1 space', '4 spaces'."""
    return f"{count} space" if count == 1 else f"{count} spaces"
