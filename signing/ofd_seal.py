"""Sealing an OFD package with a GB/T 38540 electronic-seal signature (电子签章).

:func:`seal_ofd` adds one signature to the first document of a package:

- ``OFD.xml``: ``DocBody/Signatures`` names the document's signature list (added when absent);
- ``<doc>/Signs/Signatures.xml``: ``MaxSignId`` and one ``Signature ID=".." Type="Seal"
  BaseLoc="/<doc>/Signs/Sign_N/Signature.xml"`` per signature;
- ``<doc>/Signs/Sign_N/Signature.xml``: ``SignedInfo`` (``Provider``, ``SignatureMethod``
  1.2.156.10197.1.501 (SM3withSM2), ``SignatureDateTime`` ``YYYYMMDDHHMMSS`` UTC,
  ``References CheckMethod="1.2.156.10197.1.401"`` (SM3) with one ``Reference FileRef="/path"``
  and base64 ``CheckValue`` per protected file, ``StampAnnot`` placing the seal picture on a
  page) and ``SignedValue`` naming the file below;
- ``<doc>/Signs/Sign_N/SignedValue.dat``: the DER SES_Signature (:func:`signing.ses.
  make_ses_signature`) whose ``dataHash`` is SM3 of the exact bytes of that ``Signature.xml``
  and whose ``propertyInfo`` is its path, as GB/T 38540 and ofdrw do.

Protected files: every file of the package (``OFD.xml`` after the change above included),
except the signature list, which every later signature changes, and this signature's own two
files. The package is read with :func:`signing.ofd_package.read_ofd` (bounded, safe) and
written with :func:`signing.ofd_package.write_ofd` (deterministic).
"""

from __future__ import annotations

import base64
import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from asn1crypto import x509

from signing.ofd_package import OFD_NAMESPACE, OFD_ROOT_FILE, read_ofd, write_ofd
from signing.ses import OID_SM2_SM3, OID_SM3, make_ses_signature, parse_seal
from signing.sm2 import Sm2PrivateKey, sm3

__all__ = ["PROVIDER_NAME", "StampPlacement", "seal_ofd"]

PROVIDER_NAME = "zhengzhao"
_NS = f"{{{OFD_NAMESPACE}}}"


@dataclass(frozen=True)
class StampPlacement:
    """Where the seal picture goes: page index (0-based) and its box's top-left corner in
    millimetres from the page's (x, y); the size is the seal picture's (width and height)."""

    page: int = 0
    x: float = 20.0
    y: float = 20.0


def _q(tag: str) -> str:
    return _NS + tag


def _xml(root: ET.Element) -> bytes:
    ET.register_namespace("ofd", OFD_NAMESPACE)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(root, encoding="utf-8",
                                                                  xml_declaration=False)


def _add_signatures_ref(ofd_xml: ET.Element, loc: str) -> None:
    body = ofd_xml.find(_q("DocBody"))
    if body is None:
        raise ValueError("OFD.xml has no DocBody")
    element = ET.Element(_q("Signatures"))
    element.text = loc
    # GB/T 33190 order: DocInfo, DocRoot, Versions, Signatures.
    body.append(element)


def _page_id(package_xml: ET.Element, page: int) -> str:
    pages = [p for group in package_xml.findall(_q("Pages")) for p in group.findall(_q("Page"))]
    if not 0 <= page < len(pages) or not pages[page].get("ID"):
        raise ValueError(f"the document has no page {page} with an ID")
    return str(pages[page].get("ID"))


def seal_ofd(ofd: bytes, seal: bytes, signer_key: Sm2PrivateKey, signer_cert: x509.Certificate,
             now: datetime, placement: StampPlacement | None = None) -> bytes:
    """``ofd`` with one more electronic-seal signature (see the module docstring): ``seal`` is a
    DER SESeal (version 4, :func:`signing.ses.make_seal`) that names ``signer_cert``; the
    signer's key signs. Raises OfdFormatError when ``ofd`` is not a readable package,
    ValueError for a seal or page that does not fit."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    placement = placement or StampPlacement()
    parsed_seal = parse_seal(seal)
    if signer_cert.dump() not in parsed_seal.signer_certs:
        raise ValueError("the seal does not name this signer's certificate")
    package = read_ofd(ofd)
    files = dict(package.files)
    document = package.document_paths()[0]
    doc_dir = posixpath.dirname(document)
    signs_dir = posixpath.join(doc_dir, "Signs") if doc_dir else "Signs"

    list_path = package.signatures_path(0)
    if list_path is None:
        list_path = f"{signs_dir}/Signatures.xml"
        ofd_root = package.xml(OFD_ROOT_FILE)
        _add_signatures_ref(ofd_root, list_path)
        files[OFD_ROOT_FILE] = _xml(ofd_root)
        signatures = ET.Element(_q("Signatures"))
        ET.SubElement(signatures, _q("MaxSignId")).text = "0"
    else:
        signatures = package.xml(list_path)
    max_id_el = signatures.find(_q("MaxSignId"))
    if max_id_el is None:
        max_id_el = ET.Element(_q("MaxSignId"))
        signatures.insert(0, max_id_el)
    sign_id = int(max_id_el.text or "0") + 1
    max_id_el.text = str(sign_id)
    index = 0
    while any(name.startswith(f"{signs_dir}/Sign_{index}/") for name in files):
        index += 1
    sign_dir = f"{signs_dir}/Sign_{index}"
    signature_path = f"{sign_dir}/Signature.xml"
    value_path = f"{sign_dir}/SignedValue.dat"
    ET.SubElement(signatures, _q("Signature"),
                  {"ID": str(sign_id), "Type": "Seal", "BaseLoc": "/" + signature_path})

    protected = sorted(name for name in files if name != list_path)
    signature_xml = _signature_xml(
        files, protected, now,
        page_ref=_page_id(package.xml(document), placement.page),
        boundary=(placement.x, placement.y, parsed_seal.picture.width,
                  parsed_seal.picture.height),
        value_path=value_path)
    files[signature_path] = signature_xml
    files[value_path] = make_ses_signature(signer_key, signer_cert, seal, sm3(signature_xml),
                                           "/" + signature_path, now)
    files[list_path] = _xml(signatures)
    return write_ofd(files)


def _signature_xml(files: dict[str, bytes], protected: list[str], now: datetime, *,
                   page_ref: str, boundary: tuple[float, float, float, float],
                   value_path: str) -> bytes:
    root = ET.Element(_q("Signature"))
    info = ET.SubElement(root, _q("SignedInfo"))
    ET.SubElement(info, _q("Provider"), {"ProviderName": PROVIDER_NAME, "Version": "1.0",
                                         "Company": PROVIDER_NAME})
    ET.SubElement(info, _q("SignatureMethod")).text = OID_SM2_SM3
    ET.SubElement(info, _q("SignatureDateTime")).text = now.astimezone(UTC).strftime(
        "%Y%m%d%H%M%S")
    references = ET.SubElement(info, _q("References"), {"CheckMethod": OID_SM3})
    for name in protected:
        reference = ET.SubElement(references, _q("Reference"), {"FileRef": "/" + name})
        ET.SubElement(reference, _q("CheckValue")).text = base64.b64encode(
            sm3(files[name])).decode("ascii")
    ET.SubElement(info, _q("StampAnnot"), {
        "ID": "1", "PageRef": page_ref,
        "Boundary": " ".join(f"{v:.2f}" for v in boundary)})
    ET.SubElement(root, _q("SignedValue")).text = "/" + value_path
    return _xml(root)
