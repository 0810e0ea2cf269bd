"""The process map in the browser: cytoscape.js with the dagre layout, as a Streamlit custom
component (``st.components.v2``) that tells Python which activity or edge was clicked.

cytoscape, cytoscape-dagre (a layered left-to-right layout) and cytoscape-svg (the SVG export)
come from the npm registry (``frontend/``, pinned in its lock file) and are inlined into the
component's JavaScript: municipal networks are closed, so nothing is loaded from a CDN, and
``enableStaticServing`` stays off. Each library runs in its own function scope with a private
``module`` object, so none of them sets a global of the page.

Components v2 run in the app's page, not in an iframe, so every value from a log stays data: the
map travels as JSON in the component's ``data`` (never in its HTML, CSS or JavaScript, which are
the same for every map), cytoscape draws labels on a canvas, every text of the page is set with
``textContent``, and the SVG export is built with DOM text nodes that the serializer escapes. A
click comes back as a trigger value, which :func:`process_map_view` checks against the map it
drew before anyone uses it: a crafted value from the browser selects nothing.

    clicked = process_map_view(nodes, edges, texts=texts, key="map", remember="map_clicked")
    # {"kind": "activity", "activity": "Antrag prüfen"} or
    # {"kind": "edge", "source": "Antrag prüfen", "target": "Bescheid erstellen"} or None
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import streamlit as st

__all__ = [
    "COMPONENT_NAME",
    "MapEdge",
    "MapNode",
    "checked_selection",
    "component_parts",
    "map_payload",
    "map_view_available",
    "process_map_view",
]

COMPONENT_NAME = "pmo.process_map"
NODE_MODULES = Path(__file__).resolve().parent.parent / "frontend" / "node_modules"
# (name in our script, file): the order matters, the extensions need cytoscape first.
LIBRARIES = (
    ("cytoscape", "cytoscape/dist/cytoscape.min.js"),
    ("cytoscapeDagre", "cytoscape-dagre/dist/cytoscape-dagre.min.js"),
    ("cytoscapeSvg", "cytoscape-svg/cytoscape-svg.js"),
)
TEXT_KEYS = ("fit", "png", "svg", "filename", "error", "hint")


@dataclass(frozen=True)
class MapNode:
    """A box of the map. ``weight`` (0…1) shades it; ``activity`` is what a click returns."""

    id: str
    label: str
    kind: Literal["activity", "start", "end"] = "activity"
    weight: float = 0.0
    tooltip: str = ""
    activity: str | None = None


@dataclass(frozen=True)
class MapEdge:
    """An arrow of the map. ``weight`` (0…1) sets its width, ``heat`` (0…1) its colour from grey
    to red (the performance view); ``pair`` is the (source, target) activity a click returns. An
    ``endpoint`` edge joins the start or end node and cannot be clicked."""

    id: str
    source: str
    target: str
    label: str
    kind: Literal["transition", "endpoint"] = "transition"
    weight: float = 0.0
    heat: float = 0.0
    tooltip: str = ""
    pair: tuple[str, str] | None = None


def map_view_available() -> bool:
    """True when the front-end is installed (``make install`` ran ``npm ci --prefix frontend``)."""
    return all((NODE_MODULES / path).is_file() for _, path in LIBRARIES)


def _share(value: float) -> float:
    value = float(value)
    return 0.0 if math.isnan(value) else min(max(value, 0.0), 1.0)


def map_payload(
    nodes: Sequence[MapNode],
    edges: Sequence[MapEdge],
    *,
    texts: Mapping[str, str],
    selected: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON the component draws: plain values only, no markup anywhere."""
    missing = [key for key in TEXT_KEYS if key not in texts]
    if missing:
        raise ValueError(f"texts missing: {missing}")
    ids = {node.id for node in nodes}
    dangling = [edge.id for edge in edges if edge.source not in ids or edge.target not in ids]
    if dangling:
        raise ValueError(f"edges without their nodes: {dangling}")
    chosen = _element_id(nodes, edges, selected) if selected else None
    return {
        "nodes": [
            {
                "id": node.id,
                "label": node.label,
                "kind": node.kind,
                "weight": _share(node.weight),
                "tooltip": node.tooltip,
                **({"activity": node.activity} if node.activity is not None else {}),
            }
            for node in nodes
        ],
        "edges": [
            {
                "id": edge.id,
                "source": edge.source,
                "target": edge.target,
                "label": edge.label,
                "kind": edge.kind,
                "weight": _share(edge.weight),
                "heat": _share(edge.heat),
                "tooltip": edge.tooltip,
                **({"from": edge.pair[0], "to": edge.pair[1]} if edge.pair else {}),
            }
            for edge in edges
        ],
        "selected": chosen,
        "texts": {key: str(texts[key]) for key in TEXT_KEYS},
    }


def _element_id(
    nodes: Sequence[MapNode], edges: Sequence[MapEdge], selection: Mapping[str, Any]
) -> str | None:
    """The id of the drawn element ``selection`` names, or None when the map has none."""
    kind = selection.get("kind")
    if kind == "activity":
        return next(
            (n.id for n in nodes if n.kind == "activity" and n.activity == selection["activity"]),
            None,
        )
    if kind == "edge":
        pair = (selection.get("source"), selection.get("target"))
        return next((e.id for e in edges if e.kind == "transition" and e.pair == pair), None)
    return None


def checked_selection(
    nodes: Sequence[MapNode], edges: Sequence[MapEdge], value: object
) -> dict[str, str] | None:
    """A click from the browser as ``{"kind": "activity", "activity": …}`` or ``{"kind": "edge",
    "source": …, "target": …}``, if it names an element of this map; anything else is None."""
    if not isinstance(value, Mapping):
        return None
    kind = value.get("kind")
    if kind == "activity" and isinstance(value.get("activity"), str):
        selection = {"kind": "activity", "activity": value["activity"]}
    elif kind == "edge" and all(isinstance(value.get(k), str) for k in ("source", "target")):
        selection = {"kind": "edge", "source": value["source"], "target": value["target"]}
    else:
        return None
    return selection if _element_id(nodes, edges, selection) is not None else None


@cache
def _library_js(node_modules: Path) -> str:
    parts = []
    for name, path in LIBRARIES:
        source = (node_modules / path).read_text(encoding="utf-8")
        # A UMD bundle sees a CommonJS module and exports into it; ``define`` is shadowed so an
        # AMD loader elsewhere on the page cannot capture it.
        parts.append(
            f"const {name} = (function () {{ var module = {{ exports: {{}} }}; "
            f"var exports = module.exports; var define; {source}\n; return module.exports; }})();"
        )
    return "\n".join(parts)


def component_parts() -> tuple[str, str, str]:
    """(html, css, js) of the component: the same for every map, whatever the log holds."""
    return _HTML, _CSS, _library_js(NODE_MODULES) + "\n" + _SCRIPT


@cache
def _component(node_modules: Path) -> Callable[..., Any]:
    html, css, js = component_parts()
    # The page's own styles must not leak into the canvas, and ours carry a prefix instead of a
    # shadow root: cytoscape ends a tap on window-level events, which a shadow root retargets.
    return st.components.v2.component(
        COMPONENT_NAME, html=html, css=css, js=js, isolate_styles=False
    )


def process_map_view(
    nodes: Sequence[MapNode],
    edges: Sequence[MapEdge],
    *,
    texts: Mapping[str, str],
    key: str,
    remember: str,
    height: int = 640,
) -> dict[str, str] | None:
    """Draw the map (zoom with the wheel, pan by dragging, export as PNG or SVG) and return the
    element last clicked, if it is on this map (see :func:`checked_selection`).

    A click reruns the script; before the rerun it is stored as it came from the browser in
    ``st.session_state[remember]``, so the map of that run already marks it. The stored value
    is read only through :func:`checked_selection`.
    """
    selected = checked_selection(nodes, edges, st.session_state.get(remember))
    payload = map_payload(nodes, edges, texts=texts, selected=selected)
    payload["height"] = int(height)
    _component(NODE_MODULES)(
        key=key, data=payload, on_select_change=lambda: _remember(key, remember)
    )
    return selected


def _remember(key: str, remember: str) -> None:
    state = st.session_state.get(key)
    click = state.get("select") if isinstance(state, Mapping) else None
    if click is not None:
        st.session_state[remember] = click


_HTML = """
<div class="pmo-map" data-rendered="false">
  <div class="pmo-map-toolbar">
    <span class="pmo-map-hint"></span>
    <button type="button" class="pmo-map-button" data-action="fit"></button>
    <button type="button" class="pmo-map-button" data-action="png"></button>
    <button type="button" class="pmo-map-button" data-action="svg"></button>
  </div>
  <div class="pmo-map-canvas"></div>
  <div class="pmo-map-message" role="alert"></div>
</div>
"""

_CSS = """
.pmo-map { position: relative; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  background: #ffffff; overflow: hidden; }
.pmo-map-toolbar { position: absolute; top: 6px; right: 6px; left: 6px; z-index: 2;
  display: flex; gap: 6px; align-items: center; justify-content: flex-end;
  pointer-events: none; }
.pmo-map-hint { margin-right: auto; color: #5b6b7b; font: 12px sans-serif;
  background: rgba(255, 255, 255, 0.85); padding: 2px 6px; border-radius: 4px; }
.pmo-map-button { pointer-events: auto; font: 13px sans-serif; padding: 3px 10px;
  border: 1px solid #b8c2cc; border-radius: 4px; background: #ffffff; color: #1f2a36;
  cursor: pointer; }
.pmo-map-button:hover, .pmo-map-button:focus-visible { border-color: #1f4e79;
  color: #1f4e79; }
.pmo-map-canvas { position: relative; width: 100%; }
.pmo-map-message { position: absolute; left: 8px; bottom: 8px; right: 8px; color: #8a1c1c;
  font: 13px sans-serif; }
"""

# Runs in the app's page. Every value of the payload reaches the page through textContent, a
# title attribute or cytoscape's canvas, never through markup.
_SCRIPT = r"""
cytoscape.use(cytoscapeDagre);
cytoscape.use(cytoscapeSvg);

const FONTS = { activity: 12, endpoint: 10, edge: 11 };  // label sizes at zoom 1
const LINE = 1.25;          // line height, in font sizes
const PADDING = 8;          // between a box and its label
const WRAP = 110;           // a label wraps at this width, at zoom 1
const MIN_SCREEN_FONT = 9.5; // labels grow when zoomed out, so they stay this large on screen…
const MAX_GROWTH = 1.8;     // …up to this factor (beyond it they would cover their neighbours)
const START_ZOOM = [0.55, 1.2]; // the first view: fit the width within these zooms
const MARGIN = 24;          // around the map in the view, screen pixels
const TOOLBAR = 34;         // room for the buttons above the map
// Viewport and layout per component key, kept across reruns of the script.
const views = new Map();
// Streamlit calls the default export again whenever the data changes and the returned cleanup
// only when the component leaves the page: each call first takes down the map drawn before.
const drawn = new WeakMap();

function mix(low, high, share) {
  const a = [1, 3, 5].map((i) => parseInt(low.slice(i, i + 2), 16));
  const b = [1, 3, 5].map((i) => parseInt(high.slice(i, i + 2), 16));
  return '#' + a.map((x, i) => Math.round(x + (b[i] - x) * share).toString(16)
    .padStart(2, '0')).join('');
}

// Boxes are sized from their label here, once: cytoscape's own "width: label" can leave a node
// cached as taking no space (and so undrawn) when it is asked before the label is measured.
const ruler = document.createElement('canvas').getContext('2d');
function box(text) {
  ruler.font = FONTS.activity + 'px sans-serif';
  const lines = [];
  for (const part of String(text).split('\n')) {
    let line = '';
    for (const word of part.split(/\s+/).filter((w) => w)) {
      const longer = line ? line + ' ' + word : word;
      if (line && ruler.measureText(longer).width > WRAP) { lines.push(line); line = word; }
      else { line = longer; }
    }
    lines.push(line);
  }
  const width = Math.max(...lines.map((line) => ruler.measureText(line).width));
  return { text: lines.join('\n'), w: Math.ceil(width) + 2 * PADDING,
    h: Math.ceil(lines.length * FONTS.activity * LINE) + 2 * PADDING };
}

function signature(data) {
  return JSON.stringify([data.nodes.map((n) => n.id + n.kind),
    data.edges.map((e) => e.id + e.source + e.target)]);
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const STYLE = [
  { selector: 'node', style: {
    'label': 'data(text)', 'text-wrap': 'wrap', 'text-max-width': 100000, 'line-height': LINE,
    'text-valign': 'center', 'text-halign': 'center', 'font-family': 'sans-serif',
    'font-size': FONTS.activity, 'color': '#1f2a36', 'shape': 'round-rectangle',
    'width': 'data(w)', 'height': 'data(h)', 'padding': 0,
    'text-outline-color': '#ffffff', 'text-outline-opacity': 0.7, 'text-outline-width': 0,
    'background-color': (n) => mix('#f4f8fc', '#7fb0dc', n.data('weight')),
    'border-width': 1, 'border-color': '#5b6b7b' } },
  { selector: 'node[kind = "start"], node[kind = "end"]', style: {
    'shape': 'ellipse', 'width': 40, 'height': 40, 'font-size': FONTS.endpoint,
    'background-color': '#eceff1', 'border-color': '#9aa5b1' } },
  { selector: 'node[kind = "end"]', style: { 'border-width': 3, 'border-style': 'double' } },
  { selector: 'edge', style: {
    'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.9,
    'width': (e) => 1 + 7 * e.data('weight'),
    'line-color': (e) => mix('#7a8694', '#c0392b', e.data('heat')),
    'target-arrow-color': (e) => mix('#7a8694', '#c0392b', e.data('heat')),
    'label': 'data(label)', 'font-family': 'sans-serif', 'font-size': FONTS.edge,
    'color': '#1f2a36', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
    'text-background-padding': 2, 'min-zoomed-font-size': 7 } },
  { selector: 'edge[kind = "endpoint"]', style: {
    'line-style': 'dashed', 'width': 1.5, 'line-color': '#9aa5b1',
    'target-arrow-color': '#9aa5b1' } },
  { selector: ':selected', style: { 'border-width': 3, 'border-color': '#b3261e',
    'line-color': '#b3261e', 'target-arrow-color': '#b3261e', 'underlay-color': '#b3261e',
    'underlay-opacity': 0.12, 'underlay-padding': 4 } },
];

export default function (component) {
  const { data, parentElement, setTriggerValue, key } = component;
  const previous = drawn.get(parentElement);
  if (previous) { previous(); }
  const root = parentElement.querySelector('.pmo-map');
  const container = root.querySelector('.pmo-map-canvas');
  const message = root.querySelector('.pmo-map-message');
  const texts = data.texts;
  const listening = new AbortController();
  const tallest = data.height || 640;
  message.textContent = '';
  root.querySelector('.pmo-map-hint').textContent = texts.hint;
  for (const button of root.querySelectorAll('.pmo-map-button')) {
    button.textContent = texts[button.dataset.action];
  }
  const sign = signature(data);
  const kept = views.get(key);
  const again = kept && kept.signature === sign;  // the same map as before this rerun
  container.style.height = (again ? kept.height : tallest) + 'px';

  let cy;
  try {
    cy = cytoscape({
      container: container,
      elements: {
        nodes: data.nodes.map((n) => ({
          data: n.kind === 'activity' ? { ...n, ...box(n.label) } : { ...n, text: n.label },
          selectable: n.kind === 'activity',
        })),
        edges: data.edges.map((e) => ({ data: e, selectable: e.kind === 'transition' })),
      },
      style: STYLE,
      layout: { name: 'preset' },
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
    });
  } catch (error) {
    message.textContent = texts.error + ' ' + (error && error.message ? error.message : error);
    return undefined;
  }

  // Labels keep a readable size on the screen when the map is zoomed out.
  let growth = 1;
  const fonts = (force) => {
    const wanted = Math.min(MAX_GROWTH, Math.max(1, MIN_SCREEN_FONT / (FONTS.activity * cy.zoom())));
    if (!force && Math.abs(wanted - growth) < 0.02) { return; }
    growth = wanted;
    cy.batch(() => {
      cy.nodes('[kind = "activity"]').style({ 'font-size': FONTS.activity * growth,
        // A grown label overflows its box; a light outline keeps it legible over the lines.
        'text-outline-width': growth > 1 ? 2 : 0 });
      cy.nodes('[kind != "activity"]').style('font-size', FONTS.endpoint * growth);
      cy.edges().style('font-size', FONTS.edge * growth);
    });
  };
  const plainFonts = (action) => {
    const before = growth;
    cy.elements().removeStyle('font-size text-outline-width');
    growth = 1;
    try { return action(); } finally { if (before !== 1) { fonts(true); } }
  };

  if (again) {
    cy.nodes().forEach((n) => { const p = kept.positions[n.id()]; if (p) { n.position(p); } });
  } else {
    cy.layout({ name: 'dagre', rankDir: 'LR', nodeSep: 20, rankSep: 40, edgeSep: 10,
      ranker: 'network-simplex', fit: false, animate: false }).run();
  }
  // The whole map in the current frame (the button).
  const fit = () => { cy.resize(); cy.fit(undefined, MARGIN); fonts(); };
  // The first view: as wide as the frame allows, never smaller than a readable zoom, the frame
  // no taller than the map needs; a map wider than that starts at its left (its start).
  const firstView = () => {
    const width = container.clientWidth;
    if (width === 0) { return false; }
    const bounds = cy.elements().boundingBox();
    const zoom = Math.min(START_ZOOM[1], Math.max(START_ZOOM[0],
      (width - 2 * MARGIN) / Math.max(bounds.w, 1)));
    const height = Math.min(tallest, Math.max(240, bounds.h * zoom + 2 * MARGIN + TOOLBAR));
    container.style.height = height + 'px';
    cy.resize();
    const left = Math.max(MARGIN, (width - bounds.w * zoom) / 2);
    cy.viewport({ zoom: zoom, pan: { x: left - bounds.x1 * zoom,
      y: TOOLBAR / 2 + height / 2 - (bounds.y1 + bounds.h / 2) * zoom } });
    fonts(true);
    return true;
  };
  let shown = false;
  if (again && kept.zoom) {
    cy.viewport({ zoom: kept.zoom, pan: kept.pan });
    fonts(true);
    shown = true;
  } else {
    shown = firstView();
  }
  if (data.selected) { cy.getElementById(data.selected).select(); }

  cy.on('zoom', () => { if (!cy.destroyed()) { fonts(false); } });
  // The rerun a trigger starts redraws the map: let cytoscape finish the tap (it selects the
  // element) before its instance goes.
  const report = (value) => setTimeout(() => setTriggerValue('select', value), 0);
  cy.on('tap', 'node[kind = "activity"]', (event) => {
    report({ kind: 'activity', activity: event.target.data('activity') });
  });
  cy.on('tap', 'edge[kind = "transition"]', (event) => {
    const edge = event.target;
    report({ kind: 'edge', source: edge.data('from'), target: edge.data('to') });
  });
  cy.on('mouseover', 'node, edge', (event) => { container.title = event.target.data('tooltip') || ''; });
  cy.on('mouseout', 'node, edge', () => { container.title = ''; });

  root.querySelector('[data-action="fit"]').addEventListener('click', fit,
    { signal: listening.signal });
  root.querySelector('[data-action="png"]').addEventListener('click', () => {
    const blob = plainFonts(() => cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }));
    save(blob, texts.filename + '.png');
  }, { signal: listening.signal });
  root.querySelector('[data-action="svg"]').addEventListener('click', () => {
    const svg = plainFonts(() => cy.svg({ full: true, scale: 1, bg: '#ffffff' }));
    save(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }), texts.filename + '.svg');
  }, { signal: listening.signal });

  // A map drawn in a hidden tab has no size yet: its first view waits until it gets one.
  let lastWidth = container.clientWidth;
  const observer = new ResizeObserver((entries) => {
    const width = entries[0].contentRect.width;
    if (width > 0 && Math.abs(width - lastWidth) > 1) {
      lastWidth = width;
      if (!shown) { shown = firstView(); } else { cy.resize(); }
    }
  });
  observer.observe(container);
  root.dataset.rendered = 'true';

  const teardown = () => {
    if (cy.destroyed()) { return; }
    const positions = {};
    cy.nodes().forEach((n) => { positions[n.id()] = { ...n.position() }; });
    views.set(key, { signature: sign, positions: positions, height: container.clientHeight,
      zoom: shown ? cy.zoom() : null, pan: { ...cy.pan() } });
    observer.disconnect();
    listening.abort();
    cy.destroy();
    root.dataset.rendered = 'false';
    drawn.delete(parentElement);
  };
  drawn.set(parentElement, teardown);
  return teardown;
}
"""
