"""The one place where the Jinja environment is built, and the template search path.

Templates are looked up on a search path: the user's override folders first,
then the built-in templates. Content reaches templates only as data (never as
template source), HTML is autoescaped and every undefined name is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from policybrief.errors import Problem, TemplateError, shown_path
from policybrief.output import cache_folder


def builtin_templates() -> Path:
    """Return the folder of built-in templates (shipped in the package, or the checkout's)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


def search_path(user_dirs: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """Return the template folders in lookup order: user overrides, then built-ins."""
    return [*(Path(d).resolve() for d in user_dirs), builtin_templates().resolve()]


def find_file(folders: list[Path], name: str) -> Path | None:
    """Return the first file ``name`` on the search path ``folders`` that lies inside its folder, or None."""
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file() and candidate.resolve().is_relative_to(Path(folder).resolve()):
            return candidate
    return None


def make_environment(folders: list[Path]) -> jinja2.Environment:
    """Return a sandboxed, autoescaping, strict Jinja environment over ``folders``."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(host=host, short_url=short_url)
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Return a cache of compiled templates in the user's cache folder (None when it cannot be made).

    Compiling the templates is most of the time ``check`` spends in Jinja;
    a compiled template is reused while its source file is unchanged.
    """
    folder = cache_folder("templates")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def host(url: str) -> str:
    """Return the host name of ``url`` without ``www.``, e.g. whitehouse.gov (the ``host`` filter)."""
    name = urlsplit(url).hostname or url
    return name.removeprefix("www.")


def short_url(url: str, limit: int = 40) -> str:
    """Return ``url`` as a reader would type it: no scheme, no ``www.``, cut to ``limit`` characters with … (the ``short_url`` filter)."""
    parts = urlsplit(url)
    text = host(url) + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Return template ``name`` rendered with ``context``; raise TemplateError with file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as error:
        raise TemplateError(_not_found(env, error, name)) from None
    except jinja2.TemplateSyntaxError as error:
        where = _shown(error.filename or error.name or name)
        raise TemplateError(Problem(where, f"template syntax error: {_syntax_problem(error.message or '')}", error.lineno)) from None
    except jinja2.UndefinedError as error:
        where, line = _template_frame(error, name)
        raise TemplateError(Problem(where, _undefined(error.message or ""), line,
                                    hint="check the name against the template variables")) from None
    except jinja2.exceptions.SecurityError as error:
        where, line = _template_frame(error, name)
        raise TemplateError(Problem(where, f"not allowed in a template: {str(error).rstrip('.')}", line,
                                    hint="use only the template variables and their fields")) from None


def _not_found(env: jinja2.Environment, error: jinja2.TemplateNotFound, name: str) -> str:
    """Return the message for a missing template, naming the template that asked for it."""
    folders = ", ".join(_shown(f) for f in getattr(env.loader, "searchpath", []))
    if error.name == name:
        return f"template {name!r} not found; looked in: {folders}."
    where, line = _template_frame(error, name)
    return (f"{where}:{line}: includes {error.name!r}, which is not in the template folders ({folders}); "
            "check the name — templates may use only files inside those folders.")


def _undefined(message: str) -> str:
    """Return Jinja's undefined-name message without Python's module path."""
    attribute = re.fullmatch(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'", message)
    if attribute:
        return f"{attribute[1]} has no field {attribute[2]!r}"
    return message


def _syntax_problem(message: str) -> str:
    """Return Jinja's syntax message as one sentence, saying which block to close."""
    innermost = re.search(r"The innermost block that needs to be closed is '(\w+)'", message)
    if innermost:
        tag = innermost[1]
        return f"'{{% {tag} %}}' is not closed; add '{{% end{tag} %}}' where its block ends"
    return message.split(". ")[0].rstrip(".")


def _template_frame(error: BaseException, default: str) -> tuple[str, int]:
    """Return (template file, line) of the innermost template frame in ``error``'s traceback."""
    found = (default, 0)
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        filename = code.co_filename
        if filename.endswith((".j2", ".html", ".xml", ".css", ".jinja")) or "<template>" in filename:
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            found = (_shown(filename), line)
        tb = tb.tb_next
    return found


def _shown(filename: str) -> str:
    """Return a template path relative to the working folder when inside it."""
    return shown_path(Path(filename)) if filename and not filename.startswith("<") else filename
