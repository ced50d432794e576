"""Policy-brief generator: a report's 提要 in YAML → a PDF brief and a PPTX deck."""

__version__ = "0.1.0"
