"""The process map as quality people draw it, laid out on the server so the same SVG serves page and PDF.

Strategic processes on top, key processes in the middle, support processes below; one column per
programme; interfaces as arrows between boxes. The geometry is ``processes.map_layout``'s; this module reads
the processes and interfaces of a map and gives the evidence pack its figures (``pack_figures``).
"""

import math
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.shared_reads import shared
from processes.agreements import interfaces_with_state
from processes.map_layout import BANDS, MapLayout, layout
from processes.models import Interface, Process, ProcessKind, ProcessStatus, Programme
from processes.standard import completeness_by_process

#: What an arrow needs besides its two processes, which are boxes of the map and so already loaded.
DRAWN = (joinedload(Interface.indicator),)


def _current_processes(query):
    return list(db.session.scalars(query.where(Process.status != ProcessStatus.RETIRED)
                                   .options(joinedload(Process.owner)).order_by(Process.code)))


@dataclass(frozen=True)
class _ProgrammeData:
    """What a programme's map draws, read once: its processes, the interfaces touching them, the processes of
    other programmes those reach, and each own process's completeness."""

    programme: Programme
    own: list
    interfaces: list
    others: list
    scores: dict

    @property
    def by_id(self) -> dict:
        return {p.id: p for p in (*self.own, *self.others)}


def _programme_data(programme: Programme) -> _ProgrammeData:
    own = _current_processes(select(Process).where(Process.programme_id == programme.id))
    own_ids = {p.id for p in own}
    touching = select(Interface).where(or_(Interface.from_process_id.in_(own_ids),
                                           Interface.to_process_id.in_(own_ids)))
    interfaces = interfaces_with_state(touching, loading=DRAWN)
    other_ids = {i.from_process_id for i, _s in interfaces} | {i.to_process_id for i, _s in interfaces}
    others = _current_processes(select(Process).where(Process.id.in_(other_ids - own_ids)))
    scores = {pid: c.score for pid, c in completeness_by_process(own_ids).items()}
    return _ProgrammeData(programme, own, interfaces, others, scores)


def programme_map(programme: Programme, per_row: int | None = None, *, legend: bool = False) -> MapLayout:
    """The map of one programme, with the processes of other programmes it has interfaces with."""
    data = _programme_data(programme)
    groups = [(programme, data.own, False)] + ([(None, data.others, True)] if data.others else [])
    return layout(groups, data.interfaces, data.scores, per_row, legend=legend)


def _part_map(data: _ProgrammeData, shown: list, title: str) -> MapLayout:
    """One page of a programme's map: ``shown`` (some of its processes) and, dashed, every process an interface
    of theirs reaches — on another page of the map or in another programme — so that no interface is lost."""
    ids = {p.id for p in shown}
    interfaces = [(i, state) for i, state in data.interfaces if i.from_process_id in ids or i.to_process_id in ids]
    reached = ({i.from_process_id for i, _s in interfaces} | {i.to_process_id for i, _s in interfaces}) - ids
    by_id = data.by_id
    elsewhere = sorted((by_id[pid] for pid in reached if pid in by_id), key=lambda p: p.code)
    groups = [(title, shown, False)] + ([(None, elsewhere, True)] if elsewhere else [])
    return layout(groups, interfaces, data.scores, legend=True, elsewhere=True)


def _band_title(kind: ProcessKind) -> str:
    return {ProcessKind.STRATEGIC: _("Strategic processes"), ProcessKind.KEY: _("Key processes"),
            ProcessKind.SUPPORT: _("Support processes")}[kind]


def programme_parts(programme: Programme) -> list[tuple[str | None, MapLayout]]:
    """A programme's map as pages that each print with text of at least ``map_layout.MIN_PRINT_PT``: [(what the
    page holds, None for the whole map; its layout)].

    The whole map when it fits one page. Otherwise one page per band (strategic, key, support), and a band still
    too large in as few equal slices as fit, in code order; each page keeps, dashed, the processes its interfaces
    reach elsewhere. So a page holds a bounded number of boxes however many processes the programme has, and
    its figure stays light (issue 17); only one process with more interfaces than a page holds could still
    print smaller, and it gets a page of its own."""
    data = _programme_data(programme)
    groups = [(programme, data.own, False)] + ([(None, data.others, True)] if data.others else [])
    whole = layout(groups, data.interfaces, data.scores, legend=True)
    if whole.fits_a_page or len(data.own) < 2:
        return [(None, whole)]
    parts = []
    for kind in BANDS:
        band = [p for p in data.own if p.kind == kind]
        for slices in range(1, len(band) + 1):
            size = math.ceil(len(band) / slices)
            chunks = [band[n:n + size] for n in range(0, len(band), size)]
            titled = [(_band_title(kind) if len(chunks) == 1 else
                       _("%(band)s (%(part)d of %(parts)d)", band=_band_title(kind), part=n, parts=len(chunks)), chunk)
                      for n, chunk in enumerate(chunks, start=1)]
            layouts = [(title, _part_map(data, chunk, title)) for title, chunk in titled]
            if all(part.fits_a_page for _title, part in layouts) or size == 1:
                parts += layouts
                break
    return parts


def _programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)))


def joint_map(per_row: int | None = None, *, legend: bool = False) -> MapLayout:
    """The joint map of every programme (A2), with every interface between their processes."""
    processes = _current_processes(select(Process))
    groups = [(prog, [p for p in processes if p.programme_id == prog.id], False) for prog in _programmes()]
    scores = {pid: c.score for pid, c in completeness_by_process().items()}
    return layout(groups, interfaces_with_state(loading=DRAWN), scores, per_row, legend=legend)


def map_svg(layout_: MapLayout) -> str:
    """A map as a standalone SVG document: no links into the app, the legend drawn inside."""
    return render_template("processes/_map.svg", layout=layout_, standalone=True)


@shared
def programme_svgs(programme: Programme) -> tuple[tuple[str | None, str], ...]:
    """A programme's map with its legend, as standalone SVGs, one per page (``programme_parts``): A1's figures
    and, split, A2's, drawn once while the pack is gathered."""
    return tuple((part, map_svg(part_layout)) for part, part_layout in programme_parts(programme))


def _titled(title: str, part: str | None) -> str:
    return title if part is None else _("%(map)s — %(part)s", map=title, part=part)


def pack_figures(programme: Programme | None = None) -> list[tuple[str, str]]:
    """The figures of a map for the evidence pack, each to go on its own landscape page: [(title, SVG)].

    ``programme``: its map (A1), on as many pages as it needs to print legibly (``programme_parts``); None: the
    joint map (A2), or — when it cannot fit one page with text of at least ``map_layout.MIN_PRINT_PT`` — each
    programme's map that has processes, each with the processes of the other programmes its interfaces reach,
    so that no interface between programmes is lost."""
    if programme is not None:
        title = _("Process map of %(programme)s", programme=programme.name)
        return [(_titled(title, part), svg) for part, svg in programme_svgs(programme)]
    joint = joint_map(legend=True)
    if joint.fits_a_page or len(joint.columns) < 2:
        return [(_("Joint process map"), map_svg(joint))]
    with_processes = {box.process.programme_id for box in joint.boxes}
    figures = []
    for prog in _programmes():
        if prog.id in with_processes:
            title = _("Joint process map: %(programme)s and its interfaces with the other programmes",
                      programme=prog.name)
            figures += [(_titled(title, part), svg) for part, svg in programme_svgs(prog)]
    return figures
