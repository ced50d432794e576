"""Validate YAML data against a model; every problem names file, line and key."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from policybrief.errors import ContentError, Problem
from policybrief.load.yamlfile import KeyPath, YamlDocument, format_key_path

M = TypeVar("M", bound=BaseModel)


def validate(document: YamlDocument, model: type[M]) -> M:
    """Return ``document.data`` as a ``model``; raise ContentError listing every problem."""
    problems = list(document.problems)
    try:
        result = model.model_validate(document.data)
    except ValidationError as error:
        items = error.errors(include_url=False)
        misspelt = _misspellings(items, model)
        for item in items:
            loc = _clean_loc(item["loc"])
            if loc in document.dropped or (item["type"] == "missing" and loc in misspelt):
                continue  # a required key that is there, misspelt: its "unknown key" line names it
            line = document.line_of(loc)
            where = format_key_path(loc) or "top level"
            problems.append(Problem(document.path, _message(item, model, loc), line, where))
    else:
        if not problems:
            return result
    problems.sort(key=lambda problem: problem.line)
    raise ContentError(_few_unknown_keys(problems, document.path))


# A file that is not a content file at all (a link to /etc/passwd, a config file) is all unknown
# keys: a few of them say so; hundreds would bury every other line of the page and the terminal.
MAX_UNKNOWN_KEYS = 5


def _few_unknown_keys(problems: list[Problem], path: str) -> list[Problem]:
    """Return ``problems`` with the unknown-key ones past the first three folded into one line, when there are more than MAX_UNKNOWN_KEYS."""
    unknown = [problem for problem in problems if problem.message.startswith("unknown key")]
    if len(unknown) <= MAX_UNKNOWN_KEYS:
        return problems
    hidden = set(map(id, unknown[3:]))
    summary = Problem(path, f"and {len(hidden):,} more unknown keys; check that this is a content file "
                      "(a report's YAML, e.g. content/107005.yaml)", unknown[3].line)
    kept = [problem for problem in problems if id(problem) not in hidden]
    return [*kept[: kept.index(unknown[2]) + 1], summary, *kept[kept.index(unknown[2]) + 1 :]]


def _misspellings(items: list[dict[str, Any]], model: type[BaseModel]) -> set[KeyPath]:
    """Return the key paths of required keys that an unknown key beside them is a misspelling of (``titel`` for ``title``)."""
    found = set()
    for item in items:
        if item["type"] == "extra_forbidden":
            loc = _clean_loc(item["loc"])
            close = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=SUGGESTION_CUTOFF)
            if close:
                found.add((*loc[:-1], close[0]))
    return found


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    """Return pydantic's location without its internal steps (e.g. 'function-after[…]', a mapping key's '[key]')."""
    return tuple(part for part in loc if isinstance(part, int)
                 or not (str(part).startswith(("function-", "lax-", "strict-")) or part == "[key]"))


def _message(item: dict[str, Any], model: type[BaseModel], loc: KeyPath) -> str:
    """Return a plain-language message for one pydantic error."""
    kind, value = item["type"], item.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        return _unknown_key(str(loc[-1]), allowed)
    if kind == "string_type":
        return f"expected text, got {_describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list (lines starting with '- '), got {_describe(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {_describe(value)}"
    if kind == "bool_type":
        return f"expected true or false, got {_describe(value)}"
    if kind == "too_short":
        return "must have at least one item"
    if kind == "too_long":
        actual = len(value) if isinstance(value, (list, str)) else item["ctx"].get("actual_length") or 0
        advice = "split the report" if loc and loc[-1] in ("sections", "topics", "points") else "shorten the list"
        return f"has {actual:,} items; at most {item['ctx']['max_length']:,} are allowed — {advice}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {_describe(value)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least {ge:g}" if kind == "greater_than_equal" else "at most {le:g}"
        return f"must be {bound.format(**item['ctx'])}, not {value:g}"
    if kind == "literal_error":
        return f"expected {item['ctx']['expected']}, not {value!r}"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    return item["msg"][0].lower() + item["msg"][1:]


SUGGESTION_CUTOFF = 0.7  # how alike (difflib's ratio) an unknown key and a known one must be to name it


def _unknown_key(key: str, allowed: list[str]) -> str:
    """Return the message for an unknown ``key``: the known key it is likely a misspelling of, then the keys allowed."""
    if not allowed:
        return "unknown key"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=SUGGESTION_CUTOFF)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key; {guess}allowed here: {', '.join(allowed)}"


def _describe(value: Any) -> str:
    """Return what a YAML value is, in words."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Return the field names allowed by the model found at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    """Return the model class inside ``list[X]`` or ``X | None``, or the annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is not None:
        for arg in get_args(annotation):
            found = _model_in(arg)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
    return annotation
