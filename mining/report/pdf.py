"""The portfolio report as an A4 PDF: one summary page for leadership, a page per process, the
assumptions last. Process pages are landscape, so a process map of many steps stays readable.

Deterministic: reportlab's ``invariant`` mode fixes the document ids, and the document dates are
the snapshot's creation time (not reportlab's invariant 2000-01-01), so the same snapshot always
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mining.report import figures
from mining.report import labels as lb
from mining.report import render as rp
from mining.texts import tr
from process_registry import clock

__all__ = ["pdf_fonts", "render_pdf"]

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
_WINANSI = frozenset(bytes(range(32, 256)).decode("cp1252", errors="ignore"))
_MARGIN = 40


@functools.cache
def pdf_fonts() -> figures.Fonts:
    """DejaVu Sans where installed (it has "₂" and arrows), else the built-in Helvetica, whose
    WinAnsi characters cover German but not subscripts: those are then spelled out."""
    for directory in _FONT_DIRS:
        regular, bold = Path(directory, "DejaVuSans.ttf"), Path(directory, "DejaVuSans-Bold.ttf")
        if not regular.is_file():
            continue
        try:
            font = TTFont("PmoSans", str(regular))
            bold_font = TTFont("PmoSans-Bold", str(bold if bold.is_file() else regular))
        except (OSError, TTFError):
            continue
        pdfmetrics.registerFont(font)
        pdfmetrics.registerFont(bold_font)
        pdfmetrics.registerFontFamily(
            "PmoSans",
            normal="PmoSans",
            bold="PmoSans-Bold",
            italic="PmoSans",
            boldItalic="PmoSans-Bold",
        )
        return figures.Fonts("PmoSans", "PmoSans-Bold", frozenset(map(chr, font.face.charToGlyph)))
    return figures.Fonts("Helvetica", "Helvetica-Bold", _WINANSI)


class _Writer:
    def __init__(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        self.fonts = pdf_fonts()
        base = ParagraphStyle("body", fontName=self.fonts.regular, fontSize=9, leading=12)
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=8, leading=10)
        self.head = ParagraphStyle("head", self.small, fontName=self.fonts.bold)
        self.right = ParagraphStyle("right", self.small, alignment=2)
        self.title = ParagraphStyle(
            "title", base, fontName=self.fonts.bold, fontSize=17, leading=21, spaceAfter=6
        )
        self.h2 = ParagraphStyle(
            "h2",
            base,
            fontName=self.fonts.bold,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
        )
        self.bullet = ParagraphStyle("bullet", self.small, leftIndent=10, bulletIndent=2)
        # The conclusions: small enough that the summary still holds the top ten and both charts.
        self.lead = ParagraphStyle("lead", base, fontSize=8.5, leading=10.5)
        self.flag = ParagraphStyle("flag", self.small, textColor=colors.HexColor("#9c2b23"))

    def p(self, text: object, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(self.fonts.text(text)), style or self.body)

    def bullets(self, items: list[str]) -> list[Paragraph]:
        return [Paragraph(escape(self.fonts.text(i)), self.bullet, bulletText="•") for i in items]

    def table(self, table: rp.Table, width: float) -> Table:
        numeric = set(table.numeric)
        widths = self.column_widths(table, width)
        header = [self.p(h, self.head) for h in table.headers]
        rows = [
            [self.p(cell, self.right if i in numeric else self.small) for i, cell in enumerate(row)]
            for row in table.rows
        ]
        result = Table([header, *rows], colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), figures.PALE),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return result

    def column_widths(self, table: rp.Table, width: float) -> list[float]:
        """Number columns as wide as their widest value or header word; the text columns share
        the rest by their content, so a long activity name wraps and a short one does not."""

        def widest(texts: list[str], font: str) -> float:
            return max((stringWidth(self.fonts.text(t), font, 8) for t in texts), default=0) + 12

        columns = list(zip(table.headers, *table.rows, strict=True))
        words = [
            max(widest(h.split(), self.fonts.bold), widest(" ".join(c).split(), self.fonts.regular))
            for h, *c in columns
        ]
        natural = [
            max(words[i], widest(list(c), self.fonts.regular)) for i, (_h, *c) in enumerate(columns)
        ]
        numeric = set(table.numeric)
        text = [i for i in range(len(columns)) if i not in numeric]
        floor = {i: min(words[i], 120) for i in text}
        wish = {i: min(max(natural[i], 50), 220) for i in text}
        room = width - sum(natural[i] for i in numeric) - sum(floor.values())
        stretch = room / max(sum(wish[i] - floor[i] for i in text), 1)
        return [
            natural[i] if i in numeric else floor[i] + (wish[i] - floor[i]) * max(stretch, 0)
            for i in range(len(columns))
        ]

    def facts(self, facts: rp.Facts, width: float) -> Table:
        # Two label/value pairs per row: the summary page must hold the top ten and both charts.
        cells = [
            [self.p(label, self.head), self.p(value, self.small)] for label, value in facts.rows
        ]
        if len(cells) % 2:
            cells.append(["", ""])
        rows = [left + right for left, right in zip(cells[::2], cells[1::2], strict=True)]
        label = 110
        result = Table(rows, colWidths=[label, width / 2 - label] * 2, hAlign="LEFT")
        result.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return result

    def summary_page(self, width: float) -> list:
        snapshot = self.snapshot
        story = [
            self.p(
                snapshot.get("title") or tr("Digitalisierungsportfolio", "Digitization portfolio"),
                self.title,
            )
        ]
        story.append(
            self.p(
                tr("Zusammenfassung für die Verwaltungsleitung", "Summary for the leadership"),
                self.h2,
            )
        )
        story.append(self.p(rp.conclusion_text(snapshot), self.lead))
        story.append(Spacer(1, 4))
        story.append(self.facts(rp.report_facts(snapshot), width))
        figures_row = rp.key_figures(snapshot)
        big = ParagraphStyle("big", self.head, fontSize=12, leading=15, alignment=1)
        caption = ParagraphStyle("caption", self.small, alignment=1, textColor=figures.GREY)
        cells = [
            [self.p(value, big) for _l, value in figures_row],
            [self.p(label, caption) for label, _v in figures_row],
        ]
        key_table = Table(cells, colWidths=[width / len(figures_row)] * len(figures_row))
        key_table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), figures.PALE),
                    ("TOPPADDING", (0, 0), (-1, 0), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
                ]
            )
        )
        story += [Spacer(1, 4), key_table]
        story.append(
            self.p(
                tr(
                    f"Die {rp.TOP_CANDIDATES} besten Kandidaten",
                    f"The {rp.TOP_CANDIDATES} best candidates",
                ),
                self.h2,
            )
        )
        top = rp.top_candidates(snapshot)
        if not top.rows:
            story.append(
                self.p(tr("Keine Kandidaten gefunden.", "No candidates found."), self.small)
            )
            return story
        story.append(self.table(top, width))
        story.append(self.p(rp.score_note(snapshot), self.small))
        best = (snapshot.get("candidates") or [])[: rp.TOP_CANDIDATES]
        half = width / 2 - 6
        charts = Table(
            [
                [
                    self.p(
                        tr("Eingesparte Arbeitsstunden je Jahr", "Working hours saved per year"),
                        self.head,
                    ),
                    self.p(
                        tr(
                            "Nutzen und Aufwand (Nummern wie oben)",
                            "Benefit and effort (numbers as above)",
                        ),
                        self.head,
                    ),
                ],
                [
                    figures.savings_chart(best, self.fonts, half),
                    figures.portfolio_matrix(best, self.fonts, half, 140),
                ],
            ],
            colWidths=[half + 6, half + 6],
        )
        charts.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story += [Spacer(1, 4), KeepTogether(charts)]
        return story

    def process_page(self, process: dict, width: float) -> list:
        heading = f"{process.get('name') or process.get('key')}"
        story: list = [self.p(heading, self.title)]
        for section in rp.process_sections(process, self.snapshot):
            block = [self.p(section.heading, self.h2)] if section.heading else []
            content = section.content
            if isinstance(content, rp.Facts):
                block.append(self.facts(content, width))
            elif isinstance(content, rp.Table):
                block.append(self.table(content, width))
            elif isinstance(content, rp.Bullets):
                block += self.bullets(content.items)
            elif isinstance(content, rp.Figure) and content.kind == "trends":
                drawing = figures.trend_chart(content.data.get("rows") or [], self.fonts, width)
                block.append(drawing if drawing is not None else self.p(lb.DASH))
            elif isinstance(content, rp.Figure):
                drawing = figures.process_map(content.data, self.fonts, width, 250)
                block.append(drawing if drawing is not None else self.p(lb.DASH))
            else:
                story += [CondPageBreak(60), *block]
                block = []
                for view in content:
                    lines = [self.p(view.title, self.head), self.p(view.figures, self.small)]
                    if view.flags:
                        lines.append(
                            self.p(tr("Hinweis: ", "Note: ") + ", ".join(view.flags), self.flag)
                        )
                    lines += self.bullets(view.reasons)
                    lines += [self.p(line, self.small) for line in view.calculation]
                    story.append(KeepTogether([*lines, Spacer(1, 4)]))
            if block:
                story.append(KeepTogether(block))
        return story

    def appendix_page(self, width: float) -> list:
        sections = rp.appendix_sections(self.snapshot)
        if not sections:
            return []
        story: list = [PageBreak(), self.p(rp.APPENDIX_HEADING, self.title)]
        story.append(self.p(rp.APPENDIX_NOTE, self.small))
        for section in sections:
            block = [self.p(section.heading, self.h2)] if section.heading else []
            if isinstance(section.content, rp.Facts):
                block.append(self.facts(section.content, width))
            elif isinstance(section.content, rp.Bullets):
                block += self.bullets(section.content.items)
            story.append(KeepTogether(block))
        return story

    def assumptions_page(self, width: float) -> list:
        story = [self.p(tr("Annahmen und Methode", "Assumptions and method"), self.title)]
        rows = [[label, value, key] for key, label, value in rp.assumption_rows(self.snapshot)]
        story.append(
            self.table(
                rp.Table(
                    [tr("Annahme", "Assumption"), tr("Wert", "Value"), tr("Schlüssel", "Key")], rows
                ),
                width,
            )
        )
        story += [self.p(tr("Methode", "Method"), self.h2), self.p(lb.method_note(), self.small)]
        return story


AUTHOR = "Prozessmanagement-Büro"
SUBJECT = "Digitalisierungskandidaten, Einsparungen und Datenstand der Prozesse"


def _timestamp(snapshot: dict) -> SimpleNamespace | None:
    """The snapshot's creation time on Berlin's clock, in the shape reportlab's document dates
    read (``YMDhms`` and the UTC offset); None for a snapshot without a readable time."""
    created = lb.parse_datetime(snapshot.get("created_at"))
    if created is None:
        return None
    local = clock.local(created)
    offset = int((local.utcoffset() or dt.timedelta()).total_seconds() // 60)
    return SimpleNamespace(
        YMDhms=local.timetuple()[:6], dhh=offset // 60, dmm=offset % 60, t=local.timestamp()
    )


def render_pdf(snapshot: dict) -> bytes:
    """The report as PDF bytes, with title, author (the office and who made it), subject,
    language and the snapshot's creation time as document properties."""
    writer = _Writer(snapshot)
    fonts = writer.fonts
    title = snapshot.get("title") or tr("Digitalisierungsportfolio", "Digitization portfolio")
    footer_text = (
        f"{title} · {tr('erstellt', 'created')} {lb.date_time(snapshot.get('created_at'))}"
    )

    def footer(canvas, doc) -> None:
        page_width = canvas._pagesize[0]
        canvas.saveState()
        canvas.setFont(fonts.regular, 7.5)
        canvas.setFillColor(figures.GREY)
        canvas.drawString(_MARGIN, 22, fonts.text(footer_text))
        canvas.drawRightString(page_width - _MARGIN, 22, f"{tr('Seite', 'Page')} {doc.page}")
        canvas.restoreState()

    def template(name: str, size: tuple[float, float]) -> PageTemplate:
        frame = Frame(_MARGIN, 40, size[0] - 2 * _MARGIN, size[1] - 40 - _MARGIN, id=name)
        return PageTemplate(name, [frame], onPage=footer, pagesize=size)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[template("portrait", A4), template("landscape", landscape(A4))],
        title=fonts.text(title),
        author=fonts.text(
            f"{AUTHOR} ({snapshot['created_by']})" if snapshot.get("created_by") else AUTHOR
        ),
        subject=SUBJECT,
        creator="pmo",
        lang="de-DE",
        invariant=1,
    )
    stamp = _timestamp(snapshot)

    def stamped(canvas, doc) -> None:
        if stamp is not None:
            canvas._doc._timeStamp = stamp  # read when the document info is written
        footer(canvas, doc)

    for page_template in doc.pageTemplates:
        page_template.onPage = stamped
    portrait_width = A4[0] - 2 * _MARGIN
    story = writer.summary_page(portrait_width)
    for process in snapshot.get("processes") or []:
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += writer.process_page(process, landscape(A4)[0] - 2 * _MARGIN)
    story += [NextPageTemplate("portrait"), *writer.appendix_page(portrait_width)]
    story += [PageBreak(), *writer.assumptions_page(portrait_width)]
    doc.build(story)
    return buffer.getvalue()
