"""Import: a report's text or PDF → its 提要 and metadata as content YAML.

``pdftext`` (PDF → lines in the conventions of an extracted text),
``summary`` (lines → sections, topics, points) and ``report`` (metadata
around the 提要, the check against the content model, the YAML written).
"""
