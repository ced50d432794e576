"""The project's own settings: ``policybrief.yaml``.

``policybrief.yaml`` in the working folder may name template folders
(``templates: [my-templates]``, relative to that file); they are searched
after the ``--templates`` folders and before the built-ins. ``pdf_seconds``
is the time a brief's PDF may take to lay out and write (60 by default).
"""

from __future__ import annotations

from pathlib import Path

from policybrief.errors import TemplateError

PROJECT_FILE = "policybrief.yaml"
PDF_SECONDS = 60.0


def project_pdf_seconds(folder: Path = Path(".")) -> tuple[float, str]:
    """Return the seconds a brief's PDF may take and where that is said (``policybrief.yaml:3``, or the default's name)."""
    path = folder / PROJECT_FILE
    if not path.is_file():
        return PDF_SECONDS, f"pdf_seconds in {PROJECT_FILE}"
    from policybrief.errors import shown_path
    from policybrief.load.schema import Project
    from policybrief.load.validate import validate
    from policybrief.load.yamlfile import load_yaml

    document = load_yaml(path, shown_path(path), example="templates")
    project = validate(document, Project)
    line = document.lines.get(("pdf_seconds",))
    return project.pdf_seconds, (f"pdf_seconds at {document.path}:{line}" if line else f"pdf_seconds in {PROJECT_FILE}")


def project_templates(folder: Path = Path(".")) -> list[Path]:
    """Return the template folders ``policybrief.yaml`` in ``folder`` names (none without the file)."""
    path = folder / PROJECT_FILE
    if not path.is_file():
        return []
    # Imported only when the file exists: a no-change rebuild without it reads no YAML.
    from policybrief.errors import shown_path
    from policybrief.load.schema import Project
    from policybrief.load.validate import validate
    from policybrief.load.yamlfile import load_yaml

    document = load_yaml(path, shown_path(path), example="templates")
    project = validate(document, Project)
    folders = [(folder / name) for name in project.templates]
    for index, (name, found) in enumerate(zip(project.templates, folders, strict=True)):
        if not found.is_dir():
            where = f"{document.path}:{document.line_of(('templates', index))}"
            raise TemplateError(f"{where}: templates folder {name!r} does not exist; fix the path (it is relative to {PROJECT_FILE}).")
    return folders
