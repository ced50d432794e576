"""The URL fetcher WeasyPrint uses: only files inside allowed folders, and data: URLs.

Network URLs are refused before any request is made; ``file:`` paths whose
real location is outside the template and content folders are refused too,
and so are CSS ``@import`` rules that point there (``refuse_imports``).
A refusal stops the build with the template's name and the URL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from policybrief.errors import FetchError
from policybrief.typography.native import import_weasyprint

import_weasyprint()  # before WeasyPrint's own modules: its libraries found through the loader cache (native.py)
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402


class RefusedURL(FatalURLFetchingError):
    """Raised inside WeasyPrint to stop a render at a refused URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url)
        self.url = url
        self.reason = reason


class SandboxFetcher(URLFetcher):
    """Fetch ``data:`` URLs and ``file:`` URLs under ``roots``; refuse the rest."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [Path(os.path.realpath(r)) for r in roots]

    def fetch(self, url: str, headers: dict | None = None):  # noqa: D102 - WeasyPrint's API
        reason = self.refusal(url)
        if reason:
            raise RefusedURL(url, reason)
        return super().fetch(url, headers)

    def refusal(self, url: str) -> str | None:
        """Return why ``url`` may not be read (None when it may): not a data: URL nor a file inside the roots."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            real = Path(os.path.realpath(unquote(urlsplit(url).path)))
            if not any(real == root or root in real.parents for root in self.roots):
                return "it is outside the template and content folders; copy the file into one of them"
        elif scheme != "data":
            return "the brief never fetches from the network; copy the file into the template or content folder"
        return None


# An @import rule's address: @import "x.css", @import 'x.css', @import url(x.css), @import url("x.css").
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1""", re.IGNORECASE)


def refuse_imports(html: str, base_url: str, fetcher: SandboxFetcher) -> None:
    """Raise RefusedURL for the first CSS ``@import`` in ``html`` whose address ``fetcher`` refuses.

    WeasyPrint drops an @import it cannot apply (one after other rules, as
    in the brief's inlined stylesheet) without asking the fetcher, so a file
    outside the template folders would pass without a word.
    """
    styles = re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.IGNORECASE | re.DOTALL)  # not the text: a report may quote CSS
    for match in (found for style in styles for found in _IMPORT.finditer(style)):
        url = urljoin(base_url, match.group(2))
        reason = fetcher.refusal(url)
        if reason:
            raise RefusedURL(match.group(2), reason)


def refused_error(error: RefusedURL, template: str) -> FetchError:
    """Return the user-facing error for a refused URL in ``template``."""
    return FetchError(f"{template}: refers to {error.url}, which is not allowed: {error.reason}.")
