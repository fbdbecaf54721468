"""One mechanism for every lifecycle: problems, cases, requests, inspections, clues …

Each package writes its transition table as data — action → `Step(side, sources, target)` — and the rules
that are its own (who a side is, extra guards). `Lifecycle` does the rest the same way everywhere:
`allowed_actions` for a user (the PWA shows exactly those), `ensure` refuses a wrong side with 403 and a
wrong state with 409 in the one error shape, and `move` is a compare-and-set on the status (a double-tap
that read the old state gets 409, on SQLite and PostgreSQL) plus one audit event.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from app.common import audit
from app.common.errors import Conflict, Forbidden
from app.common.tx import compare_and_set_status


class Step(NamedTuple):
    side: str                      # who may act: a key of Lifecycle.sides
    sources: tuple[str, ...]       # the states the action may start from
    target: str | None = None      # the state it moves to; None when the action decides (a rating, a review)


@dataclass
class Lifecycle:
    kind: str                                          # audit object type and action prefix ("case")
    noun: str                                          # for messages ("案件")
    labels: dict[str, str]                             # status → Chinese
    steps: dict[str, Step]
    sides: dict[str, Callable[[object, object], bool]]  # side → (obj, user) → may act
    refusals: dict[str, str] = field(default_factory=dict)  # side → the 403 message
    guards: dict[str, Callable[[object], str | None]] = field(default_factory=dict)  # action → 409 reason or None

    def _side_ok(self, step: Step, obj, user) -> bool:
        return bool(self.sides[step.side](obj, user))

    def allowed_actions(self, obj, user) -> list[str]:
        return [action for action, step in self.steps.items()
                if obj.status in step.sources and self._side_ok(step, obj, user)
                and (action not in self.guards or self.guards[action](obj) is None)]

    def ensure(self, obj, user, action: str) -> Step:
        step = self.steps[action]
        if not self._side_ok(step, obj, user):
            raise Forbidden(self.refusals.get(step.side, "无权执行该操作"))
        reason = self.guards[action](obj) if action in self.guards else None
        if obj.status not in step.sources or reason:
            raise Conflict(reason or f"{self.noun}当前状态为“{self.labels.get(obj.status, obj.status)}”，不能执行该操作",
                           code="invalid_transition", details={"status": obj.status, "action": action})
        return step

    def move(self, obj, action: str, to: str | None = None, comment: str | None = None) -> str:
        """Move `obj` by `action` (to its step's target unless given) and audit it; returns the previous state."""
        target = to or self.steps[action].target
        if target is None:
            raise ValueError(f"{self.kind}.{action} needs an explicit target state")
        previous = compare_and_set_status(obj, target, f"该{self.noun}已被其他操作处理，请刷新后查看",
                                          {"action": action})
        audit.record(f"{self.kind}.{action}", self.kind, obj.id, enterprise_id=getattr(obj, "enterprise_id", None),
                     from_state=previous, to_state=target, comment=comment)
        return previous


__all__ = ["Lifecycle", "Step"]
