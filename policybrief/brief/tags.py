"""The brief's structure tree: what a screen reader reads, built from the HTML elements, not from the pages.

WeasyPrint 70 tags a PDF page by page: an element that spans pages becomes
one structure element per page (the 提要 was six ``Part``s), running heads and
folios are tagged as content under no element, a contents entry is
``NonStruct``, a link annotation can hang under a ``Span``, and ``lang`` on an
inline element is dropped. This module replaces WeasyPrint's ``add_tags``
for the duration of one ``write_pdf`` (see ``tagging``) and builds the tree
again from the same boxes and marked content:

* one structure element per HTML element, however many pages it spans, so
  the tree nests by section (``Sect`` > ``H2``, ``Sect`` > ``H3``, ``Div`` > ``P``);
* text in ``@page`` margin boxes (running heads, folios) becomes ``/Artifact``
  marked content; rules and backgrounds already are;
* the contents (``nav.toc``) is ``TOC`` > ``TOCI`` > ``Reference`` > ``Link``;
  each internal link annotation's ``/Contents`` reads 「壹、…，第 4 頁」;
* every link annotation is an ``OBJR`` of its ``Link`` element;
* lists are ``L`` > ``LI`` > ``Lbl`` + ``LBody``; table cells keep ``TH`` and
  their ``scope`` as ``/Scope``; ``lang`` on any element becomes ``/Lang``;
* spans without a language (the justified lines, say) add no element.

Marked-content ids are renumbered per page after the artifacts are taken
out, so each page's entry of the parent tree has no holes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

HEADINGS = {f"h{level}": f"H{level}" for level in range(1, 7)}
BLOCKS = {"p": "P", "div": "Div", "section": "Sect", "main": "Part", "article": "Art", "aside": "Aside",
          "blockquote": "BlockQuote", "figure": "Figure", "figcaption": "Caption", "caption": "Caption",
          "table": "Table", "thead": "THead", "tbody": "TBody", "tfoot": "TFoot", "tr": "TR", "th": "TH",
          "td": "TD", "img": "Figure", "nav": "Sect", **HEADINGS}


@contextmanager
def tagging() -> Iterator[None]:
    """Make WeasyPrint's PDF writer build the structure tree with ``add_tags`` from here, until the block ends."""
    import weasyprint.pdf as writer

    original = writer.add_tags
    writer.add_tags = add_tags
    try:
        yield
    finally:
        writer.add_tags = original


@dataclass(eq=False)
class Node:
    """A structure element, made in the PDF only once something is put in it."""

    kind: str
    parent: Node | None
    attributes: dict = field(default_factory=dict)
    in_toc: bool = False
    element: Any = None  # the HTML element (kept for links: their href and text)
    entry: Any = None  # the pydyf dictionary, once made
    _body: Node | None = None  # LI → LBody; TOCI → Reference

    def inner(self, kind: str) -> Node:
        """Return the node a child of ``kind`` goes in: an LI's LBody (not for its Lbl), a TOCI's Reference."""
        wrapper = {"LI": "LBody", "TOCI": "Reference"}.get(self.kind)
        if wrapper is None or kind == "Lbl" or (self.kind == "TOCI" and kind == "TOC"):
            return self
        if self._body is None:
            self._body = Node(wrapper, self, in_toc=self.in_toc)
        return self._body


class TreeBuilder:
    """Builds the structure tree of one PDF from the laid-out pages and their marked content."""

    def __init__(self, pdf: Any, document: Any, pdf_version: Any) -> None:
        import pydyf

        self.pydyf, self.pdf, self.document = pydyf, pdf, document
        self.parent_tree = pydyf.Dictionary({"Nums": pydyf.Array()})
        pdf.add_object(self.parent_tree)
        self.root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": self.parent_tree.reference})
        pdf.add_object(self.root)
        self.top = Node("Document", None)
        self.top.entry = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(),
                                           "P": self.root.reference})
        pdf.add_object(self.top.entry)
        self.root["K"] = pydyf.Array([self.top.entry.reference])
        pdf.catalog["StructTreeRoot"] = self.root.reference
        if str(pdf_version) >= "2.0":  # PDF 2.0 names the standard structure namespace
            namespace = pydyf.Dictionary({"Type": "/Namespace", "NS": pydyf.String("http://iso.org/pdf2/ssn")})
            pdf.add_object(namespace)
            self.root["Namespaces"] = pydyf.Array([namespace.reference])
            self.top.entry["NS"] = namespace.reference
        self.nodes: dict[tuple[int, str], Node] = {}
        self.annotations: list[tuple[Any, Any]] = []
        self.page_number = 0
        self.page_parents: list[Any] = []
        self.renumbered: dict[int, int] = {}

    # --- pages ---------------------------------------------------------------

    def add_page(self, page_number: int, page: Any, stream: Any) -> None:
        """Put the marked content of one page into the tree; its margin boxes become artifacts."""
        from weasyprint.formatting_structure import boxes

        self.page_number, self.tags = page_number, stream._tags
        page_box = page._page_box
        artifacts = {id(box) for margin in page_box.children if isinstance(margin, boxes.MarginBox)
                     for box in _descendants(margin)}
        kept = sorted(tag["mcid"] for box, tag in self.tags.items() if id(box) not in artifacts)
        self.renumbered = {old: new for new, old in enumerate(kept)}
        self.page_parents = [None] * len(kept)
        _rewrite_marks(stream, self.renumbered)
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):
                self._walk(child, self.top)
        for box in [box for box in self.tags if id(box) not in artifacts]:  # anything the walk missed stays readable
            self._content(box, self.top)
        self.parent_tree["Nums"].extend([page_number, self.pydyf.Array(self.page_parents)])

    def _walk(self, box: Any, parent: Node) -> None:
        """Add ``box`` and its descendants under ``parent``."""
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        node = self._node(box, parent)
        if getattr(box, "link_annotation", None):
            self._annotation(box, node)
        if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
            self._content(box, node)
        for child in getattr(box, "children", ()) if isinstance(box, boxes.ParentBox) else ():
            self._walk(child, node)

    def _node(self, box: Any, parent: Node) -> Node:
        """Return the node of ``box``'s element (made on its first box, reused on later pages); ``parent`` if it adds none."""
        if box.element is None or box.element_tag in ("html", "body"):
            return parent
        key = (id(box.element), box.element_tag)
        if key in self.nodes:
            return self.nodes[key]
        kind = _kind(box, parent)
        if kind is None:
            node = parent
        else:
            node = Node(kind, parent.inner(kind), _attributes(box, kind), element=box.element,
                        in_toc=parent.in_toc or (box.element_tag == "nav" and "toc" in _classes(box)))
        self.nodes[key] = node
        return node

    def _content(self, box: Any, node: Node) -> None:
        """Add the marked content drawn for ``box`` to ``node``."""
        tag = self.tags.pop(box, None)
        if tag is None or tag["mcid"] not in self.renumbered:
            return
        mcid = self.renumbered[tag["mcid"]]
        node = node.inner("Span")
        entry = self._made(node)
        if entry["Pg"] == self._page_reference():
            entry["K"].append(mcid)
        else:
            entry["K"].append(self.pydyf.Dictionary({"Type": "/MCR", "Pg": self._page_reference(), "MCID": mcid}))
        self.page_parents[mcid] = entry.reference

    def _annotation(self, box: Any, node: Node) -> None:
        """Hang ``box``'s link annotation under its Link element and give it readable ``/Contents``."""
        annotation = box.link_annotation
        link = node
        while link is not None and link.kind != "Link":
            link = link.parent
        link = link or node.inner("Link")
        described = self._description(link.element if link.element is not None else box.element)
        annotation["Contents"] = self.pydyf.String(described)
        if link.in_toc:
            link.attributes.setdefault("Alt", self.pydyf.String(described))
        reference = self.pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": self._page_reference()})
        self.pdf.add_object(reference)
        self._made(link)["K"].append(reference.reference)
        self.annotations.append((link.entry.reference, annotation))

    def _description(self, element: Any) -> str:
        """Return what the link ``element`` says: its text, and for a link inside the document the page it leads to.

        A link's inner boxes (its span, say) carry annotations of their own; all are described by the link.
        """
        text = " ".join("".join(element.itertext()).split())
        href = element.get("href", "")
        if href.startswith("#"):
            page = next((number for number, page in enumerate(self.document.pages, start=1) if href[1:] in page.anchors), None)
            if page is not None:
                return f"{text}，第 {page} 頁"
        return text

    def _made(self, node: Node) -> Any:
        """Return ``node``'s structure element, making it (and its parents) on first use."""
        if node.entry is None:
            parent = self._made(node.parent)
            node.entry = self.pydyf.Dictionary({"Type": "/StructElem", "S": f"/{node.kind}", "K": self.pydyf.Array(),
                                                "P": parent.reference, "Pg": self._page_reference(), **node.attributes})
            self.pdf.add_object(node.entry)
            parent["K"].append(node.entry.reference)
        return node.entry

    def _page_reference(self) -> Any:
        """Return the PDF reference of the page being added."""
        return self.pdf.page_references[self.page_number]

    # --- end -----------------------------------------------------------------

    def finish(self) -> None:
        """Number the link annotations into the parent tree and add what a tagged PDF must declare."""
        start = len(self.document.pages)
        for index, (element, annotation) in enumerate(self.annotations, start=start):
            self.parent_tree["Nums"].extend([index, element])
            annotation["StructParent"] = index
        self.pdf.catalog["ViewerPreferences"] = self.pydyf.Dictionary({"DisplayDocTitle": "true"})
        self.pdf.catalog["MarkInfo"] = self.pydyf.Dictionary({"Marked": "true"})
        if "Lang" not in self.pdf.catalog:
            self.pdf.catalog["Lang"] = self.pydyf.String()


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: list[Any]) -> None:
    """Add the structure tree of ``document`` to ``pdf`` (WeasyPrint's ``add_tags`` signature)."""
    builder = TreeBuilder(pdf, document, pdf_version)
    for number, (page, stream) in enumerate(zip(document.pages, page_streams, strict=True)):
        builder.add_page(number, page, stream)
    builder.finish()


def _kind(box: Any, parent: Node) -> str | None:
    """Return the structure type of ``box``'s element, or None when it adds no element of its own."""
    tag = box.element_tag
    if tag.endswith("::marker"):
        return "Lbl"
    if "::" in tag or tag == "br":
        return None
    if tag in ("ol", "ul", "dl"):
        return "TOC" if parent.in_toc else "L"
    if tag in ("li", "dt", "dd"):
        return "TOCI" if parent.kind == "TOC" else "LI"
    if tag == "a":
        return "Link" if box.element.get("href") else None
    if tag == "span":
        return "Span" if box.element.get("lang") else None
    return BLOCKS.get(tag)


def _attributes(box: Any, kind: str) -> dict:
    """Return the extra entries of ``box``'s structure element: language, table scope, alternative text."""
    import pydyf

    found = {}
    if box.element.get("lang"):
        found["Lang"] = pydyf.String(box.element.get("lang"))
    if kind in ("TH", "TD"):
        found["A"] = pydyf.Dictionary({"O": "/Table"})
        if kind == "TH":
            found["A"]["Scope"] = "/Row" if box.element.get("scope") == "row" else "/Column"
    if kind == "Figure":
        found["Alt"] = pydyf.String(box.element.get("alt") or "")
    return found


def _classes(box: Any) -> list[str]:
    """Return the class names of ``box``'s element."""
    return (box.element.get("class") or "").split()


def _descendants(box: Any) -> Iterator[Any]:
    """Yield ``box`` and every box inside it."""
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _rewrite_marks(stream: Any, renumbered: dict[int, int]) -> None:
    """Renumber the page's marked content; content whose id is not kept becomes ``/Artifact``."""
    import pydyf

    operations, rewritten, index = stream.stream, [], 0
    while index < len(operations):
        window = operations[index:index + 3]
        if len(window) == 3 and window[2] == b"BDC" and isinstance(window[1], pydyf.Dictionary) and "MCID" in window[1]:
            mcid = window[1]["MCID"]
            if mcid in renumbered:
                window[1]["MCID"] = renumbered[mcid]
                rewritten.extend(window)
            else:
                rewritten.extend(["/Artifact", b"BMC"])
            index += 3
        else:
            rewritten.append(operations[index])
            index += 1
    stream.stream[:] = rewritten
