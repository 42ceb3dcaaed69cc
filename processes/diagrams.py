"""Process diagrams (C3): the ordered stages of a process, who answers for each and who holds the know-how.

The diagram is drawn as vertical swimlanes, one lane per responsible role, so the hand-offs between
roles — where knowledge is lost and where improvements usually change the way of operating — show
as arrows crossing lanes. The layout is computed here and drawn by ``templates/processes/_diagram.svg``
so that the page and the PDF pack share one picture.
"""

import difflib
import textwrap
from dataclasses import dataclass, field
from typing import ClassVar

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.models import User
from core.pdf import FIGURE_HEIGHT_PT, FIGURE_WIDTH_PT, MIN_PRINT_PT
from core.rules import RuleError
from core.versioning import ensure_current
from processes.models import KnowledgeHolder, Process, ProcessStage
from processes.positions import move, renumber

LANE_WIDTH, BOX_WIDTH, BOX_HEIGHT, ROW_GAP, HEADER, TERMINAL = 220, 184, 74, 28, 52, 40
#: Font sizes in SVG pixels; the smallest decides whether a diagram still reads in print.
FONT = {"lane": 12, "number": 12, "name": 12, "small": 12}
#: Characters per line before text wraps: lane titles, stage names (beside the number), who and who knows.
LANE_CHARS, NAME_CHARS, SMALL_CHARS = 24, 20, 24
NAME_LINE, SMALL_LINE = 15, 14
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = FIGURE_WIDTH_PT, FIGURE_HEIGHT_PT


class StageRuleError(RuleError):
    """A change to a diagram that the rules refuse; the message says why."""


def ordered_stages(process: Process) -> list[ProcessStage]:
    return sorted(process.stages, key=lambda stage: (stage.position, stage.id or 0))


def save_stage(process: Process, stage: ProcessStage | None, data: dict, *, version=None) -> ProcessStage:
    """Add a stage at the end, or change one; no revision (``processes.services`` makes the one each change needs)."""
    if stage is not None:
        ensure_current(stage, version)
    holder_ids = list(dict.fromkeys(int(i) for i in data.get("knowledge_holder_ids") or []))
    wanted = [i for i in [data.get("responsible_id"), *holder_ids] if i]
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    if set(wanted) - set(people):
        raise StageRuleError(_("A knowledge holder is not a known person."))
    stages = ordered_stages(process)
    if stage is None:
        stage = ProcessStage(position=len(stages) + 1)
        process.stages.append(stage)
    stage.name = data["name"].strip()
    stage.description = (data.get("description") or "").strip() or None
    stage.responsible_role = data["responsible_role"].strip()
    # Objects rather than ids, so the revision made right after reads the names without a reload.
    stage.responsible = people.get(data.get("responsible_id"))
    current = {holder.user_id: holder for holder in stage.knowledge_holders}
    for user_id, holder in current.items():
        if user_id not in holder_ids:
            stage.knowledge_holders.remove(holder)
    for user_id in holder_ids:
        if user_id not in current:
            stage.knowledge_holders.append(KnowledgeHolder(user=people[user_id]))
    db.session.flush()
    return stage


def move_stage(process: Process, stage: ProcessStage, offset: int) -> bool:
    """Move a stage earlier (-1) or later (+1) in the flow; False when it is already at that end (no revision)."""
    if not move(ordered_stages(process), stage, offset):
        return False
    db.session.flush()
    return True


def remove_stage(process: Process, stage: ProcessStage) -> None:
    """Take a stage out of the diagram (no revision: ``processes.services.remove_stage`` makes it)."""
    process.stages.remove(stage)
    renumber([s for s in ordered_stages(process) if s is not stage])
    db.session.flush()


def diagram_snapshot(process: Process) -> list[dict]:
    """The diagram as plain JSON for a revision: names rather than ids, so history reads as it was."""
    return [{"name": stage.name, "description": stage.description or "", "role": stage.responsible_role,
             "responsible": stage.responsible.name if stage.responsible else "",
             "knowledge_holders": [holder.user.name for holder in stage.knowledge_holders]}
            for stage in ordered_stages(process)]


def stage_text(stage: dict) -> str:
    """One line describing a stage as a revision kept it."""
    who = f"{stage['role']} ({stage['responsible']})" if stage.get("responsible") else stage["role"]
    text = f"{stage['name']} — {who}"
    if stage.get("description"):
        text += f" · {stage['description']}"
    if stage.get("knowledge_holders"):
        text += " · " + _("knowledge: %(names)s", names=", ".join(stage["knowledge_holders"]))
    return text


def stage_changes(before: list[dict], after: list[dict]) -> list[tuple[int, str | None, str | None]]:
    """What changed between two kept diagrams: (stage number, before, after); None where a stage did not exist.

    Matching by content keeps an inserted or removed stage from showing every later stage as changed."""
    old, new = [stage_text(s) for s in before], [stage_text(s) for s in after]
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            changes.append((j + 1 if j < j2 else i + 1, old[i] if i < i2 else None, new[j] if j < j2 else None))
    return changes


def _wrap(text: str, chars: int) -> list[str]:
    """Whole lines, however many it takes: nothing is cut short with "…"."""
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


@dataclass
class Lane:
    role: str
    x: float

    @property
    def lines(self) -> list[str]:
        return _wrap(self.role, LANE_CHARS)


@dataclass
class StageBox:
    stage: ProcessStage
    number: int
    x: float
    y: float
    lines: list[str]
    holders: list[str]
    #: Who answers for the stage and who knows it ("Knows: …"), wrapped to the box.
    who_lines: list[str] = field(default_factory=list)
    holder_lines: list[str] = field(default_factory=list)

    @property
    def centre_x(self) -> float:
        return self.x + BOX_WIDTH / 2

    @property
    def who_y(self) -> float:
        return self.y + 19 + len(self.lines) * NAME_LINE + 4

    @property
    def holders_y(self) -> float:
        return self.who_y + len(self.who_lines) * SMALL_LINE

    @property
    def height(self) -> float:
        return max(BOX_HEIGHT, 19 + len(self.lines) * NAME_LINE + 4 + (len(self.who_lines) + len(self.holder_lines))
                   * SMALL_LINE + 2)


@dataclass
class DiagramLayout:
    lane_width: ClassVar[int] = LANE_WIDTH
    box_width: ClassVar[int] = BOX_WIDTH
    font: ClassVar[dict] = FONT

    width: float
    height: float
    lanes: list[Lane] = field(default_factory=list)
    boxes: list[StageBox] = field(default_factory=list)
    #: Each connector as a list of points; the last one carries the arrowhead.
    connectors: list[list[tuple[float, float]]] = field(default_factory=list)
    start: tuple[float, float] | None = None
    end: tuple[float, float] | None = None
    header: float = HEADER

    @property
    def printed_pt_per_px(self) -> float:
        """Points per SVG pixel once the diagram is scaled to fit the pack's landscape page."""
        return min(PAGE_WIDTH_PT / self.width, PAGE_HEIGHT_PT / self.height)

    @property
    def smallest_printed_pt(self) -> float:
        return min(FONT.values()) * self.printed_pt_per_px


def _lanes(stages: list[ProcessStage]) -> dict[str, Lane]:
    """One lane per responsible role, in order of first use (the same role however typed)."""
    lanes: dict[str, Lane] = {}
    for stage in stages:
        key = stage.responsible_role.strip().casefold()
        if key not in lanes:
            lanes[key] = Lane(role=stage.responsible_role.strip(), x=len(lanes) * LANE_WIDTH)
    return lanes


def _box(stage: ProcessStage, number: int, lane: Lane, y: float) -> StageBox:
    holders = [holder.user.name for holder in stage.knowledge_holders]
    who = stage.responsible.name if stage.responsible else stage.responsible_role
    return StageBox(stage=stage, number=number, x=lane.x + (LANE_WIDTH - BOX_WIDTH) / 2, y=y,
                    lines=_wrap(stage.name, NAME_CHARS), holders=holders, who_lines=_wrap(who, SMALL_CHARS),
                    holder_lines=_wrap(_("Knows: %(names)s", names=", ".join(holders)), SMALL_CHARS) if holders else [])


def swimlanes(stages: list[ProcessStage], *, first_number: int = 1, lanes: dict | None = None) -> DiagramLayout:
    """Lay the stages out top to bottom, each in the lane of its responsible role (lanes in order of first use);
    ``first_number`` and ``lanes`` let one part of a long diagram keep the numbers and lanes of the whole."""
    lanes = lanes or _lanes(stages)
    header = 16 + max([len(lane.lines) for lane in lanes.values()] or [1]) * 15 + 6
    result = DiagramLayout(width=max(1, len(lanes)) * LANE_WIDTH, height=0, lanes=list(lanes.values()), header=header)
    y = header + TERMINAL
    for number, stage in enumerate(stages, start=first_number):
        box = _box(stage, number, lanes[stage.responsible_role.strip().casefold()], y)
        result.boxes.append(box)
        y += box.height + ROW_GAP
    result.height = (y - ROW_GAP + TERMINAL) if stages else header + 2 * TERMINAL
    if not result.boxes:
        return result
    first, last = result.boxes[0], result.boxes[-1]
    result.start = (first.centre_x, header + TERMINAL / 2 - 4)
    result.end = (last.centre_x, last.y + last.height + TERMINAL / 2 + 4)
    result.connectors.append([(first.centre_x, result.start[1] + 9), (first.centre_x, first.y)])
    for upper, lower in zip(result.boxes, result.boxes[1:], strict=False):
        bottom, top = upper.y + upper.height, lower.y
        if upper.centre_x == lower.centre_x:
            result.connectors.append([(upper.centre_x, bottom), (lower.centre_x, top)])
        else:
            middle = (bottom + top) / 2
            result.connectors.append([(upper.centre_x, bottom), (upper.centre_x, middle),
                                      (lower.centre_x, middle), (lower.centre_x, top)])
    result.connectors.append([(last.centre_x, last.y + last.height), (last.centre_x, result.end[1] - 11)])
    return result


def diagram_svg(process: Process) -> str:
    """The process's diagram as a standalone SVG document (download, evidence pack)."""
    return render_template("processes/_diagram.svg", layout=swimlanes(ordered_stages(process)), process=process,
                           standalone=True)


def pack_figures(process: Process) -> list[tuple[str, str]]:
    """The diagram for the evidence pack, each part on its own landscape page: [(title, SVG)]. A diagram too
    long for one page at ``MIN_PRINT_PT`` is cut into parts of consecutive stages, each with every lane and
    the stages' own numbers, so the flow reads on from one page to the next."""
    stages = ordered_stages(process)
    title = _("Diagram of %(process)s", process=f"{process.code} · {process.name}")
    whole = swimlanes(stages)
    if whole.smallest_printed_pt >= MIN_PRINT_PT or len(stages) < 2:
        return [(title, _svg(whole, process))]
    lanes, parts, part = _lanes(stages), [], []
    for stage in stages:
        trial = swimlanes([*part, stage], lanes=lanes)
        if part and trial.smallest_printed_pt < MIN_PRINT_PT:
            parts.append(part)
            part = []
        part.append(stage)
    parts.append(part)
    figures, number = [], 1
    for part in parts:
        figures.append((_("%(title)s — stages %(first)d to %(last)d", title=title, first=number,
                          last=number + len(part) - 1),
                        _svg(swimlanes(part, first_number=number, lanes=lanes), process)))
        number += len(part)
    return figures


def _svg(layout: DiagramLayout, process: Process) -> str:
    return render_template("processes/_diagram.svg", layout=layout, process=process, standalone=True)
