"""Build policy briefs and decks: ``python3 build.py --help``.

Runs under any ``python3``: it hands itself over to the project's own Python
(``.venv/bin/python``, made by ``make``) when that exists, and otherwise says in
one line to run ``make`` first, instead of failing on a missing module.
"""

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
# What the first command needs; the rest of the dependencies come with the same install.
HANDED_OVER = "POLICYBRIEF_HANDED_OVER"
NEEDED = ("policybrief", "click", "yaml", "jinja2", "pydantic", "weasyprint", "pptx")


def running_in_venv() -> bool:
    """Return whether this interpreter is the project's ``.venv`` one."""
    try:
        return Path(sys.prefix).resolve() == VENV.resolve()
    except OSError:
        return False


def missing_modules() -> list[str]:
    """Return the names in NEEDED this interpreter cannot import."""
    sys.path.insert(0, str(HERE))
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def main() -> int:
    """Run the command line in the project's Python; return its exit code."""
    if not running_in_venv():
        if VENV_PYTHON.exists() and not os.environ.get(HANDED_OVER):
            # os.execv replaces this process: same pid, signals and terminal, no second Python waiting.
            # The mark stops a loop should that Python not count as the .venv's (a broken or moved venv).
            os.environ[HANDED_OVER] = "1"
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(Path(__file__)), *sys.argv[1:]])
        if missing_modules():
            sys.stderr.write(f"{HERE.name}: the project is not set up yet (no .venv): run `make` in {HERE} first, "
                             "then `python3 build.py` again.\n")
            return 1
    from policybrief.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
