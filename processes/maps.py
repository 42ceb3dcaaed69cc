"""The process map as quality people draw it, laid out on the server so the same SVG serves page and PDF.

Strategic processes on top, key processes in the middle, support processes below; one column per
programme; interfaces as arrows between boxes.
"""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from processes.agreements import AgreementState, interfaces_with_state
from processes.models import Interface, Process, ProcessKind, ProcessStatus, Programme
from processes.standard import completeness_by_process

BOX_WIDTH, BOX_HEIGHT, GAP, BAND_PAD, LABEL_WIDTH, HEADER = 190, 78, 22, 18, 110, 44
BANDS = (ProcessKind.STRATEGIC, ProcessKind.KEY, ProcessKind.SUPPORT)
#: What an arrow needs besides its two processes, which are boxes of the map and so already loaded.
DRAWN = (joinedload(Interface.indicator),)


@dataclass
class Box:
    process: Process
    x: float
    y: float
    completeness: int | None
    #: Drawn dashed: a process of another programme, shown because an interface reaches it.
    external: bool = False

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + BOX_WIDTH / 2, self.y + BOX_HEIGHT / 2


@dataclass
class Arrow:
    interface: Interface
    state: AgreementState
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass
class Band:
    kind: ProcessKind
    y: float
    height: float


@dataclass
class Column:
    programme: Programme | None
    x: float
    width: float


@dataclass
class MapLayout:
    width: float
    height: float
    bands: list[Band] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)


def _edge_point(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre to ``towards`` leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((BOX_WIDTH / 2) / abs(dx) if dx else float("inf"), (BOX_HEIGHT / 2) / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def layout(groups: list[tuple[Programme | None, list[Process], bool]], interfaces, completeness: dict,
           per_row: int) -> MapLayout:
    """Place each group's processes in the three bands of its column, then draw the interfaces."""
    rows_per_band = {kind: max([1] + [-(-sum(1 for p in procs if p.kind == kind) // per_row)
                                      for _prog, procs, _ext in groups]) for kind in BANDS}
    column_width = per_row * (BOX_WIDTH + GAP) + GAP
    result = MapLayout(width=LABEL_WIDTH + column_width * len(groups), height=0)
    y = HEADER
    for kind in BANDS:
        height = rows_per_band[kind] * (BOX_HEIGHT + GAP) + 2 * BAND_PAD - GAP
        result.bands.append(Band(kind, y, height))
        y += height + GAP
    result.height = y
    band_y = {band.kind: band.y for band in result.bands}
    for index, (programme, processes, external) in enumerate(groups):
        x0 = LABEL_WIDTH + index * column_width
        result.columns.append(Column(programme, x0, column_width))
        for kind in BANDS:
            for n, process in enumerate(p for p in processes if p.kind == kind):
                row, col = divmod(n, per_row)
                result.boxes.append(Box(process, x0 + GAP + col * (BOX_WIDTH + GAP),
                                        band_y[kind] + BAND_PAD + row * (BOX_HEIGHT + GAP),
                                        completeness.get(process.id), external))
    placed = {box.process.id: box for box in result.boxes}
    for interface, state in interfaces:
        source, target = placed.get(interface.from_process_id), placed.get(interface.to_process_id)
        if source and target:
            result.arrows.append(Arrow(interface, state, _edge_point(source, target.centre),
                                       _edge_point(target, source.centre)))
    return result


def _current_processes(query):
    return list(db.session.scalars(query.where(Process.status != ProcessStatus.RETIRED)
                                   .options(joinedload(Process.owner)).order_by(Process.code)))


def programme_map(programme: Programme, per_row: int = 3) -> MapLayout:
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
    return layout(groups, interfaces, scores, per_row)


def joint_map(per_row: int = 2) -> MapLayout:
    """The joint map of every programme (A2), with every interface between their processes."""
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)))
    processes = _current_processes(select(Process))
    groups = [(prog, [p for p in processes if p.programme_id == prog.id], False) for prog in programmes]
    scores = {pid: c.score for pid, c in completeness_by_process().items()}
    return layout(groups, interfaces_with_state(loading=DRAWN), scores, per_row)
