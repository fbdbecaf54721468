"""Rules packs per province: loading, errors, `flask rules check`, and each consumer asking its province."""
from datetime import date, datetime, timedelta

import pytest
import time_machine

from app import rules as rules_packs
from app.accounts.models import Enterprise
from app.accounts.uscc import make_uscc
from app.extensions import db
from app.selfcheck import evaluate
from app.supervision import eligibility
from tests.rules.conftest import edit as _edit

D = date(2026, 12, 2)


def test_province_of_and_shipped_packs(app):
    assert rules_packs.province_of("140403") == "140000" and rules_packs.province_of("230102") == "230000"
    with app.app_context():
        assert rules_packs.provinces() == ["140000", "230000"]
        assert rules_packs.section("230000", "credit")["scale"] == ["环保诚信", "环保良好", "环保警示", "环保不良"]
        assert rules_packs.section("140000", "credit")["scale"] == ["A", "B", "C", "D"]
        assert rules_packs.for_region("140403", "remediation")["self_close_sample_rate"] == 0.2


def test_missing_and_invalid_packs_are_clear_errors(app, packs):
    with app.app_context():
        with pytest.raises(rules_packs.RulesPackError, match="省份110000未配置规则包"):
            rules_packs.pack("110000")
        with pytest.raises(rules_packs.RulesPackError, match="无效"):
            rules_packs.province_of("x")
        (packs / "140000" / "warnings.yaml").write_text("score_drop: [", encoding="utf-8")
        with pytest.raises(rules_packs.RulesPackError, match="140000规则包 warnings.yaml 格式错误"):
            rules_packs.pack("140000")
        (packs / "140000" / "warnings.yaml").write_text("score_drop: 5\n", encoding="utf-8")
        with pytest.raises(rules_packs.RulesPackError, match="缺少：lookback_days、missed_window_days"):
            rules_packs.pack("140000")


def test_pack_is_reread_when_a_file_changes(app, packs):
    with app.app_context():
        assert rules_packs.section("140000", "warnings")["score_drop"] == 15
        _edit(packs, "140000", "warnings", lambda d: d.update(score_drop=7))
        path = packs / "140000" / "warnings.yaml"
        stat = path.stat()
        import os
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert rules_packs.section("140000", "warnings")["score_drop"] == 7


def test_rules_check_cli(app, packs, runner):
    ok = runner.invoke(args=["rules", "check"])
    assert ok.exit_code == 0 and "140000: 通过" in ok.output and "230000: 通过" in ok.output
    _edit(packs, "140000", "eligibility", lambda d: d["positive_list"].update(criteria=["no_such_fact"]))
    _edit(packs, "230000", "credit", lambda d: d.update(good_grades=["金牌"]))
    bad = runner.invoke(args=["rules", "check"])
    assert bad.exit_code == 1
    assert "no_such_fact" in bad.output and "good_grades 含有不在等级表中的等级" in bad.output


def test_a_province_without_pack_answers_409_not_500(app, auth, world):
    from app.accounts.models import Region

    with app.app_context():
        db.session.add(Region(code="110000", name="北京市", level="province"))
        ent = Enterprise(name="京厂", uscc="91110000MA00000001", industry_code="C3360", industry_name="电镀",
                         region_code="110000", permit_class="重点管理", credit_grade="未评价")
        db.session.add(ent)
        db.session.commit()
        eid = ent.id
    admin = auth.client("sysadmin")
    response = admin.get(f"/api/enterprises/{eid}/eligibility")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "rules_pack_error"
    profile = admin.get(f"/api/supervision/enterprises/{eid}")   # the profile still opens, without eligibility
    assert profile.status_code == 200 and profile.get_json()["eligibility"] is None
    new = admin.post("/api/admin/enterprises", json={
        "name": "京二厂", "uscc": make_uscc("91110000MA0000002"), "industry_code": "C3360", "industry_name": "电镀",
        "region_code": "110000", "permit_class": "重点管理"})
    assert new.status_code == 409 and "未配置规则包" in new.get_json()["error"]["message"]


def test_scoring_follows_the_province(app, packs):
    class Item:
        def __init__(self, i, severity):
            self.id, self.severity, self.code, self.statutory = i, severity, f"X{i}", True

    class Answer:
        def __init__(self, result):
            self.result = result

    items = [Item(1, "一般"), Item(2, "重大")]
    answers = {1: Answer("compliant"), 2: Answer("non_compliant")}
    with app.app_context():
        _edit(packs, "140000", "scoring", lambda d: d.update(severity_weights={"一般": 1, "较重": 2, "重大": 2},
                                                             major_failure_cap="D"))
        hlj = evaluate.score(items, answers, rules=evaluate.scoring("230000"))
        sx = evaluate.score(items, answers, rules=evaluate.scoring("140000"))
    assert (hlj["score"], hlj["grade"]) == (16.7, "D")
    assert (sx["score"], sx["grade"]) == (33.3, "D")
    with app.app_context():
        _edit(packs, "140000", "scoring", lambda d: d.update(grades=[{"grade": "A", "min": 30}]))
        assert evaluate.score(items, answers, rules=evaluate.scoring("140000"))["grade"] == "D"  # capped by 重大
        assert evaluate.grade_for(33.3, False, evaluate.scoring("140000")) == "A"


def test_reminder_ladders_follow_the_province(app, packs, shanxi):
    from app.notify.models import Notification
    from app.notify.reminders import permit_expiry_reminders

    _edit(packs, "140000", "reminders", lambda d: d.update(permit_expiry_days=[150]))
    with app.app_context():
        for eid in (shanxi.enterprise, shanxi.world.enterprises["a"]):
            db.session.get(Enterprise, eid).permit_valid_until = D + timedelta(days=140)
        db.session.commit()
        with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=evaluate_tz()), tick=False):
            permit_expiry_reminders(datetime(2026, 12, 2, 1, 0, tzinfo=evaluate_tz()))
        stages = {n.enterprise_id: n.stage for n in db.session.query(Notification).filter_by(kind="permit_expiry")}
    # Shanxi's ladder (edited to 150 days) reminds at 140 days; Heilongjiang's (120/90/60) not yet
    assert stages == {shanxi.enterprise: f"P-150@{D + timedelta(days=140)}"}


def evaluate_tz():
    from app.common.timeutil import TZ

    return TZ


def test_score_drop_threshold_follows_the_province(app, packs):
    _edit(packs, "140000", "warnings", lambda d: d.update(score_drop=5))
    with app.app_context():
        from app.supervision import warnings

        assert warnings._threshold("140403", "score_drop") == 5
        assert warnings._threshold("230102", "score_drop") == 15
        assert warnings._threshold("110101", "score_drop") == float("inf")


def test_eligibility_rules_are_the_provinces(app, shanxi):
    with app.app_context():
        sx = eligibility.evaluate(db.session.get(Enterprise, shanxi.enterprise), D)
        hlj = eligibility.evaluate(db.session.get(Enterprise, shanxi.world.enterprises["a"]), D)
    codes = lambda r: [c["code"] for c in r["positive_list"]["criteria"]]  # noqa: E731
    assert sx["province"] == "140000" and hlj["province"] == "230000"
    assert {"no_environmental_crime", "within_share_cap", "no_verified_complaints"} <= set(codes(sx))
    assert "within_share_cap" not in codes(hlj)
    grade = next(c for c in sx["positive_list"]["criteria"] if c["code"] == "credit_grade")
    assert grade["passed"] and grade["label"] == "环境信用等级为A、B"


def test_self_close_sampling_rate_is_the_provinces(app, shanxi):
    from app.remediation.models import Problem
    from app.remediation.service import self_close_sample_rate

    saved = app.config.pop("SELF_CLOSE_SAMPLE_RATE", None)
    try:
        with app.app_context():
            sx = Problem(enterprise=db.session.get(Enterprise, shanxi.enterprise))
            hlj = Problem(enterprise=db.session.get(Enterprise, shanxi.world.enterprises["a"]))
            assert (self_close_sample_rate(sx), self_close_sample_rate(hlj)) == (0.2, 0.1)
            app.config["SELF_CLOSE_SAMPLE_RATE"] = 1.0   # a deployment override wins
            assert self_close_sample_rate(sx) == 1.0
            db.session.rollback()
    finally:
        app.config.pop("SELF_CLOSE_SAMPLE_RATE", None)
        if saved is not None:
            app.config["SELF_CLOSE_SAMPLE_RATE"] = saved
