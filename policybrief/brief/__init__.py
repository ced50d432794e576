"""The brief: the template context → HTML (``html``) → PDF (``pdf``).

``subset`` cuts the theme's fonts down to the brief's characters before
WeasyPrint embeds them; ``compose.fetch`` lets WeasyPrint read only files
inside the template and content folders.
"""
