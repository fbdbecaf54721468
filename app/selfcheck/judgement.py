"""Automatic judgements that depend on the enterprise profile, and the evidence rule for 合格.

An item's `judgement` (from library.yaml) names a kind:
  table           the limit comes from a table in data/limits.yaml, selected by profile facts
                  (boiler fuel, new/existing, special limits, noise zone …);
  hw_storage      a producer's hazardous-waste storage limit: the enterprise's own limit (EIA approval /
                  permit), else a local rule by region; no limit known → no automatic judgement;
  permit_renewal  排污许可管理条例 第十四条 (renewal applied 60 days before expiry) and 第三十三条
                  (discharging after expiry: stop at once);
  calendar        the answer is the statutory calendar's state (app/obligations, issue #20): an obligation of
                  the listed codes overdue → 不合格; done in the last year → 合格 with its receipt as the
                  evidence (unless `settles_compliant: false` — the question asks more than the calendar
                  knows, e.g. K1's 临时报告); nothing due yet → no automatic judgement (the user answers).
When the profile lacks the fact a limit needs, no automatic judgement is made: the law's limit is unknown,
and another class's figure must not stand in for it.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml
from flask import g, has_app_context

from app.common import events

DATA = Path(__file__).parent / "data"
RENEWAL_DAYS = 60  # 排污许可管理条例 第十四条


@cache
def limits_data() -> dict:
    return yaml.safe_load((DATA / "limits.yaml").read_text(encoding="utf-8"))


@dataclass
class Limit:
    min: float | None = None
    max: float | None = None
    basis: str = ""            # e.g. "GB 13271-2014 表2 …：燃煤锅炉 300 mg/m³"
    checked: bool = False
    missing: str | None = None  # why no limit could be determined (Chinese, for the user)

    @property
    def known(self) -> bool:
        return self.missing is None and (self.min is not None or self.max is not None)


@dataclass
class Verdict:
    result: str | None
    severity: str | None = None          # overrides the item's severity for the finding
    recommendation: str | None = None
    time_limit_days: int | None = None
    notes: list[str] = field(default_factory=list)


FIELD_LABELS = {"boiler_fuel": "锅炉燃料类型", "boiler_existing": "锅炉为新建或在用",
                "noise_zone": "厂界声环境功能区类别", "air_special_limits": "是否执行大气特别排放限值",
                "water_special_limits": "是否执行水污染物特别排放限值"}


def _matches(when: dict, enterprise) -> bool:
    return all(getattr(enterprise, key, None) == expected for key, expected in (when or {}).items())


def table_limit(name: str, enterprise) -> Limit:
    table = limits_data()["tables"][name]
    source = table["source"]
    law = f"{source['law']}"
    if enterprise is None:
        return Limit(missing="未关联企业档案")
    lacking = [f for f in table.get("required", []) if getattr(enterprise, f, None) in (None, "")]
    for row in table["rows"]:
        if not _matches(row.get("when"), enterprise):
            continue
        if "max" in row:
            value = row["max"]
            label = ""
        else:
            key = getattr(enterprise, table["key"], None)
            if key is None or str(key) not in {str(k) for k in row["limits"]}:
                lacking = lacking or [table["key"]]
                break
            value = {str(k): v for k, v in row["limits"].items()}[str(key)]
            label = f"{key}{'类区' if table['key'] == 'noise_zone' else '锅炉'} "
        return Limit(max=float(value), checked=bool(source.get("checked")),
                     basis=f"{law} {row['table']}：{label}{value:g} {table['unit']}")
    if not lacking:  # e.g. boiler_existing unknown and no special limits
        lacking = [k for row in table["rows"] for k in (row.get("when") or {})
                   if getattr(enterprise, k, None) is None][:1] or [table.get("key", "")]
    names = "、".join(FIELD_LABELS.get(f, f) for f in lacking)
    return Limit(missing=f"企业档案未登记{names}，无法按{law}自动判定，请先完善企业档案")


def hw_storage_limit(enterprise) -> Limit:
    if enterprise is None:
        return Limit(missing="未关联企业档案")
    if enterprise.hw_storage_limit_days:
        return Limit(max=float(enterprise.hw_storage_limit_days), checked=False,
                     basis=f"企业档案登记的环评批复/排污许可证贮存期限：{enterprise.hw_storage_limit_days} 天")
    for rule in limits_data().get("hw_storage_local_rules") or []:
        if enterprise.region_code.startswith(str(rule["region_prefix"])):
            return Limit(max=float(rule["max_days"]), checked=bool(rule.get("checked")),
                         basis=f"《{rule['law']}》{rule['article']}：{rule['max_days']} 天")
    return Limit(missing="企业档案未登记环评批复、排污许可证或地方规定的危险废物贮存期限，本项不作自动判定；"
                         "请对照环评批复和许可证要求如实选择结果")


def effective_limit(item, enterprise) -> Limit | None:
    """The limit an item's number is judged against for this enterprise (None: the item's own range)."""
    rule = item.judgement or {}
    if rule.get("kind") == "table":
        return table_limit(rule["table"], enterprise)
    if rule.get("kind") == "hw_storage":
        return hw_storage_limit(enterprise)
    return None


def _number(value) -> float | None:
    from app.selfcheck.evaluate import parse_number
    return parse_number(value)


def is_calendar(item) -> bool:
    return (item.judgement or {}).get("kind") == "calendar"


def _ask_calendar(enterprise_id: int, codes: list[str], today: date) -> list[dict]:
    replies = events.calendar_state.send(enterprise_id, codes=codes, today=today) if codes else []
    return [row for _, rows in replies for row in (rows or [])]


def _calendar_cache() -> dict | None:
    """Within one request or job (the app context), the calendar is read once per enterprise and day."""
    if not has_app_context():
        return None
    if "calendar_rows" not in g:
        g.calendar_rows = {}
    return g.calendar_rows


def prefetch_calendar(items, enterprise, today: date) -> None:
    """One read of the calendar for every calendar item of a self-check (instead of one per item)."""
    cache = _calendar_cache()
    codes = sorted({c for i in items if is_calendar(i) for c in (i.judgement or {}).get("codes") or []})
    if cache is None or not codes:
        return
    rows = _ask_calendar(enterprise.id, codes, today)
    for code in codes:
        cache[(enterprise.id, code, today)] = [r for r in rows if r["code"] == code]


def calendar_rows(item, enterprise, today: date) -> list[dict]:
    """The statutory calendar's rows behind a calendar item (empty where no package answers)."""
    codes = list((item.judgement or {}).get("codes") or [])
    cache = _calendar_cache()
    if cache is None:
        return _ask_calendar(enterprise.id, codes, today)
    missing = [c for c in codes if (enterprise.id, c, today) not in cache]
    if missing:
        rows = _ask_calendar(enterprise.id, missing, today)
        for code in missing:
            cache[(enterprise.id, code, today)] = [r for r in rows if r["code"] == code]
    return [r for c in codes for r in cache[(enterprise.id, c, today)]]


def calendar_verdict(item, enterprise, today: date, rows: list[dict] | None = None) -> Verdict | None:
    rows = calendar_rows(item, enterprise, today) if rows is None else rows
    overdue = [r for r in rows if r["status"] == "overdue"]
    if overdue:
        return Verdict("non_compliant", notes=[f"法定义务日历：{r['title']}，法定期限{r['due_date']}，尚未登记完成"
                                               for r in overdue])
    done = [r for r in rows if r["status"] == "done"]
    if done and (item.judgement or {}).get("settles_compliant", True):  # false: the question asks more than the date
        return Verdict("compliant", notes=[f"法定义务日历：{r['title']}已于{r['done_on']}完成"
                                           + (f"（凭证：{r['receipt']}）" if r.get("receipt") else "") for r in done])
    return None


def calendar_evidence(verdict: Verdict) -> str:
    """The evidence a calendar 合格 carries (the receipts the calendar holds), as a record reference."""
    return "；".join(verdict.notes)[:200]


def judge(item, result: str | None, value, today: date, enterprise) -> Verdict | None:
    """A profile-dependent verdict, or None when the item has no such judgement."""
    rule = item.judgement or {}
    kind = rule.get("kind")
    if kind == "calendar":  # read from the calendar whatever was answered (it holds the receipts)
        return calendar_verdict(item, enterprise, today) if enterprise is not None else None
    if not kind or result == "not_applicable" or value in (None, ""):
        return None
    if kind in ("table", "hw_storage"):
        number = _number(value)
        if number is None:
            return Verdict(result)
        limit = effective_limit(item, enterprise)
        if not limit.known:
            # No automatic judgement: keep what the user chose (compliant/non_compliant) or leave it open.
            return Verdict(result if result in ("compliant", "non_compliant") else None, notes=[limit.missing])
        inside = (limit.min is None or number >= limit.min) and (limit.max is None or number <= limit.max)
        return Verdict("compliant" if inside else "non_compliant", notes=[f"判定依据：{limit.basis}"])
    if kind == "permit_renewal":
        return _permit_renewal(value, today, enterprise)
    return None


def _permit_renewal(value, today: date, enterprise) -> Verdict:
    from app.selfcheck.evaluate import parse_date
    expiry = parse_date(value)
    if expiry is None:
        return Verdict(None)
    deadline = expiry - timedelta(days=RENEWAL_DAYS)
    applied = getattr(enterprise, "permit_renewal_applied_on", None) if enterprise is not None else None
    if expiry < today:
        return Verdict("non_compliant", severity="重大", time_limit_days=1,
                       recommendation="排污许可证已过有效期：立即停止排放污染物；重新申请取得排污许可证前不得排污"
                                      "（排污许可管理条例第三十三条：无证排污责令改正或者限制生产、停产整治，"
                                      "处二十万元以上一百万元以下罚款）。",
                       notes=[f"许可证有效期至{expiry.isoformat()}，已过期{(today - expiry).days}天"])
    if today < deadline:
        return Verdict("compliant", notes=[f"距有效期届满{(expiry - today).days}天，延续申请期限为{deadline.isoformat()}"])
    if applied is not None and applied <= deadline:
        return Verdict("compliant", notes=[f"已于{applied.isoformat()}提交延续申请"])
    if applied is not None:
        return Verdict("non_compliant", severity="一般", time_limit_days=max((expiry - today).days, 1),
                       recommendation="延续申请晚于有效期届满60日前提交：跟进审批进度，届满前未获延续的应停止排放污染物。",
                       notes=[f"延续申请于{applied.isoformat()}提交，晚于{deadline.isoformat()}"])
    return Verdict("non_compliant", time_limit_days=max(min((expiry - today).days, 7), 1),
                   recommendation="距有效期届满已不足60日且未提交延续申请：立即通过全国排污许可证管理信息平台提交延续申请，"
                                  "并在企业档案中登记申请日期；届满前未获延续的不得继续排放污染物。",
                   notes=[f"距有效期届满{(expiry - today).days}天，未登记延续申请"])


# --- evidence on 合格 ----------------------------------------------------------------------

def needs_proof(item, answer) -> bool:
    """Whether this answer still lacks what proves it (合格 on an item whose proof is required on 合格)."""
    proof = item.proof or {}
    if answer is None or answer.result != "compliant" or not proof.get("on_compliant"):
        return False
    if is_calendar(item) and (answer.evidence_ref or "").startswith("法定义务日历"):
        return False  # the calendar's receipt is the proof
    return not has_evidence(item, answer)


def has_evidence(item, answer) -> bool:
    kinds = set((item.proof or {}).get("kinds") or ["photo"])
    if answer.upload_ids:
        return True
    return bool(kinds & {"record_no", "document"}) and bool((answer.evidence_ref or "").strip())


def proof_message(item) -> str:
    proof = item.proof or {}
    return f"{item.code} 选择“合格”须提供证明：{proof.get('label') or '照片或证明材料编号'}"


def findings(items, answers: dict, enterprise, today: date) -> dict:
    """item id → Verdict for answers whose judgement sets a graver severity or its own advice."""
    out = {}
    for item in items:
        answer = answers.get(item.id)
        if answer is None or not item.judgement:
            continue
        verdict = judge(item, answer.result, answer.value, today, enterprise)
        if verdict is not None and verdict.result == answer.result == "non_compliant":
            out[item.id] = verdict
    return out


# --- permit renewal wording (reminders, warnings) -------------------------------------------

def renewal_advice(valid_until: date, today: date) -> str:
    """What to do about a permit's renewal on `today`; never names a deadline that has already passed."""
    deadline = valid_until - timedelta(days=RENEWAL_DAYS)
    if valid_until < today:
        return "排污许可证已过有效期：应立即停止排放污染物，重新申请取得排污许可证后方可排放。"
    if today < deadline:
        return f"需要继续排放污染物的，应于{deadline.isoformat()}前（有效期届满60日前）向审批部门提交延续申请。"
    if today == deadline:
        return "今天是提交延续申请的最后期限（有效期届满60日前），请今天向审批部门提交延续申请。"
    return ("距有效期届满已不足60日。尚未提交延续申请的，请立即提交；"
            "有效期届满未取得延续的，不得继续排放污染物。")


def renewal_applied(valid_until: date, applied_on: date | None) -> bool:
    """A renewal application registered for this permit (within its last year) stops the reminders."""
    return applied_on is not None and applied_on >= valid_until - timedelta(days=365)
