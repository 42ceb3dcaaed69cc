"""SMART improvement groups (C1), their results before and after (C2) and the change they caused (C3).

One ``Improvement`` row follows an idea from the opportunity a group logs, through the SMART check and
approval, to its actions, its measured result and the change in the way of operating it caused. The
models live in one module per idea; this package names them all, so callers import from
``improvements.models``.
"""

from improvements.models.changes import AffectedPerson, ChangedStage, ProcessChange, Training, TrainingAttendee
from improvements.models.groups import Group, GroupMember, GroupProcess, Meeting, MeetingAttendee
from improvements.models.improvement import (
    BACKWARD,
    DONE,
    HISTORY_KIND,
    KIND_LABELS,
    OPEN,
    STATUS_LABELS,
    TRANSITIONS,
    Improvement,
    ImprovementKind,
    PriorityCriterion,
    PriorityScore,
    SmartCheck,
    Status,
)
from improvements.models.results import EVIDENCE_LABELS, Evidence, EvidenceKind
from improvements.models.tasks import TASK_STATUS_LABELS, Task, TaskStatus

__all__ = [
    "BACKWARD", "DONE", "HISTORY_KIND", "EVIDENCE_LABELS", "KIND_LABELS", "OPEN", "STATUS_LABELS",
    "TASK_STATUS_LABELS", "TRANSITIONS",
    "AffectedPerson", "ChangedStage", "Evidence", "EvidenceKind", "Group", "GroupMember", "GroupProcess",
    "Improvement", "ImprovementKind", "Meeting", "MeetingAttendee", "PriorityCriterion", "PriorityScore",
    "ProcessChange", "SmartCheck", "Status", "Task", "TaskStatus", "Training", "TrainingAttendee",
]
