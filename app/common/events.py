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

__all__ = ["problem_moved", "problem_opened"]
