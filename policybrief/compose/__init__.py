"""Compose: everything templates receive and where they are found.

``environment`` (the one Jinja environment and the template search path),
``theme`` (theme.yaml's design tokens), ``dates`` (the one reading of the
build date), ``context`` (the one template context every output renders) and
``fetch`` (the only files WeasyPrint may read: template and content folders).
"""
