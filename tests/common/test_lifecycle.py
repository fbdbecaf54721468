"""The one lifecycle mechanism: allowed actions, 403 for the wrong side, 409 for the wrong state or a guard."""
from types import SimpleNamespace

import pytest

from app.common.errors import Conflict, Forbidden
from app.common.lifecycle import Lifecycle, Step

FLOW = Lifecycle(
    kind="thing", noun="事项", labels={"new": "新建", "done": "已办结"},
    steps={"finish": Step("owner", ("new",), "done"), "reopen": Step("boss", ("done",), "new")},
    sides={"owner": lambda obj, user: user.id == obj.owner_id, "boss": lambda _obj, user: user.boss},
    refusals={"boss": "只有负责人可以重新打开"},
    guards={"finish": lambda obj: "缺少附件" if not obj.files else None},
)


def thing(**kw):
    return SimpleNamespace(**{"id": 1, "status": "new", "owner_id": 7, "files": ["a"], **kw})


def test_allowed_actions_follow_state_side_and_guards():
    owner, boss = SimpleNamespace(id=7, boss=False), SimpleNamespace(id=8, boss=True)
    assert FLOW.allowed_actions(thing(), owner) == ["finish"]
    assert FLOW.allowed_actions(thing(), boss) == []
    assert FLOW.allowed_actions(thing(files=[]), owner) == []        # a failing guard hides the action
    assert FLOW.allowed_actions(thing(status="done"), boss) == ["reopen"]


def test_ensure_refuses_in_the_error_shape():
    owner = SimpleNamespace(id=7, boss=False)
    with pytest.raises(Forbidden, match="只有负责人"):
        FLOW.ensure(thing(status="done"), owner, "reopen")
    with pytest.raises(Conflict, match="事项当前状态为“已办结”"):
        FLOW.ensure(thing(status="done"), owner, "finish")
    with pytest.raises(Conflict, match="缺少附件"):
        FLOW.ensure(thing(files=[]), owner, "finish")
    assert FLOW.ensure(thing(), owner, "finish").target == "done"
