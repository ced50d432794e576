"""The preview server's own pages: the list of content files and the preview of one.

Both are written with the current state already in them, so a page fetched
anew shows the last build's problems at once; ``assets/preview.js`` then
keeps it current from the server's event stream.
"""

from __future__ import annotations

from html import escape

ASSETS = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}


def index_page(names: list[str]) -> str:
    """Return the HTML of ``GET /``: every content file, linking its preview."""
    items = "\n".join(f'<li><a href="/{escape(name)}/">{escape(name)}</a></li>' for name in names)
    return _document("policybrief preview", f"""
<header class="bar"><h1>policybrief preview</h1></header>
<main class="index">
<h2>Content files</h2>
<ul>
{items}
</ul>
</main>""")


def preview_page(state: dict) -> str:
    """Return the HTML of ``GET /<name>/``: web edition, PDF pages and slides side by side, with the build's state."""
    name = escape(state["name"])
    version = escape(state["web"])
    web = f"{version}&amp;live" if state["web"] else "about:blank"  # never "": the frame would load this page into itself
    return _document(f"{name} · policybrief preview", f"""
<header class="bar">
<h1><a href="/">policybrief</a> · {name}</h1>
<p id="status" aria-live="polite">{escape(status_line(state))}</p>
<nav aria-label="Outputs"><a href="{name}.html">Web edition</a> <a href="{name}.pdf">PDF</a> <a href="{name}.pptx">Slides (PPTX)</a></nav>
</header>
<div id="problems" class="problems"{'' if state["errors"] else ' hidden'}>
<h2>Build problems — the last good outputs stay shown</h2>
<ul id="errors">{''.join(f'<li>{escape(line)}</li>' for line in state["errors"])}</ul>
</div>
<div id="notes" class="notes"{'' if state["warnings"] else ' hidden'}>
<h2>Warnings</h2>
<ul id="warnings">{''.join(f'<li>{escape(line)}</li>' for line in state["warnings"])}</ul>
</div>
<main class="panes">
<section class="pane web" aria-labelledby="web-title">
<h2 id="web-title">Web edition <span class="pending" id="web-pending"></span></h2>
<iframe id="web" title="Web edition of {name}" src="{web}" data-version="{version}"></iframe>
</section>
<section class="pane" aria-labelledby="pages-title">
<h2 id="pages-title">PDF pages <span class="pending" id="pages-pending"></span></h2>
<ol class="images" id="pages" data-kind="PDF page" data-shown="{escape(" ".join(state["pages"]))}">{_images(state["pages"], "PDF page")}</ol>
</section>
<section class="pane" aria-labelledby="slides-title">
<h2 id="slides-title">Slides <span class="pending" id="slides-pending"></span></h2>
<ol class="images" id="slides" data-kind="Slide" data-shown="{escape(" ".join(state["slides"]))}">{_images(state["slides"], "Slide")}</ol>
</section>
</main>
<script src="/_/preview.js"></script>""", name)


def status_line(state: dict) -> str:
    """Return the one-line summary of the last build (the script writes the same line)."""
    if not state["built"]:
        return "Building…"
    times = " · ".join(f"{label} {seconds:.2f} s" for label, seconds in state["seconds"].items())
    pending = f" — still making: {', '.join(state['pending'])}" if state["pending"] else ""
    return f"Built {state['built']}" + (f" ({times})" if times else "") + pending


def _images(urls: list[str], kind: str) -> str:
    """Return the list items of the images at ``urls``."""
    return "".join(f'<li><img src="{escape(url)}" alt="{kind} {number}"></li>'
                   for number, url in enumerate(urls, 1))


def _document(title: str, body: str, name: str = "") -> str:
    """Return a whole HTML page around ``body``."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/_/preview.css">
</head>
<body data-name="{name}">{body}
</body>
</html>
"""
