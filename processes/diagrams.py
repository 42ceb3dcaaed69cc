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
from core.rules import RuleError
from core.versioning import ensure_current
from processes.models import KnowledgeHolder, Process, ProcessStage

LANE_WIDTH, BOX_WIDTH, BOX_HEIGHT, ROW_HEIGHT, HEADER, TERMINAL = 220, 184, 74, 108, 52, 44


class StageRuleError(RuleError):
    """A change to a diagram that the rules refuse; the message says why."""


def ordered_stages(process: Process) -> list[ProcessStage]:
    return sorted(process.stages, key=lambda stage: (stage.position, stage.id or 0))


def _renumber(stages: list[ProcessStage]) -> None:
    for position, stage in enumerate(stages, start=1):
        if stage.position != position:
            stage.position = position


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
    stages = ordered_stages(process)
    index = stages.index(stage)
    target = index + offset
    if not 0 <= target < len(stages):
        return False
    stages[index], stages[target] = stages[target], stages[index]
    _renumber(stages)
    db.session.flush()
    return True


def remove_stage(process: Process, stage: ProcessStage) -> None:
    """Take a stage out of the diagram (no revision: ``processes.services.remove_stage`` makes it)."""
    process.stages.remove(stage)
    _renumber([s for s in ordered_stages(process) if s is not stage])
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


@dataclass
class Lane:
    role: str
    x: float

    @property
    def lines(self) -> list[str]:
        return textwrap.wrap(self.role, 26, max_lines=2, placeholder="…")


@dataclass
class StageBox:
    stage: ProcessStage
    number: int
    x: float
    y: float
    lines: list[str]
    holders: list[str]

    @property
    def centre_x(self) -> float:
        return self.x + BOX_WIDTH / 2


@dataclass
class DiagramLayout:
    lane_width: ClassVar[int] = LANE_WIDTH
    box_width: ClassVar[int] = BOX_WIDTH
    box_height: ClassVar[int] = BOX_HEIGHT

    width: float
    height: float
    lanes: list[Lane] = field(default_factory=list)
    boxes: list[StageBox] = field(default_factory=list)
    #: Each connector as a list of points; the last one carries the arrowhead.
    connectors: list[list[tuple[float, float]]] = field(default_factory=list)
    start: tuple[float, float] | None = None
    end: tuple[float, float] | None = None


def swimlanes(stages: list[ProcessStage]) -> DiagramLayout:
    """Lay the stages out top to bottom, each in the lane of its responsible role (lanes in order of first use)."""
    lanes: dict[str, Lane] = {}
    for stage in stages:
        key = stage.responsible_role.strip().casefold()
        if key not in lanes:
            lanes[key] = Lane(role=stage.responsible_role.strip(), x=len(lanes) * LANE_WIDTH)
    width = max(1, len(lanes)) * LANE_WIDTH
    height = HEADER + TERMINAL + len(stages) * ROW_HEIGHT + TERMINAL
    result = DiagramLayout(width=width, height=height, lanes=list(lanes.values()))
    for number, stage in enumerate(stages, start=1):
        lane = lanes[stage.responsible_role.strip().casefold()]
        y = HEADER + TERMINAL + (number - 1) * ROW_HEIGHT
        result.boxes.append(StageBox(
            stage=stage, number=number, x=lane.x + (LANE_WIDTH - BOX_WIDTH) / 2, y=y,
            lines=textwrap.wrap(stage.name, 22, max_lines=2, placeholder="…"),
            holders=[holder.user.name for holder in stage.knowledge_holders]))
    if not result.boxes:
        return result
    first, last = result.boxes[0], result.boxes[-1]
    result.start = (first.centre_x, HEADER + TERMINAL / 2 - 4)
    result.end = (last.centre_x, last.y + BOX_HEIGHT + TERMINAL / 2 + 4)
    result.connectors.append([(first.centre_x, result.start[1] + 9), (first.centre_x, first.y)])
    for upper, lower in zip(result.boxes, result.boxes[1:], strict=False):
        bottom, top = upper.y + BOX_HEIGHT, lower.y
        if upper.centre_x == lower.centre_x:
            result.connectors.append([(upper.centre_x, bottom), (lower.centre_x, top)])
        else:
            middle = (bottom + top) / 2
            result.connectors.append([(upper.centre_x, bottom), (upper.centre_x, middle),
                                      (lower.centre_x, middle), (lower.centre_x, top)])
    result.connectors.append([(last.centre_x, last.y + BOX_HEIGHT), (last.centre_x, result.end[1] - 11)])
    return result


def diagram_svg(process: Process) -> str:
    """The process's diagram as a standalone SVG document (download, evidence pack)."""
    return render_template("processes/_diagram.svg", layout=swimlanes(ordered_stages(process)), process=process,
                           standalone=True)
