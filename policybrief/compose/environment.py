"""The one place where the Jinja environment is built, and the template search path.

Templates are looked up on a search path: the user's override folders first,
then the built-in templates. Content reaches templates only as data (never as
template source), HTML is autoescaped and every undefined name is an error.
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from policybrief.compose.addresses import ResolvingLoader
from policybrief.errors import BriefError, Problem, TemplateError, shown_path
from policybrief.output import cache_folder
from policybrief.typography.rules import LATIN_LANG, latin_phrases


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


# What one render of a template may spend. The built-in templates need a few
# hundred loop steps, macro calls two deep and a tenth of a second; these
# limits are far above that and stop a mistaken or hostile template (a loop
# over range(10**9), a macro that calls itself, loops nested three deep)
# with a located message instead of running for minutes.
MAX_RANGE = 10_000  # numbers in one range()
MAX_STEPS = 1_000_000  # loop steps over range() and calls, in one render
MAX_NESTING = 50  # macros and calls inside each other
MAX_SIZE = 1_000_000  # a number passed to a call, or the length a * or % may make
RENDER_SECONDS = 20.0


class TemplateLimit(jinja2.exceptions.TemplateRuntimeError):
    """A template went past a limit of one render (steps, size, nesting or time); ``hint`` says what to change."""

    def __init__(self, message: str, hint: str = "loop over the template variables, not over large ranges") -> None:
        super().__init__(message)
        self.hint = hint


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, with the cost of one render bounded (see MAX_RANGE…RENDER_SECONDS)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)  # lipsum(n=10**9) is unbounded text: no template needs it
        # Filters are called directly, not through call(): the same check of their numbers ('x'|center(10**9)).
        self.filters = {name: _bounded(function) for name, function in self.filters.items()}
        self.start_render()

    def start_render(self) -> None:
        """Give the next render its own budget of steps, nesting and time."""
        self._steps, self._nesting = 0, 0
        self._deadline = time.monotonic() + RENDER_SECONDS

    def _step(self, count: int = 1) -> None:
        """Count ``count`` steps of work; raise TemplateLimit past the step or time budget."""
        self._steps += count
        if self._steps > MAX_STEPS:
            raise TemplateLimit(f"the template takes more than {MAX_STEPS:,} steps (loops inside loops?)")
        if not self._steps % 1000 and time.monotonic() > self._deadline:
            raise TemplateLimit(f"the template took more than {RENDER_SECONDS:g} seconds to render")

    def _range(self, *args: int) -> Iterator[int]:
        """Return range(*args), refused over MAX_RANGE numbers and counted step by step."""
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateLimit(f"range() of {len(numbers):,} numbers is more than the {MAX_RANGE:,} a template may loop over")
        return self._counted(numbers)

    def _counted(self, numbers: range) -> Iterator[int]:
        for number in numbers:
            self._step()
            yield number

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        """Call ``__obj`` from a template: counted, nested at most MAX_NESTING deep, with no huge number as argument."""
        __self._step()
        _check_numbers((*args, *kwargs.values()))
        if __self._nesting >= MAX_NESTING:
            raise TemplateLimit(f"macros or calls nested more than {MAX_NESTING} deep (a macro that calls itself?)",
                                "end the recursion: a macro may call itself only a few times")
        __self._nesting += 1
        try:
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            __self._nesting -= 1

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Return ``left operator right``, refused when it would make a huge value (``'x' * 10**9``, ``10 ** 10**9``)."""
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateLimit(f"the power ** {_short_number(right)} is too large for a template")
        if operator == "*":
            for text, times in ((left, right), (right, left)):
                if isinstance(text, (str, list, tuple)) and isinstance(times, int) and len(text) * times > MAX_SIZE:
                    raise TemplateLimit(f"repeating a text or list to more than {MAX_SIZE:,} items is too large for a template")
        if operator == "%" and isinstance(left, str) and any(int(width) > MAX_SIZE for width in re.findall(r"%[-+ #0]*(\d+)", left)):
            raise TemplateLimit(f"a % format wider than {MAX_SIZE:,} characters is too large for a template")
        return super().call_binop(context, operator, left, right)


class RenderTimeout(Exception):
    """Raised inside a render that ran past RENDER_SECONDS (see ``_Deadline``)."""


class _Deadline:
    """Stop the render running in this thread once it has run ``seconds``, wherever it is.

    Loops over a template's own lists call nothing the sandbox can count, so
    a timer thread raises RenderTimeout in the rendering thread (CPython's
    PyThreadState_SetAsyncExc: it is raised at the thread's next bytecode).
    An exception still pending when the render ends is withdrawn.
    """

    def __init__(self, seconds: float) -> None:
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.active, self.fired = True, False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def _fire(self) -> None:
        with self.lock:
            if self.active:
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), ctypes.py_object(RenderTimeout))

    def __exit__(self, *_: object) -> None:
        with self.lock:
            self.active = False
            if self.fired:  # raised already, or still pending: never let it escape later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), None)
        self.timer.cancel()
        self.timer.join()


def _check_numbers(values: tuple[Any, ...]) -> None:
    """Raise TemplateLimit when one of ``values`` is a whole number larger than MAX_SIZE."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            raise TemplateLimit(f"the number {_short_number(value)} passed to a call is larger than {MAX_SIZE:,}",
                                "use smaller numbers: templates loop over the template variables")


def _bounded(function: Any) -> Any:
    """Return filter ``function`` refusing numbers larger than MAX_SIZE among its arguments (Jinja's pass_* marks kept)."""

    skip = 2 if hasattr(function, "jinja_pass_arg") else 1  # the context or environment, then the filtered value

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_numbers((*args[skip:], *kwargs.values()))
        return function(*args, **kwargs)

    return bounded


def _short_number(value: float) -> str:
    """Return ``value`` for a message: whole when short, else by its number of digits."""
    text = str(value) if isinstance(value, float) or abs(value) < 10**12 else f"of {len(str(abs(value))):,} digits"
    return text


def make_environment(folders: list[Path]) -> jinja2.Environment:
    """Return a sandboxed, autoescaping, strict Jinja environment over ``folders``, its renders' cost bounded."""
    env = LimitedEnvironment(
        loader=ResolvingLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(host=host, short_url=short_url, latin=latin)
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


def short_url(url: str, limit: int = 60) -> str:
    """Return ``url`` as a reader would type it: no scheme, no ``www.``; when longer than ``limit`` characters, cut
    after a ``/`` and marked ``…`` (never inside a name), so it still reads as an address (the ``short_url`` filter)."""
    parts = urlsplit(url)
    text = host(url) + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    if len(text) <= limit:
        return text
    cut = text.rfind("/", 0, limit)
    return text[: cut + 1] + "…" if cut > 0 else text


def latin(text: Any) -> Markup:
    """Return ``text`` escaped, each Latin phrase in it (``rules.latin_phrases``) in a span of its language (the ``latin`` filter).

    ``<span lang="en">IMF</span>``: a screen reader, and the brief's structure
    tree, then read it in English, not with the page's Chinese voice.
    """
    if isinstance(text, Markup):
        return text  # already HTML: its phrases are the template's to mark
    text = str(text)
    parts, position = [], 0
    for start, end in latin_phrases(text):
        parts += [escape(text[position:start]), Markup('<span lang="{}">{}</span>').format(LATIN_LANG, text[start:end])]
        position = end
    return Markup("").join([*parts, escape(text[position:])])


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Return template ``name`` rendered with ``context``; raise TemplateError with file and line."""
    if isinstance(env, LimitedEnvironment):
        env.start_render()
    try:
        with _Deadline(RENDER_SECONDS):
            return env.get_template(name).render(context)
    except BriefError:
        raise
    except RenderTimeout as error:
        where, line = _template_frame(error, name)
        raise TemplateError(Problem(where, f"template stopped: it took more than {RENDER_SECONDS:g} seconds to render", line,
                                    hint="loop over the template variables, not over large ranges or repeated lists")) from None
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
    except TemplateLimit as error:
        where, line = _template_frame(error, name)
        raise TemplateError(Problem(where, f"template stopped: {error}", line, hint=error.hint)) from None
    except UnicodeDecodeError as error:
        where, line = _undecodable(error, name)
        raise TemplateError(Problem(where, "is not UTF-8 text", line, hint="save the template as UTF-8")) from None
    except RecursionError as error:
        where, line = _loop_frame(error, name)  # the template (and its folder) where the loop starts
        raise TemplateError(Problem(where, "template stopped: it nests too deeply (a macro, include or block "
                                    "that uses itself?)", line, hint="remove the loop between them")) from None
    except Exception as error:  # anything else a template did wrong: 1 / 0, a wrong type, a value too large
        where, line = _template_frame(error, name)
        raise TemplateError(Problem(where, f"template error: {type(error).__name__}: {_first_line(error)}", line,
                                    hint="check the expression on that line")) from None


def _first_line(error: BaseException) -> str:
    """Return the first line of ``error``'s message, at most 120 characters."""
    text = (str(error).splitlines() or [""])[0].rstrip(".")
    return text if len(text) <= 120 else text[:119] + "…"


def _undecodable(error: UnicodeDecodeError, default: str) -> tuple[str, int]:
    """Return (template file, line) of the bytes that are not UTF-8, from the loader's frame in the traceback."""
    tb, filename = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "get_source" and isinstance(tb.tb_frame.f_locals.get("filename"), str):
            filename = tb.tb_frame.f_locals["filename"]
        tb = tb.tb_next
    line = error.object[: error.start].count(b"\n") + 1 if isinstance(error.object, bytes) else 0
    return (_shown(filename) if filename else default), line


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
    frames = _template_frames(error)
    return frames[-1] if frames else (default, 0)


def _loop_frame(error: RecursionError, default: str) -> tuple[str, int]:
    """Return (template file, line) where a template loop starts: the outermost frame that comes again deeper down.

    The innermost frame depends on how deep the stack was when the render
    began; the first repeated one does not.
    """
    from collections import Counter

    frames = _template_frames(error)
    counts = Counter(frames)
    return next((frame for frame in frames if counts[frame] > 1), frames[-1] if frames else (default, 0))


def _template_frames(error: BaseException) -> list[tuple[str, int]]:
    """Return (template file, line) of every template frame in ``error``'s traceback, outermost first."""
    found = []
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".xml", ".css", ".jinja")) or "<template>" in filename:
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            found.append((_shown(filename), line))
        tb = tb.tb_next
    return found


def _shown(filename: str) -> str:
    """Return a template path relative to the working folder when inside it."""
    return shown_path(Path(filename)) if filename and not filename.startswith("<") else filename
