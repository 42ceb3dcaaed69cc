"""Laying out a process map: boxes in bands and columns, arrows between them, and a legend — sized so that the
map prints legibly on the evidence pack's landscape page. Pure geometry over loaded processes and interfaces;
``processes.maps`` reads the data and draws the SVG (``templates/processes/_map.svg``).

Names and owners wrap whole onto as many lines as they need (a row is as tall as its tallest box); each
column gets the boxes per row that make the whole map's printed text largest (``fitted_per_rows``)."""

import math
import textwrap
from dataclasses import dataclass, field
from typing import ClassVar

from flask_babel import gettext as _

from core.pdf import FIGURE_HEIGHT_PT, FIGURE_WIDTH_PT, MIN_PRINT_PT
from processes.agreements import AgreementState
from processes.models import Interface, Process, ProcessKind, Programme

BOX_WIDTH, GAP, BAND_PAD, LABEL_WIDTH = 180, 16, 14, 104
BANDS = (ProcessKind.STRATEGIC, ProcessKind.KEY, ProcessKind.SUPPORT)
#: Font sizes in SVG pixels. The smallest is what decides whether a map still reads in print.
FONT = {"column": 14, "band": 12, "code": 12, "name": 12, "owner": 12, "percent": 12, "legend": 12}
#: Characters per line before a name wraps, for the box's 160 px of text (wide fonts such as Verdana included).
NAME_CHARS, OWNER_CHARS = 21, 22
NAME_LINE, OWNER_LINE, LEGEND_LINE = 15, 14, 20
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = FIGURE_WIDTH_PT, FIGURE_HEIGHT_PT


@dataclass
class Box:
    process: Process
    x: float
    y: float
    completeness: int | None
    #: Drawn dashed: a process of another programme, shown because an interface reaches it.
    external: bool = False
    height: float = 0
    #: The process's name and owner, wrapped (never cut) to the box's width.
    name_lines: list[str] = field(default_factory=list)
    owner_lines: list[str] = field(default_factory=list)

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + BOX_WIDTH / 2, self.y + self.height / 2

    @property
    def owner_y(self) -> float:
        return self.y + 34 + len(self.name_lines) * NAME_LINE

    @property
    def bar_y(self) -> float:
        return self.owner_y + (len(self.owner_lines) - 1) * OWNER_LINE + 8


@dataclass
class Arrow:
    interface: Interface
    state: AgreementState
    start: tuple[float, float]
    end: tuple[float, float]

    @property
    def style(self) -> str:
        """``compliant``, ``breached``, ``no_agreement``, ``unmeasured`` (no measurable level or no data yet)
        or ``none`` (an interface with neither problem nor agreement): one colour and dash each."""
        status = self.state.status.value if self.state.status else "none"
        return "unmeasured" if status in ("not_measurable", "no_data") else status


@dataclass
class Band:
    kind: ProcessKind
    y: float
    height: float


@dataclass
class Column:
    programme: Programme | str | None
    x: float
    width: float
    title_lines: list[str] = field(default_factory=list)


@dataclass
class LegendItem:
    #: ``arrow-<style>``, ``external`` (a dashed box) or ``bar`` (the completeness bar).
    symbol: str
    text: str
    x: float
    y: float


#: The arrow styles, in the legend's order: colour and dash pattern, so they stay apart in grey print too.
ARROW_STYLES = {"compliant": ("#198754", ""), "breached": ("#dc3545", ""), "no_agreement": ("#fd7e14", "7 4"),
                "unmeasured": ("#6c757d", "2 3"), "none": ("#adb5bd", "")}


@dataclass
class MapLayout:
    font: ClassVar[dict] = FONT
    box_width: ClassVar[int] = BOX_WIDTH
    arrow_styles: ClassVar[dict] = ARROW_STYLES

    width: float
    height: float
    bands: list[Band] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)

    @property
    def printed_pt_per_px(self) -> float:
        """Points per SVG pixel once the map is scaled to fit the pack's landscape page."""
        return min(PAGE_WIDTH_PT / self.width, PAGE_HEIGHT_PT / self.height)

    @property
    def smallest_printed_pt(self) -> float:
        return min(FONT.values()) * self.printed_pt_per_px

    @property
    def fits_a_page(self) -> bool:
        return self.smallest_printed_pt >= MIN_PRINT_PT


def _wrap(text: str, chars: int) -> list[str]:
    """Whole lines, however many it takes: long words are split, never cut short with "…"."""
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


def _edge_point(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre to ``towards`` leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((BOX_WIDTH / 2) / abs(dx) if dx else float("inf"), (box.height / 2) / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def _legend_texts(elsewhere: bool = False) -> list[tuple[str, str]]:
    return [("arrow-compliant", _("SLA complied with")), ("arrow-breached", _("SLA not complied with")),
            ("arrow-no_agreement", _("Problem without agreement")),
            ("arrow-unmeasured", _("Agreement not measurable or not measured yet")),
            ("arrow-none", _("Interface without problem or agreement")),
            ("external", _("Process on another page of this map, or of another programme") if elsewhere
             else _("Process of another programme")),
            ("bar", _("The bar in each box: completeness of the sheet against the standard"))]


def _legend(width: float, top: float, external: bool, elsewhere: bool = False) -> tuple[list[LegendItem], float]:
    """The legend's items flowed in rows under the map, and the height they take (the dashed box only where
    the map has one)."""
    items, x, y = [], LABEL_WIDTH - 88, top + 22
    for symbol, text in _legend_texts(elsewhere):
        if symbol == "external" and not external:
            continue
        needed = 44 + len(text) * 7.5
        if x > LABEL_WIDTH - 88 and x + needed > width - 8:
            x, y = LABEL_WIDTH - 88, y + LEGEND_LINE
        items.append(LegendItem(symbol, text, x, y))
        x += needed + 16
    return items, y - top + 14


def _wrapped(groups) -> dict:
    """Each process's name and owner as wrapped lines."""
    return {p.id: (_wrap(p.name, NAME_CHARS), _wrap(p.owner.name if p.owner else _("No owner"), OWNER_CHARS))
            for _prog, processes, _ext in groups for p in processes}


def _needed_height(lines: tuple[list[str], list[str]]) -> float:
    """The height a box needs for its code, name lines, owner lines and completeness bar."""
    names, owners = lines
    return 34 + len(names) * NAME_LINE + (len(owners) - 1) * OWNER_LINE + 24


def _rows(groups, per_rows: list[int], lines: dict) -> dict:
    """kind → the height of each row of its band: every box of a row is as tall as the tallest one needs, so a
    long name makes its own row taller, not the whole map."""
    base = _needed_height(([""], [""]))
    found = {}
    for kind in BANDS:
        rows: list[float] = []
        for (_prog, processes, _ext), per_row in zip(groups, per_rows, strict=True):
            for n, process in enumerate(p for p in processes if p.kind == kind):
                row = n // per_row
                rows += [base] * (row + 1 - len(rows))
                rows[row] = max(rows[row], _needed_height(lines[process.id]))
        found[kind] = rows or [base]
    return found


def _band_height(rows: list[float]) -> float:
    return sum(rows) + GAP * (len(rows) - 1) + 2 * BAND_PAD


def _column_width(per_row: int) -> float:
    return per_row * (BOX_WIDTH + GAP) + GAP


def _column_name(programme: "Programme | str | None") -> str:
    """A column's title: its programme's name, a title given in words (a part of a map), or the other programmes."""
    if isinstance(programme, str):
        return programme
    return programme.name if programme else _("Other programmes")


def _column_titles(groups, per_rows: list[int]) -> list[list[str]]:
    names = [_column_name(programme) for programme, _p, _e in groups]
    return [_wrap(name, max(8, int(_column_width(per_row) / 9.5))) for name, per_row in zip(names, per_rows,
                                                                                              strict=True)]


def _header(titles: list[list[str]]) -> float:
    return 18 + max([len(t) for t in titles] or [1]) * 17


def _size(groups, per_rows: list[int], lines: dict) -> tuple[float, float]:
    """The width and height a layout with these boxes per row would take (legend aside)."""
    bands = sum(_band_height(rows) + GAP for rows in _rows(groups, per_rows, lines).values())
    return LABEL_WIDTH + sum(map(_column_width, per_rows)), _header(_column_titles(groups, per_rows)) + bands


def fitted_per_rows(groups, lines: dict) -> list[int]:
    """Boxes per row in each column so that the map is as legible as it can be on a landscape page: every
    column gets the boxes per row its fullest band needs for a common number of rows, and the number of rows
    that gives the largest printed text wins."""
    fullest = [max([sum(1 for p in procs if p.kind == kind) for kind in BANDS] + [1]) for _g, procs, _e in groups]
    best, best_scale = [1] * len(groups), 0.0
    for rows in range(1, max(fullest + [1]) + 1):
        per_rows = [max(1, math.ceil(n / rows)) for n in fullest]
        width, height = _size(groups, per_rows, lines)
        scale = min(PAGE_WIDTH_PT / width, PAGE_HEIGHT_PT / (height + 3 * LEGEND_LINE))
        if scale > best_scale + 1e-9:
            best, best_scale = per_rows, scale
    return best


def layout(groups: list[tuple[Programme | str | None, list[Process], bool]], interfaces, completeness: dict,
           per_row: int | list[int] | None = None, *, legend: bool = False, elsewhere: bool = False) -> MapLayout:
    """Place each group's processes in the three bands of its column, then draw the interfaces.

    A group is (its programme, or its column's title in words, or None for "other programmes"; its processes;
    whether they are drawn dashed, as processes shown only because an interface reaches them).
    ``per_row``: boxes per row, one number for every column or one per column; None fits the map to the
    pack's landscape page. ``legend`` adds the key to the arrows and boxes under the map (standalone SVG);
    ``elsewhere``: the map is one page of a larger one, and its dashed boxes may be on another page."""
    lines = _wrapped(groups)
    if per_row is None:
        per_rows = fitted_per_rows(groups, lines)
    else:
        per_rows = list(per_row) if isinstance(per_row, list) else [per_row] * len(groups)
    rows, titles = _rows(groups, per_rows, lines), _column_titles(groups, per_rows)
    result = MapLayout(width=LABEL_WIDTH + sum(map(_column_width, per_rows)), height=0)
    y = _header(titles)
    row_y = {}
    for kind in BANDS:
        result.bands.append(Band(kind, y, _band_height(rows[kind])))
        row_y[kind] = [y + BAND_PAD + sum(rows[kind][:n]) + GAP * n for n in range(len(rows[kind]))]
        y += result.bands[-1].height + GAP
    result.height = y
    if legend:
        external = any(outside and processes for _prog, processes, outside in groups)
        result.legend, legend_height = _legend(result.width, y - GAP, external, elsewhere)
        result.height = y - GAP + legend_height
    x0 = LABEL_WIDTH
    for (programme, processes, external), per_row_here, title in zip(groups, per_rows, titles, strict=True):
        result.columns.append(Column(programme, x0, _column_width(per_row_here), title))
        for kind in BANDS:
            for n, process in enumerate(p for p in processes if p.kind == kind):
                row, col = divmod(n, per_row_here)
                name_lines, owner_lines = lines[process.id]
                result.boxes.append(Box(process, x0 + GAP + col * (BOX_WIDTH + GAP), row_y[kind][row],
                                        completeness.get(process.id), external, rows[kind][row], name_lines,
                                        owner_lines))
        x0 += _column_width(per_row_here)
    placed = {box.process.id: box for box in result.boxes}
    for interface, state in interfaces:
        source, target = placed.get(interface.from_process_id), placed.get(interface.to_process_id)
        if source and target:
            result.arrows.append(Arrow(interface, state, _edge_point(source, target.centre),
                                       _edge_point(target, source.centre)))
    return result
