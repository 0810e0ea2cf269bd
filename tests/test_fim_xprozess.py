"""Reading and writing XProzess 2 files: what a process manager gets from a FIM Stammprozess,
and what a hostile or foreign file gets instead (one message naming file and line)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile

import pytest
from lxml import etree

from process_registry import BpmnParseError, read_xprozess
from process_registry.fim import write_xprozess
from tests.xprozess_fixture import (
    DEFAULT_GROUPS,
    LEIKA,
    XPROZESS_NS,
    Group,
    fim_bpmn,
    xprozess_file,
)

CREATED = dt.datetime(2026, 12, 4, 9, 30)


def _read(data: bytes):
    return read_xprozess(data, source="stamm.xml")


def _with_model(inhalt: str) -> bytes:
    """The default file with the model file's base64 content replaced."""
    tree = etree.fromstring(xprozess_file(with_attachments=False))
    element = tree.find(".//prozessmodelldatei/inhalt")
    element.text = inhalt
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_stammprozess_gives_its_catalogue_data_and_the_bpmn_byte_for_byte():
    bpmn = fim_bpmn()
    file = _read(xprozess_file(bpmn=bpmn, lands=("13", "0920000000")))
    stamm = file.stamm
    assert file.bpmn == bpmn
    assert file.message_type == "alleInhalte.export.0303"
    assert file.product == "ADONIS NP"
    assert stamm.leika == LEIKA
    assert stamm.version == "1.2"
    assert stamm.name == "Mutterschaftsleistungen Zuschuss Zahlung"
    assert [b.name for b in stamm.legal_bases] == ["§ 20 MuSchG", "§ 27 MuSchG"]
    assert stamm.legal_bases[1].uri == "https://www.gesetze-im-internet.de/muschg_2018/__27.html"
    assert stamm.status_code == "6" and stamm.status_name == "fachlich freigegeben (gold)"
    # A Land code and a regional key inside Bavaria: both name their Land.
    assert stamm.lands == ("13", "09")
    assert stamm.keywords == ("Mutterschutz", "Zuschuss", "Arbeitgeber")
    assert stamm.valid_from == "2023-01-01"
    assert stamm.release_dates == {"fachlicheFreigabe/datum": "2023-03-15"}
    assert stamm.releasing_authority == "Bundesministerium für Familie"
    assert [level for level, _, _ in stamm.classification] == ["ebene1", "ebene2", "ebene3"]


def test_each_activity_group_keeps_its_sub_process_type_and_legal_basis():
    stamm = _read(xprozess_file()).stamm
    assert [g.sub_process_id for g in stamm.activity_groups] == [
        g.sub_process_id for g in DEFAULT_GROUPS
    ]
    intake = stamm.group("sp_antrag")
    assert (intake.type_code, intake.type_name) == ("01", "Information empfangen")
    assert [b.name for b in intake.legal_bases] == ["§ 27 Abs. 1 MuSchG"]
    # Type-specific attributes the importer does not interpret stay readable and complete.
    assert intake.attributes == (("attribut/name", "frist"), ("attribut/wert", "keine"))


def test_a_type_given_only_as_code_is_kept_as_code():
    groups = (Group("sp_antrag", "Antrag empfangen", "07"),)
    group = _read(xprozess_file(groups=groups)).stamm.activity_groups[0]
    assert (group.type_code, group.type_name) == ("07", None)


def test_export_then_import_keeps_the_bpmn_bytes_and_every_field():
    original = _read(xprozess_file())
    written = write_xprozess(original.stamm, original.bpmn, created=CREATED, product_version="1")
    again = _read(written)
    assert again.bpmn == original.bpmn
    assert again.stamm == original.stamm
    # The same export twice is the same message (no random id, no clock inside the model).
    assert written == write_xprozess(
        original.stamm, original.bpmn, created=CREATED, product_version="1"
    )


def test_the_export_is_the_format_as_other_tools_read_it():
    original = _read(xprozess_file())
    root = etree.fromstring(
        write_xprozess(original.stamm, original.bpmn, created=CREATED, product_version="1")
    )
    assert etree.QName(root) == etree.QName(XPROZESS_NS, "alleInhalte.export.0303")
    assert root.get("xprozessVersion") == "2.0"
    # Children unqualified, as the namespace's messages have them.
    assert all(etree.QName(e).namespace is None for e in root.iter() if e is not root)
    inhalt = root.findtext("prozessbibliothek/prozess/prozessmodell/prozessmodelldatei/inhalt")
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(inhalt)))
    assert archive.namelist() == ["Stammprozess.bpmn"]
    assert archive.read("Stammprozess.bpmn") == original.bpmn
    assert root.findtext("prozesskatalog/prozessklasse/id") == LEIKA
    assert root.findtext("prozesskatalog/prozessklasse/zustandsangaben/status/code") == "6"


def test_namespace_prefixed_children_read_the_same():
    plain = xprozess_file()
    tree = etree.fromstring(plain)
    for element in tree.iter():
        if etree.QName(element).namespace is None:
            element.tag = f"{{{XPROZESS_NS}}}{element.tag}"
    qualified = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    assert _read(qualified).stamm == _read(plain).stamm


def test_another_message_type_with_a_process_and_model_is_read():
    file = _read(xprozess_file(root="prozessbibliothek.export.0301"))
    assert file.message_type == "prozessbibliothek.export.0301"
    assert file.stamm.leika == LEIKA


def test_a_message_without_a_process_model_is_refused_by_its_name():
    message = (
        f'<x:prozesskatalog.export.0302 xmlns:x="{XPROZESS_NS}" xprozessVersion="2.0">'
        "<prozesskatalog><prozessklasse><id>99050012104000</id></prozessklasse>"
        "</prozesskatalog></x:prozesskatalog.export.0302>"
    ).encode()
    with pytest.raises(BpmnParseError, match="prozesskatalog.export.0302") as error:
        _read(message)
    assert error.value.source == "stamm.xml" and error.value.line == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (fim_bpmn(), "BPMN-Datei.*registry add"),
        (b'<root xmlns="urn:other"/>', "gehört nicht zu XProzess 2"),
        (
            f'<x:alleInhalte.export.0303 xmlns:x="{XPROZESS_NS}" xprozessVersion="1.3"/>'.encode(),
            "XProzess-Version 1.3",
        ),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>", "DOCTYPE"),
        (xprozess_file()[:-400], "endet vorzeitig"),
    ],
)
def test_foreign_and_broken_files_are_refused_with_one_message(data, expected):
    with pytest.raises(BpmnParseError, match=expected) as error:
        _read(data)
    assert str(error.value).startswith("stamm.xml")


def test_two_processes_in_one_message_are_refused_with_their_ids():
    tree = etree.fromstring(xprozess_file())
    library = tree.find("prozessbibliothek")
    second = etree.fromstring(etree.tostring(library.find("prozess")))
    second.find("id").text = "99000000000000"
    library.append(second)
    with pytest.raises(BpmnParseError, match="99050012104000, 99000000000000"):
        _read(etree.tostring(tree))


@pytest.mark.parametrize(
    ("inhalt", "expected"),
    [
        ("not base64 !!", "kein gültiges Base64"),
        (base64.b64encode(b"PK\x03\x04 broken").decode(), "kein lesbares ZIP"),
        (_zip({"a.bpmn": fim_bpmn(), "b.bpmn": fim_bpmn()}), "nicht genau eine BPMN-Datei"),
        (_zip({"readme.txt": b"x", "bild.png": b"y"}), "nicht genau eine BPMN-Datei"),
        (_zip({f"{n}.txt": b"x" for n in range(30)}), "30 Dateien"),
    ],
)
def test_a_bad_model_archive_is_refused_naming_the_line(inhalt, expected):
    with pytest.raises(BpmnParseError, match=expected) as error:
        _read(_with_model(inhalt))
    assert error.value.line is not None


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    # 30 MiB of zeros packs to ~30 KiB: over the model size cap and far over the ratio.
    bomb = _zip({"Stammprozess.bpmn": b"\0" * (30 * 1024 * 1024)})
    with pytest.raises(BpmnParseError, match="größer als 20 MiB"):
        _read(_with_model(bomb))
    # Under the size cap, but inflating about a thousandfold.
    ratio_bomb = _zip({"Stammprozess.bpmn": b" " * (2 * 1024 * 1024)})
    with pytest.raises(BpmnParseError, match="ZIP-Bombe"):
        _read(_with_model(ratio_bomb))


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_model_packed_with_a_method_inflated_without_limit_is_refused(method):
    # Python inflates bzip2 and LZMA members in one go, whatever size the archive declares.
    packed = _zip({"Stammprozess.bpmn": b"<definitions/>"}, method)
    with pytest.raises(BpmnParseError, match="nicht unterstützten Verfahren") as error:
        _read(_with_model(packed))
    assert error.value.line is not None


def test_a_model_embedded_without_zip_is_read_too():
    raw = base64.b64encode(fim_bpmn()).decode()
    assert _read(_with_model(raw)).bpmn == fim_bpmn()


def test_a_process_id_that_is_no_leika_key_is_refused_with_its_line():
    tree = etree.fromstring(xprozess_file())
    tree.find("prozessbibliothek/prozess/id").text = "S-123"
    with pytest.raises(BpmnParseError, match="LeiKa") as error:
        _read(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert error.value.line is not None


def test_a_report_pdf_beyond_the_parser_s_text_limit_does_not_stop_the_import():
    # ADONIS embeds the model graphic and a report PDF as base64; a long report passes 10 MB.
    tree = etree.fromstring(xprozess_file())
    report = tree.find(".//prozessbericht/inhalt")
    report.text = base64.b64encode(b"%PDF" + bytes(range(256)) * 32_000).decode()
    assert len(report.text) > 10_000_000
    file = _read(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    assert file.bpmn == fim_bpmn()


def test_deep_nesting_is_refused_even_with_long_texts_allowed():
    deep = "<a>" * 300 + "</a>" * 300
    message = (
        f'<x:alleInhalte.export.0303 xmlns:x="{XPROZESS_NS}">{deep}</x:alleInhalte.export.0303>'
    )
    with pytest.raises(BpmnParseError, match="zu tief verschachtelt"):
        _read(message.encode())
