"""Typography: the rules and measurements every output shares.

``rules`` (where a line may break), ``text`` (normalising CJK text),
``numbering`` (壹、一、 and the ROC date), ``fonts`` (finding installed faces)
and ``measure`` (widths from the real fonts, shaped by HarfBuzz). Nothing here
knows about content files, templates or outputs.
"""
