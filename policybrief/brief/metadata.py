"""The brief's XMP metadata as an archive needs it: never compressed, and the archival variant also declared PDF/UA-1.

WeasyPrint 70 compresses the XMP stream of every PDF/A level but 1, which
PDF/A forbids (a validator reports the stream's ``/Filter``), and writes the
PDF/UA identifier only for its ``pdf/ua-*`` variants, so the tagged archival
file does not say it is accessible. ``archival_metadata`` makes one
document's metadata write an uncompressed stream for every ``pdf/a-*``
variant and, for the variants in ``variants.ALSO_UA``, add ``pdfuaid:part``
with the extension schema PDF/A requires for a namespace it does not define.
Only that document's metadata object changes, not WeasyPrint's class.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, fromstring, register_namespace, tostring

from policybrief.brief.variants import ALSO_UA

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
EXTENSION = {"pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
             "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
             "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}


def archival_metadata(document: Any, variant: str) -> None:
    """Make ``document`` (a WeasyPrint document) write the XMP metadata ``variant`` requires; other variants are left alone."""
    if not variant.startswith("pdf/a-"):
        return
    metadata = document.metadata
    generate = metadata.generate_rdf_metadata

    def include_in_pdf(pdf: Any, kind: str, version: int, conformance: str, compress: bool) -> None:
        type(metadata).include_in_pdf(metadata, pdf, kind, version, conformance, compress=False)

    def generate_rdf_metadata(kind: str, version: int, conformance: str) -> bytes:
        rdf = generate(kind, version, conformance)
        return with_ua_identifier(rdf) if variant in ALSO_UA else rdf

    metadata.include_in_pdf = include_in_pdf
    metadata.generate_rdf_metadata = generate_rdf_metadata


def with_ua_identifier(rdf: bytes) -> bytes:
    """Return the ``rdf:RDF`` bytes ``rdf`` declaring PDF/UA-1 next to the PDF/A part, with the pdfuaid extension schema."""
    for prefix, uri in {**EXTENSION, "pdfuaid": PDFUAID}.items():
        register_namespace(prefix, uri)
    root = fromstring(rdf)
    identified = next(element for element in root if element.get(f"{{{PDFAID}}}part"))
    identified.set(f"{{{PDFUAID}}}part", "1")
    root.append(_ua_extension_schema())
    return tostring(root, encoding="utf-8")


def _ua_extension_schema() -> Element:
    """Return the ``rdf:Description`` that describes the pdfuaid schema, as PDF/A requires of any schema it does not predefine."""
    description = Element(f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = SubElement(SubElement(description, _name("pdfaExtension", "schemas")), f"{{{RDF}}}Bag")
    schema = SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for name, value in (("schema", "PDF/UA Universal Accessibility Schema"), ("namespaceURI", PDFUAID), ("prefix", "pdfuaid")):
        SubElement(schema, _name("pdfaSchema", name)).text = value
    properties = SubElement(SubElement(schema, _name("pdfaSchema", "property")), f"{{{RDF}}}Seq")
    part = SubElement(properties, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for name, value in (("name", "part"), ("valueType", "Integer"), ("category", "internal"),
                        ("description", "Indicates which part of ISO 14289 standard is followed")):
        SubElement(part, _name("pdfaProperty", name)).text = value
    return description


def _name(prefix: str, local: str) -> str:
    """Return the qualified ElementTree name of ``local`` in the extension namespace ``prefix``."""
    return f"{{{EXTENSION[prefix]}}}{local}"
