"""``formats`` in a service's ``licence:`` section (issue 15, item 6): the files an issued licence
is handed out as. ``[pdf]`` by default, ``[pdf, ofd]`` for the sealed OFD as well; the PDF is
always among them (the register keeps it), and anything else is SERVICE_INVALID naming
``licence.formats``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core import ErrorCode
from verify.forms import (
    LicenceFileFormat,
    ServiceInvalidError,
    load_service,
    load_service_catalog,
)

BASE: dict = {
    "id": "demo", "name": "示例事项",
    "materials": [{"id": "id_front", "kind": "id_card_front", "name": "身份证人像面",
                   "fields": [{"id": "name", "rules": ["required"]}]}],
    "licence": {"type_code": "111000000000002892903", "holder": "id_front.name",
                "holder_code": "id_front.id_number", "holder_code_type": "resident_id"},
}


def load(tmp_path: Path, formats: object = None):
    data = json.loads(json.dumps(BASE))
    if formats is not None:
        data["licence"]["formats"] = formats
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return load_service(path)


def refused(tmp_path: Path, formats: object) -> ServiceInvalidError:
    with pytest.raises(ServiceInvalidError) as info:
        load(tmp_path, formats)
    assert info.value.code is ErrorCode.SERVICE_INVALID
    assert "svc.yaml" in info.value.message_en
    assert "licence.formats" in info.value.message_en
    return info.value


def test_without_formats_only_the_pdf_is_issued(tmp_path: Path) -> None:
    licence = load(tmp_path).licence
    assert licence is not None
    assert licence.formats == (LicenceFileFormat.PDF,)
    assert not licence.issues_ofd


@pytest.mark.parametrize("formats", [["pdf", "ofd"], ["ofd", "pdf"]])
def test_pdf_and_ofd(tmp_path: Path, formats: list[str]) -> None:
    licence = load(tmp_path, formats).licence
    assert licence is not None and licence.issues_ofd
    assert set(licence.formats) == {LicenceFileFormat.PDF, LicenceFileFormat.OFD}


def test_a_single_format_may_be_written_without_brackets(tmp_path: Path) -> None:
    licence = load(tmp_path, "pdf").licence
    assert licence is not None and licence.formats == (LicenceFileFormat.PDF,)


def test_ofd_alone_is_refused_because_the_register_keeps_the_pdf(tmp_path: Path) -> None:
    error = refused(tmp_path, ["ofd"])
    assert "must include pdf" in error.message_en


@pytest.mark.parametrize("formats", [["pdf", "docx"], ["PDF "], [""], "ofd2"])
def test_an_unknown_format_is_refused(tmp_path: Path, formats: object) -> None:
    error = refused(tmp_path, formats)
    assert "'pdf'" in error.message_en and "'ofd'" in error.message_en


@pytest.mark.parametrize("formats", [[], ["pdf", "pdf"], ["pdf", "ofd", "ofd"], {"pdf": 1}, 3])
def test_empty_repeated_or_misshapen_formats_are_refused(tmp_path: Path,
                                                         formats: object) -> None:
    refused(tmp_path, formats)


def test_a_bundled_service_issues_the_ofd_as_well() -> None:
    catalog = load_service_catalog()
    issuing = {s.id: s.licence for s in catalog if s.licence is not None}
    assert issuing["individual-business-registration"].issues_ofd
    assert not issuing["id-card-renewal"].issues_ofd
