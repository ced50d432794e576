"""The project's own settings: ``policybrief.yaml`` and a starter templates folder.

``policybrief.yaml`` in the working folder may name template folders
(``templates: [my-templates]``, relative to that file); they are searched
after the ``--templates`` folders and before the built-ins. ``init_templates``
copies the built-in templates into a new folder for a designer to edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from policybrief.errors import OutputError, TemplateError

PROJECT_FILE = "policybrief.yaml"
TEMPLATES_README = """\
# Your templates

This folder was made by `python build.py init-templates`. Use it with
`python build.py --templates {folder}` (or list it under `templates:` in a
policybrief.yaml next to your content folder). Each file here overrides the
built-in file of the same name; a file you delete falls back to the built-in,
so keep only the files you change:

- theme.yaml            colours, fonts, sizes, page margins, logo and the deck's
                        master and layout names: the one file for both outputs;
                        it may hold only the keys you change
- brief/base.html       the brief's HTML; better: keep brief/brief.html and
                        replace one block, e.g. {{% block cover %}}
- brief/brief.html      the file the build renders; extends brief/base.html
- brief/brief.css       the brief's stylesheet (its colours come from theme.yaml)
- deck/base.xml         the slide plan; deck/deck.xml extends it
- deck/master.pptx      the slide master: its layouts and placeholders

See docs/customising.md for three worked examples.
"""


def project_templates(folder: Path = Path(".")) -> list[Path]:
    """Return the template folders ``policybrief.yaml`` in ``folder`` names (none without the file)."""
    path = folder / PROJECT_FILE
    if not path.is_file():
        return []
    # Imported only when the file exists: a no-change rebuild without it reads no YAML.
    from policybrief.content import shown_path
    from policybrief.schema import Project
    from policybrief.validate import validate
    from policybrief.yamlfile import load_yaml

    document = load_yaml(path, shown_path(path), example="templates")
    project = validate(document, Project)
    folders = [(folder / name) for name in project.templates]
    for index, (name, found) in enumerate(zip(project.templates, folders, strict=True)):
        if not found.is_dir():
            where = f"{document.path}:{document.line_of(('templates', index))}"
            raise TemplateError(f"{where}: templates folder {name!r} does not exist; fix the path (it is relative to {PROJECT_FILE}).")
    return folders


def init_templates(target: Path) -> list[Path]:
    """Return the files written after copying the built-in templates and a README into ``target``."""
    from policybrief.templating import builtin_templates

    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target}: is not an empty folder; name a new folder for the templates.")
    try:
        shutil.copytree(builtin_templates(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        (target / "README.md").write_text(TEMPLATES_README.format(folder=target), encoding="utf-8")
    except OSError as error:  # e.g. a file in the way of a parent folder, no permission, disk full
        reason = error.strerror or "a file could not be copied"  # shutil.Error collects several, without a strerror
        raise OutputError(f"{target}: cannot create the templates folder ({reason}); name another folder.") from None
    return sorted(p for p in target.rglob("*") if p.is_file())
