"""Council operations: every step after intake as a checked change set over the records.

The operations know nothing of MkDocs, HTTP or GitHub: they read a loaded
:class:`~yishi.loading.Repository` and return a :class:`ChangeSet`; forges apply it. Each
refuses, with :class:`OperationRefused` (the field and a Chinese message), anything the
lifecycle or the checks would reject, and every change set it returns passes the checks
once applied (:func:`check_change`).

    screening.py       screen_accept, screen_reject, screen_merge, screen_withdraw
    meetings.py        plan_meeting, replan_meeting, cancel_meeting
    meeting_record.py  record_meeting
    escalation.py      escalate
    progress.py        follow_up
    closing.py         close_issue
    feedback.py        record_feedback
    paper.py           import_paper_proposals (CSV)
    registry.py        OPERATIONS, rerun, allowed_operations
    verify.py          apply_in_memory, check_change
    record_text.py     round-trip editing of record files
"""

from __future__ import annotations

from .changeset import CHANGE_ID_RE, ChangeSet, OperationRefused, git_blob_id
from .closing import close_issue
from .escalation import escalate
from .feedback import record_feedback
from .meeting_record import record_meeting
from .meetings import cancel_meeting, plan_meeting, replan_meeting
from .paper import CsvRefused, import_paper_proposals
from .progress import follow_up
from .record_text import RecordText
from .registry import OPERATIONS, allowed_operations, rerun
from .screening import screen_accept, screen_merge, screen_reject, screen_withdraw
from .verify import apply_in_memory, check_change

__all__ = [
    "CHANGE_ID_RE",
    "OPERATIONS",
    "ChangeSet",
    "CsvRefused",
    "OperationRefused",
    "RecordText",
    "allowed_operations",
    "apply_in_memory",
    "cancel_meeting",
    "check_change",
    "close_issue",
    "escalate",
    "follow_up",
    "git_blob_id",
    "import_paper_proposals",
    "plan_meeting",
    "record_feedback",
    "record_meeting",
    "replan_meeting",
    "rerun",
    "screen_accept",
    "screen_merge",
    "screen_reject",
    "screen_withdraw",
]
