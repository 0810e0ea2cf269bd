"""The variants as rows of step chips, a Streamlit custom component (``st.components.v2``) that
tells Python which variant was clicked.

No library is needed: the script builds each row from the JSON in ``data`` with
``createElement`` and ``textContent``, so a step named ``</script><script>`` is drawn as those
characters. Runs of the same step collapse into one chip with a count (``Nachforderung ×3``), so
a long variant stays a few lines. A click comes back as the variant's number, which
:func:`variants_view` checks against the numbers it drew before passing it on.

    variants_view(rows, key="variants", selected=1, on_select=lambda number: ...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import streamlit as st

__all__ = ["COMPONENT_NAME", "PALETTE", "VariantRow", "component_parts", "steps", "variants_view"]

COMPONENT_NAME = "pmo.variants"
# Pastel fills with dark text (contrast ≥ 4.5:1 for #1f2a36), one per activity in turn.
PALETTE = (
    "#dbe9f6",
    "#fde2c8",
    "#d7f0dd",
    "#f6d5d5",
    "#e6dcf3",
    "#f3ecc2",
    "#d2eeee",
    "#f5dbea",
    "#e4e7ea",
    "#e0efc9",
)


@dataclass(frozen=True)
class VariantRow:
    number: int  # 1 = the most frequent variant
    title: str  # "Variante 1"
    figures: str  # "123 Fälle · 30,8 % · Median 12,3 Tage · P90 20,1 Tage"
    share: float  # 0…1, drawn as a bar
    activities: tuple[str, ...]
    tooltip: str = ""


def steps(
    activities: Sequence[str], colours: Mapping[str, int], repeat: str
) -> list[dict[str, Any]]:
    """The chips of one variant: consecutive repeats collapsed, ``repeat`` (e.g. "×{n}") naming
    how many; each chip has its activity, label and palette index."""
    chips: list[dict[str, Any]] = []
    for activity in activities:
        if chips and chips[-1]["activity"] == activity:
            chips[-1]["times"] += 1
        else:
            chips.append({"activity": activity, "times": 1})
    return [
        {
            "label": chip["activity"]
            + (" " + repeat.format(n=chip["times"]) if chip["times"] > 1 else ""),
            "activity": chip["activity"],
            "colour": PALETTE[colours.get(chip["activity"], 0) % len(PALETTE)],
        }
        for chip in chips
    ]


def _payload(rows: Sequence[VariantRow], selected: int | None, repeat: str) -> dict[str, Any]:
    colours: dict[str, int] = {}
    for row in rows:
        for activity in row.activities:
            colours.setdefault(activity, len(colours))
    return {
        "rows": [
            {
                "number": row.number,
                "title": row.title,
                "figures": row.figures,
                "share": min(max(float(row.share), 0.0), 1.0),
                "tooltip": row.tooltip,
                "steps": steps(row.activities, colours, repeat),
            }
            for row in rows
        ],
        "selected": selected,
    }


def component_parts() -> tuple[str, str, str]:
    """(html, css, js) of the component: the same for every log."""
    return _HTML, _CSS, _SCRIPT


@cache
def _component() -> Any:
    html, css, js = component_parts()
    # Light DOM with prefixed classes, as the process map: page tests can reach the rows.
    return st.components.v2.component(
        COMPONENT_NAME, html=html, css=css, js=js, isolate_styles=False
    )


def variants_view(
    rows: Sequence[VariantRow],
    *,
    key: str,
    selected: int | None,
    on_select: Callable[[int], None],
    repeat: str = "×{n}",
) -> None:
    """Draw ``rows``, ``selected`` (a number) marked. A click on a row calls ``on_select`` with
    its number before the script reruns, and only with a number that was drawn."""
    numbers = {row.number for row in rows}

    def clicked() -> None:
        state = st.session_state.get(key)
        number = state.get("select") if isinstance(state, Mapping) else None
        if isinstance(number, int) and not isinstance(number, bool) and number in numbers:
            on_select(number)

    _component()(key=key, data=_payload(rows, selected, repeat), on_select_change=clicked)


_HTML = '<div class="pmo-variants" role="list"></div>'

_CSS = """
.pmo-variants { display: flex; flex-direction: column; gap: 6px; max-height: 520px;
  overflow-y: auto; font-family: var(--st-font, sans-serif); font-size: 13px; }
.pmo-variant { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 6px; padding: 6px 8px;
  cursor: pointer; background: var(--st-background-color, #ffffff);
  color: var(--st-text-color, #1f2a36); }
.pmo-variant:hover, .pmo-variant:focus-visible { border-color: #7a8694; }
.pmo-variant.pmo-selected { border-color: var(--st-primary-color, #1f4e79);
  box-shadow: inset 4px 0 0 var(--st-primary-color, #1f4e79); padding-left: 12px; }
.pmo-variant-head { display: flex; gap: 10px; align-items: baseline; }
.pmo-variant-title { font-weight: 600; white-space: nowrap; }
.pmo-variant-figures { opacity: 0.8; }
.pmo-variant-bar { height: 4px; background: rgba(49, 51, 63, 0.1); border-radius: 2px; margin: 4px 0; }
.pmo-variant-bar > span { display: block; height: 100%; border-radius: 2px;
  background: var(--st-primary-color, #1f4e79); }
.pmo-variant-steps { display: flex; flex-wrap: wrap; gap: 3px; align-items: center; }
.pmo-chip { border-radius: 10px; padding: 1px 8px; color: #1f2a36; white-space: nowrap;
  max-width: 22em; overflow: hidden; text-overflow: ellipsis; }
.pmo-arrow { color: #7a8694; }
"""

# Every value of the payload reaches the page through textContent, title or a style property.
_SCRIPT = r"""
// Scroll position per component key: a click reruns the script and redraws the list.
const scrolled = new Map();

export default function (component) {
  const { data, parentElement, setTriggerValue, key } = component;
  const list = parentElement.querySelector('.pmo-variants');
  // Streamlit calls this again for new data without a cleanup in between: start afresh.
  list.replaceChildren();
  list.onscroll = () => { scrolled.set(key, list.scrollTop); };
  for (const row of data.rows) {
    const item = document.createElement('div');
    item.className = 'pmo-variant' + (row.number === data.selected ? ' pmo-selected' : '');
    item.setAttribute('role', 'listitem');
    item.tabIndex = 0;
    item.dataset.number = String(row.number);
    item.title = row.tooltip;
    const head = document.createElement('div');
    head.className = 'pmo-variant-head';
    const title = document.createElement('span');
    title.className = 'pmo-variant-title';
    title.textContent = row.title;
    const figures = document.createElement('span');
    figures.className = 'pmo-variant-figures';
    figures.textContent = row.figures;
    head.append(title, figures);
    const bar = document.createElement('div');
    bar.className = 'pmo-variant-bar';
    const fill = document.createElement('span');
    fill.style.width = (100 * row.share).toFixed(1) + '%';
    bar.append(fill);
    const steps = document.createElement('div');
    steps.className = 'pmo-variant-steps';
    row.steps.forEach((step, index) => {
      if (index > 0) {
        const arrow = document.createElement('span');
        arrow.className = 'pmo-arrow';
        arrow.textContent = '→';
        steps.append(arrow);
      }
      const chip = document.createElement('span');
      chip.className = 'pmo-chip';
      chip.style.background = step.colour;
      chip.textContent = step.label;
      chip.title = step.label;
      steps.append(chip);
    });
    item.append(head, bar, steps);
    const choose = () => setTriggerValue('select', row.number);
    item.addEventListener('click', choose);
    item.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); choose(); }
    });
    list.append(item);
  }
  list.scrollTop = scrolled.get(key) || 0;
  list.dataset.rendered = 'true';
  return () => { list.replaceChildren(); };
}
"""
