"""The BPMN diagram in the browser: bpmn-js (NavigatedViewer) inlined into an ``st.iframe``.

bpmn-js comes from the npm registry (``frontend/``, installed by ``make install``) and is inlined
into the HTML of each diagram: municipal networks are closed, so nothing is loaded from a CDN, and
``enableStaticServing`` stays off. The diagram and the overlays travel as JSON in a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, and the script sets
every text with ``textContent``: a label like ``</script><script>…`` in an uploaded model stays text.
(``st.iframe`` replaces ``streamlit.components.v1.html``, which Streamlit deprecated: same srcdoc
iframe, same origin as the app, hence the care with data.)

With ``details``, a click on an element opens a side panel in the frame with what the page knows
about it (e.g. a FIM activity group's type and legal bases); links there are http(s) only, checked
here and again in the script, and open in a new tab.

    bpmn_viewer(xml, overlays={"Task_1": Overlay(label="412 Fälle", fill="#f4a6a6")})
    bpmn_viewer(xml, details={"Task_1": ElementDetails("Antrag prüfen", (DetailRow("Typ", "02"),))})
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import streamlit as st

from app_pages._i18n import t

__all__ = [
    "MARKERS",
    "DetailRow",
    "ElementDetails",
    "Overlay",
    "bpmn_viewer",
    "render_html",
    "viewer_available",
]

DIST = Path(__file__).resolve().parent.parent / "frontend" / "node_modules" / "bpmn-js" / "dist"
BUNDLE = "bpmn-navigated-viewer.production.min.js"
# The bpmn font only draws the modeler's palette and context pad; the viewer needs neither.
STYLESHEETS = ("assets/diagram-js.css", "assets/bpmn-js.css")
MARKERS = frozenset({"skipped", "unmodelled", "deviation"})

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True)
class Overlay:
    label: str | None = None  # short text badge on the element (e.g. "412 Fälle")
    fill: str | None = None  # CSS colour for the element's shape
    stroke: str | None = None
    marker: str | None = None  # "skipped" | "unmodelled" | "deviation": drawn distinctively
    tooltip: str | None = None


@dataclass(frozen=True)
class DetailRow:
    label: str
    text: str
    url: str | None = None  # shown as a link when it is http(s); anything else stays plain text


@dataclass(frozen=True)
class ElementDetails:
    """What the side panel shows for one clicked element."""

    title: str
    rows: tuple[DetailRow, ...] = ()


def viewer_available() -> bool:
    """True when the front-end is installed (``make install`` ran ``npm ci --prefix frontend``)."""
    return all((DIST / name).is_file() for name in (BUNDLE, *STYLESHEETS))


@cache
def _assets(dist: Path) -> tuple[str, str]:
    """(script, stylesheet) read once per process."""
    script = (dist / BUNDLE).read_text(encoding="utf-8")
    # Inside an inline <script>, "</script" would end the element and "<!--" can change how the
    # parser looks for the end; "\x3C" is "<" in JS strings, template literals and regexes alike.
    script = re.sub(r"<(?=/script|!--)", r"\\x3C", script, flags=re.IGNORECASE)
    css = "\n".join((dist / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    return script, re.sub(r"<(?=/style)", r"\\3C ", css, flags=re.IGNORECASE)


def _json_for_html(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def _xml_text(xml: bytes) -> str:
    """The model as text for bpmn-js, which ignores the encoding declaration of a string."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        return xml.decode("utf-16", errors="replace")
    if xml.startswith(b"\xef\xbb\xbf"):
        return xml[3:].decode("utf-8", errors="replace")
    declared = _ENCODING.match(xml.lstrip()[:200])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return xml.decode(encoding, errors="replace")
    except LookupError:
        return xml.decode("utf-8", errors="replace")


_STYLE = """
html, body { margin: 0; height: 100%; background: #fff; font-family: sans-serif; }
#canvas { position: absolute; inset: 0; }
#message { position: absolute; top: 8px; left: 8px; right: 8px; color: #8a1c1c; font-size: 14px; }
.pmo-badge { background: #1f4e79; color: #fff; border-radius: 9px; padding: 1px 7px;
  font-size: 12px; white-space: nowrap; box-shadow: 0 1px 2px rgba(0,0,0,.3); }
.pmo-badge.pmo-alert { background: #b3261e; }
.djs-element.pmo-skipped .djs-visual > :first-child { stroke: #b3261e !important;
  stroke-width: 3px !important; stroke-dasharray: 6 4; }
.djs-element.pmo-unmodelled .djs-visual > :first-child { stroke: #b3261e !important;
  stroke-width: 3px !important; stroke-dasharray: 2 3; }
.djs-element.pmo-deviation .djs-visual > :first-child { stroke: #b3261e !important;
  stroke-width: 3px !important; }
body.pmo-with-panel #canvas { right: 280px; }
#panel { display: none; position: absolute; top: 0; right: 0; bottom: 0; width: 280px;
  box-sizing: border-box; padding: 8px 10px; overflow-y: auto; border-left: 1px solid #ddd;
  background: #fafafa; font-size: 13px; color: #222; }
body.pmo-with-panel #panel { display: block; }
#panel h4 { margin: 0 0 6px; font-size: 14px; }
#panel dt { margin-top: 6px; color: #555; font-size: 12px; }
#panel dd { margin: 0; word-break: break-word; }
#panel .pmo-hint { color: #666; }
#toolbar { position: absolute; top: 8px; left: 8px; z-index: 10; display: flex; gap: 4px; }
#toolbar button { font: 13px sans-serif; padding: 3px 9px; border: 1px solid #999;
  border-radius: 4px; background: #fff; color: #222; cursor: pointer; }
#toolbar button:hover { background: #eef3f8; }
"""

# Runs inside the iframe. Every value from the payload reaches the page through textContent or a
# style property, never through markup.
_SCRIPT = r"""
(function () {
  var data = JSON.parse(document.getElementById('pmo-data').textContent);
  var message = document.getElementById('message');
  var viewer = new BpmnJS({ container: '#canvas' });
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var overlays = viewer.get('overlays');
    Object.keys(data.overlays).forEach(function (id) {
      var spec = data.overlays[id];
      var element = registry.get(id);
      // An id of another version or of a log, or the process itself: nothing to draw on.
      if (!element || element === canvas.getRootElement()) { return; }
      var gfx = registry.getGraphics(element);
      var shape = gfx && gfx.querySelector('.djs-visual > :first-child');
      if (shape && spec.fill) { shape.style.fill = spec.fill; }
      if (shape && spec.stroke) { shape.style.stroke = spec.stroke; }
      if (spec.marker) { canvas.addMarker(id, 'pmo-' + spec.marker); }
      if (spec.tooltip && gfx) {
        var title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
        title.textContent = spec.tooltip;
        gfx.appendChild(title);
      }
      if (spec.label) {
        var badge = document.createElement('div');
        badge.className = 'pmo-badge' + (spec.marker ? ' pmo-alert' : '');
        badge.textContent = spec.label;
        if (spec.tooltip) { badge.title = spec.tooltip; }
        var position = element.waypoints ? { top: -12, left: 0 } : { top: -12, right: 12 };
        overlays.add(id, { position: position, html: badge });
      }
    });
    // Open once the frame has a size: in a tab not shown yet it has none, and zooming a
    // zero-sized canvas fails. Overlays come first so a failed zoom cannot lose them.
    if (Object.keys(data.details).length) { panel(viewer, data); }
    // A large model fitted to the frame shrinks its labels to a few pixels: it opens at 100 %
    // (top-left corner in view, the rest by dragging or scrolling) unless fitting keeps the
    // 11 px external labels at 10 px or more.
    var READABLE = 10 / 11;
    var mode = null;
    var fit = function () { canvas.resized(); canvas.zoom('fit-viewport', 'auto'); mode = 'fit'; };
    var actual = function () {
      canvas.resized();
      var box = canvas.viewbox();
      canvas.viewbox({ x: box.inner.x - 20, y: box.inner.y - 20,
                       width: box.outer.width, height: box.outer.height });
      mode = 'actual';
    };
    var open = function () {
      try {
        fit();
        if (canvas.zoom() < READABLE) { actual(); }
      } catch (error) { mode = null; /* no size yet */ }
    };
    toolbar(fit, actual, data);
    open();
    var lastWidth = 0;
    new ResizeObserver(function (entries) {
      var width = entries[0].contentRect.width;
      if (width > 0 && Math.abs(width - lastWidth) > 1) {
        lastWidth = width;
        if (mode === null) { open(); } else if (mode === 'fit') { fit(); } else { canvas.resized(); }
      }
    }).observe(document.getElementById('canvas'));
    document.body.setAttribute('data-rendered', 'true');
  }).catch(function (err) {
    message.textContent = data.error_text + ' ' + (err && err.message ? err.message : err);
  });

  function toolbar(fit, actual, data) {
    var bar = document.getElementById('toolbar');
    [['pmo-fit', data.fit_text, fit], ['pmo-actual', data.actual_text, actual]].forEach(
      function (spec) {
        var button = document.createElement('button');
        button.type = 'button';
        button.id = spec[0];
        button.textContent = spec[1];
        button.addEventListener('click', function () { spec[2](); });
        bar.appendChild(button);
      });
  }

  // The side panel: the clicked element's details, built from text nodes and checked links.
  function panel(viewer, data) {
    var box = document.getElementById('panel');
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    Object.keys(data.details).forEach(function (id) {
      var element = registry.get(id);
      if (!element) { return; }  // not in this model
      canvas.addMarker(id, 'pmo-detailed');
      // bpmn-js draws the stroke as an inline style; an overlay's stroke (a finding) stays.
      var gfx = registry.getGraphics(element);
      var shape = gfx && gfx.querySelector('.djs-visual > :first-child');
      var overlay = data.overlays[id];
      if (shape && !(overlay && overlay.stroke)) {
        shape.style.stroke = '#1f4e79';
        shape.style.strokeWidth = '2.5px';
      }
    });
    var show = function (id) {
      box.replaceChildren();
      var spec = data.details[id];
      if (!spec) {
        var hint = document.createElement('p');
        hint.className = 'pmo-hint';
        hint.textContent = data.panel_hint;
        box.appendChild(hint);
        return;
      }
      var title = document.createElement('h4');
      title.textContent = spec.title;
      box.appendChild(title);
      var list = document.createElement('dl');
      spec.rows.forEach(function (row) {
        var term = document.createElement('dt');
        term.textContent = row.label;
        var value = document.createElement('dd');
        if (row.url && /^https?:\/\//i.test(row.url)) {
          var link = document.createElement('a');
          link.href = row.url;
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
          link.textContent = row.text;
          value.appendChild(link);
        } else {
          value.textContent = row.text;
        }
        list.appendChild(term);
        list.appendChild(value);
      });
      box.appendChild(list);
    };
    document.body.classList.add('pmo-with-panel');
    show(null);
    viewer.get('eventBus').on('element.click', function (event) { show(event.element.id); });
  }
})();
"""


def _clean_details(details: Mapping[str, ElementDetails] | None) -> dict[str, object]:
    return {
        str(element_id): {
            "title": spec.title,
            "rows": [
                {
                    "label": row.label,
                    "text": row.text,
                    **({"url": row.url} if row.url and _WEB_LINK.match(row.url) else {}),
                }
                for row in spec.rows
            ],
        }
        for element_id, spec in (details or {}).items()
    }


def render_html(
    xml: bytes,
    overlays: Mapping[str, Overlay] | None = None,
    details: Mapping[str, ElementDetails] | None = None,
) -> str:
    """The standalone HTML document of one diagram (what the iframe shows)."""
    script, css = _assets(DIST)
    clean: dict[str, dict[str, str]] = {}
    for element_id, overlay in (overlays or {}).items():
        if overlay.marker is not None and overlay.marker not in MARKERS:
            raise ValueError(f"unknown overlay marker {overlay.marker!r}")
        clean[str(element_id)] = {k: str(v) for k, v in asdict(overlay).items() if v is not None}
    payload = {
        "xml": _xml_text(xml),
        "overlays": clean,
        "details": _clean_details(details),
        "error_text": t("common.viewer_error"),
        "panel_hint": t("common.viewer_panel_hint"),
        "fit_text": t("common.viewer_fit"),
        "actual_text": t("common.viewer_actual_size"),
    }
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        # Defence in depth: the iframe may run inline code and data: images, and fetch nothing.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<style>{css}{_STYLE}</style></head><body>"
        "<div id='canvas'></div><div id='toolbar'></div><div id='panel'></div>"
        "<div id='message'></div>"
        f"<script type='application/json' id='pmo-data'>{_json_for_html(payload)}</script>"
        f"<script>{script}</script><script>{_SCRIPT}</script></body></html>"
    )


def bpmn_viewer(
    xml: bytes,
    *,
    overlays: Mapping[str, Overlay] | None = None,
    details: Mapping[str, ElementDetails] | None = None,
    height: int = 480,
    key: str | None = None,
) -> None:
    """Draw the BPMN model ``xml`` (zoom and pan with the mouse), with ``overlays`` by element id
    and, for the elements in ``details``, a side panel that shows them when clicked.

    Without the front-end it shows a warning instead, and the page goes on. ``key`` is accepted so
    callers can name their viewer; the iframe itself is stateless and needs none.
    """
    del key
    if not viewer_available():
        st.warning(t("common.viewer_missing"))
        return
    st.iframe(render_html(xml, overlays, details), height=height, alt=t("common.viewer_alt"))
