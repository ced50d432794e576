"""The web edition: the brief's content and look as one self-contained HTML page for screens.

``page`` renders ``web/web.html`` (which extends the brief's ``brief/base.html``)
with the one template context, inlines the theme's fonts cut to the page's
characters, and turns every file the page refers to into a ``data:`` URL.
"""
