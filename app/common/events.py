"""Domain events: a feature says what happened; features above it listen, so imports stay downward.

Receivers run synchronously inside the sender's transaction (the request's one commit covers them),
and are connected once at start-up (in `create_app`, app/__init__.py).
"""
from blinker import Namespace

_events = Namespace()

# sender: the Problem; kwargs: action (the audit action name), from_state, to_state, comment
problem_moved = _events.signal("problem-moved")
# sender: the Problem just reported (self-report, regulator finding, warning); kwargs: none
problem_opened = _events.signal("problem-opened")
# sender: the Problem; kwargs: assignee_id (the enterprise user now responsible), by_id (who assigned it)
problem_assigned = _events.signal("problem-assigned")
# sender: the object whose status `tx.compare_and_set_status` moved by UPDATE (outside the unit of work);
# kwargs: previous (the status it had)
status_set = _events.signal("status-set")
# sender: the model class; kwargs: rows (dicts of the inserted column values) — bulk inserts past the ORM
rows_inserted = _events.signal("rows-inserted")
# A question, not a notice: sender: the enterprise id; kwargs: codes (obligation codes), today. The statutory
# calendar (app/obligations) answers with its rows for those codes due in the last year, each a dict with code,
# title, due_date, status ("done" | "overdue"), done_on, receipt — so a self-check item reads it (issue #20).
calendar_state = _events.signal("calendar-state")

__all__ = ["calendar_state", "problem_assigned", "problem_moved", "problem_opened", "rows_inserted", "status_set"]
