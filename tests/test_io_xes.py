"""XES uploads through ``mining.ingest.read``: equivalence with pm4py, entities, and every XML attack.

docs/RELIABILITY.md items 1–4 (DTD attacks), 7 (deep nesting), 8 (gzip bomb), 9 (entities in a
minified file) and 11 (a URL is not a file). pm4py's ``iterparse`` importer is the reference for
rows and columns on the real logs in tests/data/logs.
"""

from __future__ import annotations

import gzip
import http.server
import io
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from mining.errors import EventLogError, UnsafeFileError
from mining.ingest.read import LINE_COLUMN, ReadOptions, open_table, preview_table

LOGS = Path(__file__).parent / "data" / "logs"
SECRET_MARKER = "GEHEIM-MARKER-4711"

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="A-1"/>
    <event>
      <string key="concept:name" value="Antrag prüfen"/>
      <date key="time:timestamp" value="2024-02-03T14:05:00.000+01:00"/>
    </event>
  </trace>
</log>
"""


def write(tmp_path: Path, text: str | bytes, name: str = "upload.xes") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def read_all(path: Path, **options: object) -> pa.Table:
    with open_table(path, options=ReadOptions(**options)) as reader:  # type: ignore[arg-type]
        return pa.Table.from_batches(list(reader.batches()))


def xes(*traces: str, head: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<log>{head}{"".join(traces)}</log>\n'


# -- real logs against pm4py -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pm4py_module():  # type: ignore[no-untyped-def]
    import pm4py

    return pm4py


@pytest.mark.parametrize(
    ("name", "count", "fmt"),
    [
        ("running-example.xes", 42, "xes"),
        ("08_receipt.xes.gz", 8577, "xes.gz"),
        ("roadtraffic100traces.xes", 390, "xes"),
        ("12_roadtraffic_1t_per_variant.xes.gz", 1891, "xes.gz"),
    ],
)
def test_real_logs_match_pm4py_iterparse_row_for_row(
    pm4py_module, name: str, count: int, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    with open_table(LOGS / name) as reader:
        assert reader.detected.format == fmt
        table = pa.Table.from_batches(list(reader.batches()))
        seen = reader.seen_columns()
    assert table.num_rows == count
    reference = pm4py_module.read_xes(
        str(LOGS / name), variant="iterparse", return_legacy_log_object=False
    )
    assert len(reference) == count
    assert list(seen) == list(reference.columns)
    got = table.to_pandas()
    assert got["case:concept:name"].tolist() == reference["case:concept:name"].astype(str).tolist()
    assert got["concept:name"].tolist() == reference["concept:name"].tolist()
    ours = pd.to_datetime(got["time:timestamp"], utc=True, format="ISO8601")
    theirs = reference["time:timestamp"]
    theirs = theirs.dt.tz_convert("UTC") if theirs.dt.tz else theirs.dt.tz_localize("UTC")
    assert (ours.to_numpy() == theirs.to_numpy()).all()
    assert table.column(LINE_COLUMN).to_pylist() == sorted(table.column(LINE_COLUMN).to_pylist())


def test_line_is_the_event_tag_and_columns_follow_pm4py(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    with open_table(path) as reader:
        assert reader.detected.columns == ("concept:name", "time:timestamp", "case:concept:name")
        assert reader.detected.encoding is None and reader.detected.separator is None
        table = pa.Table.from_batches(list(reader.batches()))
    assert table.to_pylist() == [
        {
            "concept:name": "Antrag prüfen",
            "time:timestamp": "2024-02-03T14:05:00.000+01:00",
            "case:concept:name": "A-1",
            LINE_COLUMN: 5,
        }
    ]


def test_minified_entities_are_decoded_exactly(tmp_path: Path) -> None:
    """Item 9: the chunk_regex/line_by_line variants of pm4py would keep ``&amp;``."""
    one_line = (
        '<?xml version="1.0" encoding="UTF-8"?><log><trace><string key="concept:name" '
        'value="F&amp;1"/><event><string key="concept:name" value="Müller &amp; Söhne '
        '&lt;x&gt; &#228;"/><string key="org:resource" value="&quot;007&quot;"/></event>'
        "</trace></log>"
    )
    table = read_all(write(tmp_path, one_line))
    assert table.column("concept:name").to_pylist() == ["Müller & Söhne <x> ä"]
    assert table.column("case:concept:name").to_pylist() == ["F&1"]
    assert table.column("org:resource").to_pylist() == ['"007"']
    assert table.column(LINE_COLUMN).to_pylist() == [1]


def test_values_stay_text_and_missing_attributes_are_null(tmp_path: Path) -> None:
    text = xes(
        '<trace><string key="concept:name" value="007"/>'
        '<event><string key="concept:name" value="NA"/><int key="Kosten" value="007"/></event>'
        '<event><string key="concept:name" value="None"/><string key="Notiz" value=""/></event>'
        "</trace>"
    )
    table = read_all(write(tmp_path, text))
    assert table.column("case:concept:name").to_pylist() == ["007", "007"]
    assert table.column("concept:name").to_pylist() == ["NA", "None"]
    assert table.column("Kosten").to_pylist() == ["007", None]
    assert table.column("Notiz").to_pylist() == [None, ""]


def test_globals_are_not_filled_in_like_pm4py(tmp_path: Path, pm4py_module) -> None:  # type: ignore[no-untyped-def]
    text = xes(
        '<trace><string key="concept:name" value="1"/>'
        '<event><string key="concept:name" value="a"/></event>'
        '<event><string key="concept:name" value="b"/><string key="org:resource" value="P"/>'
        "</event></trace>",
        head='<global scope="event"><string key="org:resource" value="UNKNOWN"/></global>',
    )
    path = write(tmp_path, text)
    table = read_all(path)
    reference = pm4py_module.read_xes(str(path), variant="iterparse")
    assert reference["org:resource"].isna().tolist() == [True, False]
    assert table.column("org:resource").to_pylist() == [None, "P"]


def test_trace_attributes_after_events_and_nested_attributes(tmp_path: Path) -> None:
    text = xes(
        "<trace>"
        '<event><string key="concept:name" value="a"/>'
        '<string key="Adresse" value="Rathaus"><string key="Straße" value="Markt 1"/></string>'
        '<list key="Anlagen"><values><string key="x" value="1"/></values></list></event>'
        '<string key="concept:name" value="spät"/>'
        "</trace>"
    )
    with open_table(write(tmp_path, text)) as reader:
        table = pa.Table.from_batches(list(reader.batches()))
        assert reader.seen_columns() == ("concept:name", "Adresse", "case:concept:name")
    assert table.column("case:concept:name").to_pylist() == ["spät"]
    assert table.column("Adresse").to_pylist() == ["Rathaus"]


def test_attributes_met_late_appear_in_later_batches(tmp_path: Path) -> None:
    events = "".join(
        f'<event><string key="concept:name" value="e{i}"/></event>' for i in range(1500)
    )
    late = '<event><string key="concept:name" value="x"/><string key="neu" value="1"/></event>'
    path = write(
        tmp_path, xes(f'<trace><string key="concept:name" value="1"/>{events}{late}</trace>')
    )
    with open_table(path, options=ReadOptions(batch_rows=500)) as reader:
        assert "neu" not in reader.detected.columns
        batches = list(reader.batches())
        assert reader.seen_columns()[-1] == "neu"
    assert "neu" not in batches[0].schema.names
    assert batches[-1].column("neu").to_pylist()[-1] == "1"
    assert sum(b.num_rows for b in batches) == 1501


def test_namespaced_xes_and_traces_without_events(tmp_path: Path) -> None:
    text = (
        '<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="1"/>'
        '</trace><trace><string key="concept:name" value="2"/><event><string '
        'key="concept:name" value="a"/></event></trace></log>'
    )
    table = read_all(write(tmp_path, text))
    assert table.column("case:concept:name").to_pylist() == ["2"]


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (xes('<event><string key="concept:name" value="a"/></event>'), "außerhalb", 2),
        (
            xes('<trace>\n<trace><event><string key="a" value="b"/></event></trace></trace>'),
            "nicht direkt im <log>",
            3,
        ),
        (xes('<trace><event>\n<string value="x"/></event></trace>'), "keinen Schlüssel", 3),
        (xes("<trace><event></trace></log>"), "Start- und End-Tag", 2),
        (MINIMAL[: MINIMAL.index("</event>")], "endet vorzeitig", None),
        (MINIMAL.replace("Antrag", "&nbsp;Antrag"), "nicht deklarierte Entität", 6),
        (xes(""), "keine Ereignisse", None),
    ],
)
def test_malformed_xes_is_a_clear_error(
    tmp_path: Path, text: str, reason: str, line: int | None
) -> None:
    with pytest.raises(EventLogError) as info:
        read_all(write(tmp_path, text))
    assert reason in info.value.reason
    if line is not None:
        assert info.value.line == line
    assert not isinstance(info.value, UnsafeFileError)


def test_xml_that_is_not_xes(tmp_path: Path) -> None:
    bpmn = '<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="x"/>'
    with pytest.raises(EventLogError, match="BPMN-Modell"):
        open_table(write(tmp_path, bpmn, "prozess.bpmn"))
    with pytest.raises(EventLogError, match="Wurzelelement <html>"):
        open_table(write(tmp_path, "<html><body>Fehler 404</body></html>", "export.csv"))
    with pytest.raises(EventLogError, match="passt nicht zur Dateiendung"):
        open_table(write(tmp_path, "Fall;Aktivität\n1;a\n", "export.xes"))


# -- DTD attacks (items 1–4) ------------------------------------------------------------------


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET_MARKER)
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).hits.append(self.path)
        body = f"<!ENTITY % all \"<!ENTITY send SYSTEM 'file:///etc/hostname'>\">{SECRET_MARKER}"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _event(value: str) -> str:
    return (
        f'<trace><string key="concept:name" value="1"/><event>'
        f'<string key="concept:name" value="{value}"/></event></trace>'
    )


def _assert_refused(path: Path, **options: object) -> UnsafeFileError:
    with pytest.raises(UnsafeFileError) as info:
        read_all(path, **options)
    message = str(info.value)
    assert "DOCTYPE" in message and "DTD" in message
    assert SECRET_MARKER not in message
    assert info.value.__cause__ is None
    return info.value


def test_xxe_system_entity_is_refused(tmp_path: Path, secret_file: Path) -> None:
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n'
        f"<log>{_event('&xxe;')}</log>"
    )
    error = _assert_refused(write(tmp_path, text))
    assert error.line == 2


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    text = f'<?xml version="1.0"?><!DOCTYPE log [{"".join(entities)}]><log>{_event("&lol9;")}</log>'
    _assert_refused(write(tmp_path, text))


def test_quadratic_blowup_is_refused(tmp_path: Path) -> None:
    big = "A" * 100_000
    text = (
        f'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "{big}">]>'
        f"<log>{_event('&a;' * 2000)}</log>"
    )
    _assert_refused(write(tmp_path, text))


def test_parameter_entity_xxe_fetches_nothing(
    tmp_path: Path, http_server: tuple[str, list[str]]
) -> None:
    base, hits = http_server
    # The listener works: one probe request of our own is recorded.
    import urllib.request

    with urllib.request.urlopen(f"{base}/probe") as response:  # noqa: S310 - local test server
        assert SECRET_MARKER in response.read().decode()
    assert hits == ["/probe"]
    text = (
        f'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY % p SYSTEM "{base}/evil.dtd"> %p; %all;]>'
        f"<log>{_event('&send;')}</log>"
    )
    _assert_refused(write(tmp_path, text))
    gz = write(tmp_path, gzip.compress(text.encode()), "evil.xes.gz")
    _assert_refused(gz)
    external = (
        f'<?xml version="1.0"?><!DOCTYPE log SYSTEM "{base}/log.dtd"><log>{_event("a")}</log>'
    )
    _assert_refused(write(tmp_path, external, "external.xes"))
    time.sleep(0.2)
    assert hits == ["/probe"]


@pytest.mark.parametrize(
    "variant",
    [
        "<!doctype log>",  # not well-formed, refused anyway
        "<!-- harmless --><!DOCTYPE log>",
        "<!DOCTYPE\nlog>",
    ],
)
def test_doctype_spellings_are_refused(tmp_path: Path, variant: str) -> None:
    _assert_refused(write(tmp_path, f'<?xml version="1.0"?>{variant}<log>{_event("a")}</log>'))


def test_doctype_in_utf16_is_refused(tmp_path: Path, secret_file: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE log [<!ENTITY x SYSTEM '
        f'"file://{secret_file}">]><log>{_event("&x;")}</log>'
    )
    _assert_refused(write(tmp_path, text.encode("utf-16")))


def test_doctype_hidden_behind_a_long_comment_is_refused(tmp_path: Path) -> None:
    text = f'<?xml version="1.0"?><!--{"x" * 200_000}--><!DOCTYPE log><log>{_event("a")}</log>'
    _assert_refused(write(tmp_path, text))


def test_huge_text_node_is_refused(tmp_path: Path) -> None:
    text = '<log><trace><event><string key="a" value="x"/>' + " " * 11_000_000 + "</event>"
    with pytest.raises(UnsafeFileError, match="Grenze des XML-Parsers"):
        read_all(write(tmp_path, text + "</trace></log>"))


def test_deep_nesting_is_a_clear_error(tmp_path: Path) -> None:
    """Item 7: 100 000 levels; libxml2 stops at 256 without huge_tree."""
    depth = 100_000
    text = "<log><trace>" + "<a>" * depth + "</a>" * depth + "</trace></log>"
    with pytest.raises(EventLogError) as info:
        read_all(write(tmp_path, text))
    assert "zu tief verschachtelt" in info.value.reason


# -- compressed and oversized (items 8, 11) ---------------------------------------------------


def test_gzip_bomb_is_stopped_at_the_byte_cap(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz:
        gz.write(b'<?xml version="1.0"?><log><trace>')
        # 1 MiB per text node: libxml2's own 10 MB text limit must not be what stops it.
        block = b"<x>" + b" " * (1024 * 1024) + b"</x>"
        for _ in range(50):
            gz.write(block)
        gz.write(b"</trace></log>")
    path = write(tmp_path, raw.getvalue(), "bomb.xes.gz")
    assert path.stat().st_size < 200_000
    with pytest.raises(UnsafeFileError, match="entpackt größer als die erlaubten 10,0 MiB"):
        read_all(path, max_bytes=10 * 1024 * 1024)


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    data = (LOGS / "08_receipt.xes.gz").read_bytes()
    with pytest.raises(EventLogError, match="beschädigt oder unvollständig"):
        read_all(write(tmp_path, data[: len(data) // 2], "cut.xes.gz"))


def test_url_is_never_fetched(http_server: tuple[str, list[str]]) -> None:
    base, hits = http_server
    for text in (f"{base}/x.xes", f"{base}/x.csv"):
        with pytest.raises(EventLogError, match="Datei nicht gefunden"):
            open_table(Path(text))
    time.sleep(0.2)
    assert hits == []


def test_zip_container_skips_macos_junk(tmp_path: Path) -> None:
    archive = tmp_path / "log.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__MACOSX/._log.xes", b"\x00\x05\x16\x07")
        zf.writestr("._log.xes", b"\x00\x05\x16\x07")
        zf.writestr("log.xes", MINIMAL)
    with open_table(archive) as reader:
        assert reader.detected.format == "zip/xes"
        assert [b.num_rows for b in reader.batches()] == [1]

    nested = tmp_path / "gz.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.writestr("log.xes.gz", gzip.compress(MINIMAL.encode()))
    with open_table(nested) as reader:
        assert reader.detected.format == "zip/xes.gz"


@pytest.mark.parametrize("members", [["a.xes", "b.csv"], ["liesmich.txt.bak"], []])
def test_zip_must_hold_exactly_one_log(tmp_path: Path, members: list[str]) -> None:
    archive = tmp_path / "log.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in members:
            zf.writestr(member, MINIMAL)
        if not members:
            zf.writestr("ordner/", b"")
    with pytest.raises(EventLogError, match="genau eine"):
        open_table(archive)


def test_zip_member_beyond_the_cap_is_refused_before_inflating(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("log.xes", MINIMAL + " " * 5_000_000)
    with pytest.raises(UnsafeFileError, match="im ZIP"):
        open_table(archive, options=ReadOptions(max_bytes=1_000_000))


def test_zip_member_with_an_extreme_ratio_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mining.ingest.read import _zip

    # Scaled down: the real thresholds are 1000× and 50 MiB; this file is 8 MiB at ~1000×.
    monkeypatch.setattr(_zip, "RATIO_MIN_BYTES", 1024 * 1024)
    monkeypatch.setattr(_zip, "CONTAINER_MAX_RATIO", 100)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("log.xes", MINIMAL + " " * 8_000_000)
    with pytest.raises(UnsafeFileError, match="ZIP-Bombe"):
        open_table(archive)


def test_preview_of_xes(tmp_path: Path) -> None:
    detected, frame = preview_table(LOGS / "running-example.xes", rows=3)
    assert detected.format == "xes"
    assert frame["concept:name"].tolist() == [
        "register request",
        "examine casually",
        "check ticket",
    ]
    assert frame.index.tolist() == [23, 31, 39]


def test_zip_with_an_unsupported_compression_method_is_a_clear_error(tmp_path: Path) -> None:
    """Windows Explorer packs large files with Deflate64, which Python's zipfile cannot read."""
    archive = tmp_path / "explorer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("log.xes", MINIMAL)
    data = bytearray(archive.read_bytes())
    # Compression method 9 (Deflate64) in the local header (offset 8) and the central directory.
    data[8:10] = (9).to_bytes(2, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 10 : central + 12] = (9).to_bytes(2, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(EventLogError, match="nicht unterstütztes Packverfahren"):
        with open_table(archive) as reader:
            list(reader.batches())


def test_xes_reading_refuses_an_lxml_older_than_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/RELIABILITY.md item 10 for XES: the streaming reader checks the XML stack like the BPMN
    parser."""
    from lxml import etree

    from process_registry.bpmn.safe_xml import UnsafeXmlRuntimeError

    path = tmp_path / "log.xes"
    path.write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setattr(etree, "LXML_VERSION", (4, 9, 3, 0))
    with pytest.raises(UnsafeXmlRuntimeError, match="lxml ≥ 5"):
        open_table(path)
