"""Load: read YAML files with the line of every key, validate them against typed models.

``yamlfile`` (safe YAML with lines), ``schema`` (the content model),
``validate`` (model errors as located problems), ``glyphs`` (every character
drawable in the theme's fonts), ``content`` (a content file → a Report that
remembers where each text came from) and ``project`` (policybrief.yaml).
"""
