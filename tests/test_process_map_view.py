"""The process map and the variants list in the browser: the libraries come from the checkout, a
label from a log stays text, and only a click on a drawn element comes back to Python."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app_pages import _process_map_view as map_view
from app_pages import _variants_view as variants_view
from app_pages._analysis_selection import as_filter
from app_pages._process_map_view import (
    MapEdge,
    MapNode,
    checked_selection,
    component_parts,
    map_payload,
    map_view_available,
)

ATTACK = "</script><script>alert(1)</script>"
# In the browser an alert() would block the headless page, so the attack there marks the title.
MARK = "document.title='pwned'"
BROWSER_ATTACK = f'</script><script>{MARK}</script><img src=x onerror="{MARK}">'
CHROMIUM = Path("/usr/bin/chromium")
TEXTS = {"fit": "Einpassen", "png": "PNG", "svg": "SVG", "filename": "karte", "error": "Fehler"}
TEXTS["hint"] = "Mausrad: zoomen"
# Where page data could become markup or code; none of it may appear in a component's script.
SINKS = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc"
)

needs_frontend = pytest.mark.skipif(
    not map_view_available(), reason="front-end not installed: run `make install` (npm ci)"
)


def _map(label: str) -> tuple[list[MapNode], list[MapEdge]]:
    nodes = [
        MapNode(id="a0", label=f"{label}\n12", weight=1.0, tooltip=label, activity=label),
        MapNode(id="a1", label="Bescheid erstellen\n10", weight=0.5, activity="Bescheid erstellen"),
        MapNode(id="start", label="Start", kind="start"),
    ]
    edges = [
        MapEdge(
            id="e0",
            source="a0",
            target="a1",
            label="10",
            weight=1.0,
            tooltip=label,
            pair=(label, "Bescheid erstellen"),
        ),
        MapEdge(id="s0", source="start", target="a0", label="12", kind="endpoint"),
    ]
    return nodes, edges


@needs_frontend
def test_the_libraries_are_inlined_and_nothing_is_loaded_from_outside() -> None:
    html, css, js = component_parts()
    assert "cytoscape" in js and "dagre" in js and "getSerializedSvg" in js
    assert not re.search(r"\bimport\s*\(|\bfetch\s*\(|XMLHttpRequest|importScripts", js)
    assert not re.search(r"<script|<link|<iframe", html, re.I)
    assert not re.search(r"@import|url\(", css, re.I)


@needs_frontend
@pytest.mark.parametrize("parts", [component_parts, variants_view.component_parts])
def test_no_script_of_a_component_turns_data_into_markup(parts) -> None:
    html, css, js = parts()
    assert not SINKS.search(js), SINKS.search(js).group(0)  # type: ignore[union-attr]
    assert "<script" not in html.lower()


def test_a_hostile_label_travels_as_data_and_never_reaches_the_markup() -> None:
    nodes, edges = _map(ATTACK)
    payload = map_payload(nodes, edges, texts=TEXTS)
    assert payload["nodes"][0]["activity"] == ATTACK
    assert payload["edges"][0]["from"] == ATTACK
    # The markup, styles and script are the same for every map: the label is in none of them.
    html, css, js = component_parts() if map_view_available() else (map_view._HTML, "", "")
    assert "alert(1)" not in html + css + js


def test_the_selection_is_marked_by_the_id_of_its_element() -> None:
    nodes, edges = _map("Antrag prüfen")
    edge = {"kind": "edge", "source": "Antrag prüfen", "target": "Bescheid erstellen"}
    assert map_payload(nodes, edges, texts=TEXTS, selected=edge)["selected"] == "e0"
    activity = {"kind": "activity", "activity": "Bescheid erstellen"}
    assert map_payload(nodes, edges, texts=TEXTS, selected=activity)["selected"] == "a1"
    with pytest.raises(ValueError, match="without their nodes"):
        map_payload(
            nodes, [*edges, MapEdge(id="x", source="a0", target="zz", label="")], texts=TEXTS
        )


@pytest.mark.parametrize(
    "click",
    [
        None,
        "Antrag prüfen",
        {"kind": "activity", "activity": "Nicht auf der Karte"},
        {"kind": "activity", "activity": ["Antrag prüfen"]},
        {"kind": "edge", "source": "Bescheid erstellen", "target": "Antrag prüfen"},  # reversed
        {"kind": "edge", "source": "Antrag prüfen"},
        {"kind": "start"},
        {"kind": "variant", "numbers": [1]},
    ],
)
def test_a_click_that_names_no_drawn_element_selects_nothing(click: object) -> None:
    nodes, edges = _map("Antrag prüfen")
    assert checked_selection(nodes, edges, click) is None


def test_a_click_on_a_drawn_element_comes_back_in_the_documented_shape() -> None:
    nodes, edges = _map("Antrag prüfen")
    click = {"kind": "edge", "source": "Antrag prüfen", "target": "Bescheid erstellen", "x": 1}
    selection = checked_selection(nodes, edges, click)
    assert selection == {"kind": "edge", "source": "Antrag prüfen", "target": "Bescheid erstellen"}
    assert as_filter(selection) == {
        "kind": "follows",
        "source": "Antrag prüfen",
        "target": "Bescheid erstellen",
    }
    assert as_filter({"kind": "activity", "activity": "A"}) == {"kind": "activity", "activity": "A"}
    assert as_filter({"kind": "variant", "numbers": [2]}) == {"kind": "variant", "numbers": [2]}


def test_repeated_steps_of_a_variant_become_one_chip_with_a_count() -> None:
    chips = variants_view.steps(["A", "B", "B", "B", "C", "B"], {"A": 0, "B": 1, "C": 2}, "×{n}")
    assert [chip["label"] for chip in chips] == ["A", "B ×3", "C", "B"]
    assert chips[1]["colour"] == chips[3]["colour"] != chips[0]["colour"]


# -- in a real browser ----------------------------------------------------------------------------


def _json_for_html(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _harness(html: str, css: str, js: str, data: dict, after: str) -> str:
    """A page that mounts a component the way Streamlit does (its module imported from a blob
    URL, the default export called with the data and a parent element); ``after`` runs next."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<style>{css}</style></head><body style='width:900px'><div id='root'>{html}</div>"
        "<pre id='svg'></pre><pre id='trigger'></pre>"
        f"<script type='application/json' id='code'>{_json_for_html(js)}</script>"
        f"<script type='application/json' id='data'>{_json_for_html(data)}</script>"
        "<script type='module'>"
        "const read = (id) => JSON.parse(document.getElementById(id).textContent);"
        "const url = URL.createObjectURL(new Blob([read('code')], {type: 'text/javascript'}));"
        "const main = (await import(url)).default;"
        "const root = document.getElementById('root');"
        "main({data: read('data'), key: 'k', name: 'n', parentElement: root,"
        " setStateValue: () => {}, setTriggerValue: (name, value) => {"
        " document.getElementById('trigger').textContent = JSON.stringify([name, value]); }});"
        f"{after}"
        "</script></body></html>"
    )


def _chromium_dom(html: str, folder: Path) -> str:
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} not installed: the drawing check needs a real browser")
    page = folder / "map.html"
    page.write_text(html, encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--disable-gpu",
        f"--user-data-dir={folder / 'profile'}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to sandbox as root (CI containers)
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _text_of(dom: str, element_id: str) -> str:
    match = re.search(rf"<pre id=\"{element_id}\">(.*?)</pre>", dom, re.S)
    assert match, element_id
    return (
        match.group(1)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


@needs_frontend
def test_a_real_browser_draws_the_map_exports_it_and_reports_a_click(tmp_path: Path) -> None:
    nodes, edges = _map(BROWSER_ATTACK)
    data = map_payload(nodes, edges, texts=TEXTS)
    data["height"] = 400
    # What the SVG button saves, and a tap on the hostile activity, as cytoscape would fire it.
    after = (
        "const cy = root.querySelector('.pmo-map-canvas')._cyreg.cy;"
        "document.getElementById('svg').textContent = cy.svg({full: true, bg: '#ffffff'});"
        "cy.getElementById('a0').emit('tap');"
    )
    dom = _chromium_dom(_harness(*component_parts(), data, after), tmp_path)
    assert 'data-rendered="true"' in dom, "the map was not drawn"
    assert "<title>pwned</title>" not in dom  # what document.title= would have created
    assert len(re.findall(r"<script", dom, re.I)) == 3  # the harness's own three
    assert not re.search(r"<img", dom, re.I)
    assert ">Einpassen</button>" in dom and ">SVG</button>" in dom
    # The click names the activity, exactly as the log spells it.
    assert json.loads(_text_of(dom, "trigger")) == [
        "select",
        {"kind": "activity", "activity": BROWSER_ATTACK},
    ]
    svg = ET.fromstring(_text_of(dom, "svg"))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert not [e for e in svg.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "img", "image"}]
    texts = " ".join(e.text or "" for e in svg.iter() if e.tag.endswith("text"))
    assert BROWSER_ATTACK.split("<img")[0] in texts  # the label, drawn as text
    assert "Bescheid erstellen" in texts


def test_a_real_browser_draws_variants_as_chips_and_reports_a_click(tmp_path: Path) -> None:
    rows = [
        variants_view.VariantRow(
            number=1,
            title="Variante 1",
            figures="3 Fälle",
            share=0.75,
            activities=("Antrag", BROWSER_ATTACK, BROWSER_ATTACK, "Bescheid"),
        ),
        variants_view.VariantRow(
            number=2, title="Variante 2", figures="1 Fall", share=0.25, activities=("Antrag",)
        ),
    ]
    data = variants_view._payload(rows, 1, "×{n}")
    after = "root.querySelector('[data-number=\"2\"]').click();"
    dom = _chromium_dom(_harness(*variants_view.component_parts(), data, after), tmp_path)
    assert 'data-rendered="true"' in dom
    assert "<title>pwned</title>" not in dom and not re.search(r"<img", dom, re.I)
    assert len(re.findall(r"<script", dom, re.I)) == 3
    assert dom.count('class="pmo-chip"') == 4  # the repeated step is one chip
    assert "&lt;/script&gt;&lt;script&gt;document.title" in dom  # drawn as text
    assert "×2</span>" in dom
    assert json.loads(_text_of(dom, "trigger")) == ["select", 2]
