"""The deck: the template context → slide plan (``plan``) → fitted slides (``fit``) → PPTX (``writer``).

``master`` finds the slide master and reads its layouts and placeholders;
``ooxml`` is the one module that touches slide XML, where python-pptx has no
public API for what the deck needs.
"""
