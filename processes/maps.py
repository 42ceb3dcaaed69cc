"""The process map as quality people draw it, laid out on the server so the same SVG serves page and PDF.

Strategic processes on top, key processes in the middle, support processes below; one column per
programme; interfaces as arrows between boxes. The geometry is ``processes.map_layout``'s; this module reads
the processes and interfaces of a map and gives the evidence pack its figures (``pack_figures``).
"""

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.shared_reads import shared
from processes.agreements import interfaces_with_state
from processes.map_layout import MapLayout, layout
from processes.models import Interface, Process, ProcessStatus, Programme
from processes.standard import completeness_by_process

#: What an arrow needs besides its two processes, which are boxes of the map and so already loaded.
DRAWN = (joinedload(Interface.indicator),)


def _current_processes(query):
    return list(db.session.scalars(query.where(Process.status != ProcessStatus.RETIRED)
                                   .options(joinedload(Process.owner)).order_by(Process.code)))


def programme_map(programme: Programme, per_row: int | None = None, *, legend: bool = False) -> MapLayout:
    """The map of one programme, with the processes of other programmes it has interfaces with."""
    own = _current_processes(select(Process).where(Process.programme_id == programme.id))
    own_ids = {p.id for p in own}
    touching = select(Interface).where(or_(Interface.from_process_id.in_(own_ids),
                                           Interface.to_process_id.in_(own_ids)))
    interfaces = interfaces_with_state(touching, loading=DRAWN)
    other_ids = {i.from_process_id for i, _s in interfaces} | {i.to_process_id for i, _s in interfaces}
    others = _current_processes(select(Process).where(Process.id.in_(other_ids - own_ids)))
    groups = [(programme, own, False)] + ([(None, others, True)] if others else [])
    scores = {pid: c.score for pid, c in completeness_by_process(own_ids).items()}
    return layout(groups, interfaces, scores, per_row, legend=legend)


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
def programme_svg(programme: Programme) -> str:
    """A programme's map with its legend, as a standalone SVG (A1's figure and, split, A2's: drawn once while the
    pack is gathered)."""
    return map_svg(programme_map(programme, legend=True))


def pack_figures(programme: Programme | None = None) -> list[tuple[str, str]]:
    """The figures of a map for the evidence pack, each to go on its own landscape page: [(title, SVG)].

    ``programme``: its map (A1); None: the joint map (A2), or — when it cannot fit one page with text of at
    least ``map_layout.MIN_PRINT_PT`` — one map per programme that has processes, each with the processes of the other
    programmes its interfaces reach, so that no interface between programmes is lost."""
    if programme is not None:
        return [(_("Process map of %(programme)s", programme=programme.name), programme_svg(programme))]
    joint = joint_map(legend=True)
    if joint.fits_a_page or len(joint.columns) < 2:
        return [(_("Joint process map"), map_svg(joint))]
    with_processes = {box.process.programme_id for box in joint.boxes}
    return [(_("Joint process map: %(programme)s and its interfaces with the other programmes",
               programme=prog.name), programme_svg(prog))
            for prog in _programmes() if prog.id in with_processes]
