"""The portfolio report as one self-contained HTML page: inline CSS and SVG, no script, nothing
loaded from elsewhere, so it can be mailed or filed as it is.

Every text from the snapshot is escaped: activity names come from uploaded logs.
"""

from __future__ import annotations

import re
from html import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from mining.report import figures
from mining.report import labels as lb
from mining.report import render as rp
from mining.texts import as_read, tr

__all__ = ["render_html"]

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #1b2430; margin: 2rem auto;
       max-width: 64rem; padding: 0 1rem; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #2f6db5; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
         border-bottom: 1px solid #d5dbe3; }
th { background: #e6eef8; }
td.num, th.num { text-align: right; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: 14rem 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem;
        margin: 1rem 0; }
.kpis div { background: #e6eef8; padding: .6rem; text-align: center; }
.kpis strong { display: block; font-size: 1.3rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
figure { margin: 1rem 0; }
figcaption { font-weight: bold; margin-bottom: .3rem; }
svg { max-width: 100%; height: auto; }
.candidate { margin: .8rem 0; }
.candidate .figures { color: #444; font-size: .9rem; }
.flag { color: #9c2b23; font-weight: bold; }
.sub { color: #5a6573; }
.conclusions { font-size: 1.05rem; background: #f3f6fa; border-left: 4px solid #2f6db5;
               padding: .6rem .9rem; }
footer { margin-top: 3rem; color: #5a6573; font-size: .85rem; }
@media print { h2.process { break-before: page; } body { margin: 0; max-width: none; } }
"""


def _e(value: object) -> str:
    # A Text not yet localized (a snapshot built without a language) reads in the report's.
    return escape(str(as_read(value) if isinstance(value, str) else value), quote=True)


def _svg(drawing: Drawing, number: int, label: str) -> str:
    """``drawing`` as inline SVG: no XML prolog, no namespace URLs, ids unique in the page."""
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg") :]
    opening, rest = svg.split(">", 1)
    opening = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", opening)
    opening += f' role="img" aria-label="{_e(label)}"'
    rest = re.sub(r"\s*<title>[^<]*</title>\s*<desc>[^<]*</desc>", "", rest, count=1)
    rest = rest.replace('id="clip"', f'id="clip-{number}"').replace(
        "url(#clip)", f"url(#clip-{number})"
    )
    rest = rest.replace(' id="group"', "")
    rest = rest.replace(
        "font-family: Helvetica-Bold;",
        "font-family: Helvetica, Arial, sans-serif; font-weight: bold;",
    )
    rest = rest.replace("font-family: Helvetica;", "font-family: Helvetica, Arial, sans-serif;")
    return f"{opening}>{rest}"


class _Page:
    def __init__(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        self.parts: list[str] = []
        self.figures = 0

    def add(self, *parts: str) -> None:
        self.parts.extend(parts)

    def figure(self, drawing: Drawing, caption: str) -> None:
        self.figures += 1
        svg = _svg(drawing, self.figures, caption)
        self.add(f"<figure><figcaption>{_e(caption)}</figcaption>{svg}</figure>")

    def facts(self, facts: rp.Facts) -> None:
        rows = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in facts.rows)
        self.add(f'<dl class="facts">{rows}</dl>')

    def table(self, table: rp.Table) -> None:
        def cell(tag: str, i: int, text: str) -> str:
            css = ' class="num"' if i in table.numeric else ""
            return f"<{tag}{css}>{_e(text)}</{tag}>"

        head = "".join(cell("th", i, h) for i, h in enumerate(table.headers))
        body = "".join(
            "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
            for row in table.rows
        )
        self.add(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def bullets(self, items: list[str]) -> None:
        self.add("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>")

    def summary(self) -> None:
        snapshot = self.snapshot
        self.add(
            '<p class="sub">'
            + tr("Zusammenfassung für die Verwaltungsleitung", "Summary for the leadership")
            + "</p>"
        )
        self.add(f'<p class="conclusions">{_e(rp.conclusion_text(snapshot))}</p>')
        self.facts(rp.report_facts(snapshot))
        kpis = "".join(
            f"<div><strong>{_e(value)}</strong>{_e(label)}</div>"
            for label, value in rp.key_figures(snapshot)
        )
        self.add(f'<div class="kpis">{kpis}</div>')
        self.add(
            "<h2>"
            + tr(
                f"Die {rp.TOP_CANDIDATES} besten Kandidaten",
                f"The {rp.TOP_CANDIDATES} best candidates",
            )
            + "</h2>"
        )
        top = rp.top_candidates(snapshot)
        if not top.rows:
            self.add(f"<p>{tr('Keine Kandidaten gefunden.', 'No candidates found.')}</p>")
            return
        self.table(top)
        self.add(f'<p class="sub">{_e(rp.score_note(snapshot))}</p>')
        best = (snapshot.get("candidates") or [])[: rp.TOP_CANDIDATES]
        self.add('<div class="charts">')
        self.figure(
            figures.savings_chart(best, figures.SVG_FONTS, 320),
            tr("Eingesparte Arbeitsstunden je Jahr", "Working hours saved per year"),
        )
        self.figure(
            figures.portfolio_matrix(best, figures.SVG_FONTS, 320, 240),
            tr(
                "Nutzen und Aufwand (Nummern wie in der Tabelle)",
                "Benefit and effort (numbers as in the table)",
            ),
        )
        self.add("</div>")

    def process(self, number: int, process: dict) -> None:
        name = process.get("name") or process.get("key")
        self.add(f'<h2 class="process" id="prozess-{number}">{_e(name)}</h2>')
        for section in rp.process_sections(process, self.snapshot):
            content = section.content
            if isinstance(content, rp.Figure):
                if content.kind == "trends":
                    rows = content.data.get("rows") or []
                    drawing = figures.trend_chart(rows, figures.SVG_FONTS, 960, 190)
                else:
                    drawing = figures.process_map(content.data, figures.SVG_FONTS, 960, 420)
                if drawing is not None:
                    self.figure(drawing, section.heading or "")
                continue
            if section.heading:
                self.add(f"<h3>{_e(section.heading)}</h3>")
            if isinstance(content, rp.Facts):
                self.facts(content)
            elif isinstance(content, rp.Table):
                self.table(content)
            elif isinstance(content, rp.Bullets):
                self.bullets(content.items)
            else:
                for view in content:
                    flags = (
                        f' <span class="flag">{_e(", ".join(view.flags))}</span>'
                        if view.flags
                        else ""
                    )
                    self.add(
                        f'<div class="candidate"><strong>{_e(view.title)}</strong>{flags}'
                        f'<div class="figures">{_e(view.figures)}</div>'
                    )
                    self.bullets(view.reasons)
                    if view.calculation:
                        self.add('<div class="calculation">')
                        self.bullets(view.calculation)
                        self.add("</div>")
                    self.add("</div>")

    def appendix(self) -> None:
        sections = rp.appendix_sections(self.snapshot)
        if not sections:
            return
        self.add(f'<h2 class="process" id="anhang">{_e(rp.APPENDIX_HEADING)}</h2>')
        self.add(f'<p class="sub">{_e(rp.APPENDIX_NOTE)}</p>')
        for section in sections:
            if section.heading:
                self.add(f"<h3>{_e(section.heading)}</h3>")
            if isinstance(section.content, rp.Facts):
                self.facts(section.content)
            elif isinstance(section.content, rp.Bullets):
                self.bullets(section.content.items)

    def assumptions(self) -> None:
        heading = tr("Annahmen und Methode", "Assumptions and method")
        self.add(f'<h2 class="process" id="annahmen">{heading}</h2>')
        rows = [[label, value, key] for key, label, value in rp.assumption_rows(self.snapshot)]
        self.table(
            rp.Table(
                [tr("Annahme", "Assumption"), tr("Wert", "Value"), tr("Schlüssel", "Key")], rows
            )
        )
        self.add(f"<h3>{tr('Methode', 'Method')}</h3>", f"<p>{_e(lb.method_note())}</p>")


def render_html(snapshot: dict) -> bytes:
    """The report as a UTF-8 HTML page."""
    title = snapshot.get("title") or tr("Digitalisierungsportfolio", "Digitization portfolio")
    created = lb.date_time(snapshot.get("created_at"))
    processes = snapshot.get("processes") or []
    page = _Page(snapshot)
    page.summary()
    if processes:
        appendix = (
            f'<li><a href="#anhang">{_e(rp.APPENDIX_HEADING)}</a></li>'
            if rp.appendix_sections(snapshot)
            else ""
        )
        links = "".join(
            f'<li><a href="#prozess-{i}">{_e(p.get("name") or p.get("key"))}</a></li>'
            for i, p in enumerate(processes, start=1)
        )
        page.add(
            f"<h2>{tr('Prozesse', 'Processes')}</h2><ul>{links}{appendix}"
            f'<li><a href="#annahmen">{tr("Annahmen und Methode", "Assumptions and method")}</a>'
            "</li></ul>"
        )
    for number, process in enumerate(processes, start=1):
        page.process(number, process)
    page.appendix()
    page.assumptions()
    body = "\n".join(page.parts)
    document = (
        f'<!DOCTYPE html>\n<html lang="{tr("de", "en")}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)} – {_e(created)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{_e(title)}</h1>\n{body}\n<footer>{_e(title)} · {tr('erstellt', 'created')} {_e(created)}</footer>\n"
        "</body>\n</html>\n"
    )
    return document.encode("utf-8")
