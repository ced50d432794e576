"""The URL fetcher WeasyPrint uses: only files inside allowed folders, and data: URLs.

Network URLs are refused before any request is made; ``file:`` paths whose
real location is outside the template and content folders are refused too.
A refusal stops the build with the template's name and the URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            real = Path(os.path.realpath(unquote(urlsplit(url).path)))
            if not any(real == root or root in real.parents for root in self.roots):
                raise RefusedURL(url, "it is outside the template and content folders; copy the file into one of them")
        elif scheme != "data":
            raise RefusedURL(url, "the brief never fetches from the network; copy the file into the template or content folder")
        return super().fetch(url, headers)


def refused_error(error: RefusedURL, template: str) -> FetchError:
    """Return the user-facing error for a refused URL in ``template``."""
    return FetchError(f"{template}: refers to {error.url}, which is not allowed: {error.reason}.")
