"""What a clue carries from where it came from: a monitoring alarm, a risk warning, or a problem (an inspection
finding becomes a problem), with its evidence as the form's 移交材料清单."""
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.scoping import get_scoped
from app.clues.models import ORIGINS
from app.common.errors import field_error
from app.common.timeutil import TZ, as_utc
from app.evidence.service import attach_uploads, uploads_by_id
from app.extensions import db
from app.monitoring import hj212
from app.monitoring.codes import pollutant_name
from app.monitoring.judgement import describe
from app.monitoring.models import ALARM_LABELS, Alarm, AlarmKind, Value
from app.monitoring.rules import load_rules
from app.remediation.models import STATUS_LABELS as PROBLEM_STATUS
from app.remediation.models import Problem
from app.supervision.models import WARNING_KINDS, RiskWarning

MAX_EXTRACT_LINES = 72
PROBLEM_SOURCES = {"selfcheck": "企业自查", "self_report": "企业主动报告", "warning": "风险预警"}
# Problem categories are checklist section titles; the form's categories by the words they contain.
CATEGORY_WORDS = (("废水", "water"), ("水污染", "water"), ("废气", "air"), ("大气", "air"), ("VOC", "air"),
                  ("固体废物", "solid_waste"), ("危险废物", "solid_waste"), ("固废", "solid_waste"),
                  ("环评", "eia"), ("验收", "eia"), ("噪声", "noise"), ("生态", "ecology"))


def fill(user: User, origin_type: str, origin_id: int) -> dict:
    if origin_type == "monitoring_alarm":
        return _from_alarm(get_scoped(Alarm, origin_id, user, message="未找到该监测报警"))
    if origin_type == "risk_warning":
        warning = get_scoped(RiskWarning, origin_id, user, message="未找到该风险预警")
        if warning.object_type == "monitoring_alarm" and warning.object_id:
            alarm = db.session.get(Alarm, warning.object_id)
            if alarm is not None:
                return _from_alarm(alarm)
        return _from_warning(warning)
    if origin_type == "problem":
        return _from_problem(get_scoped(Problem, origin_id, user, message="未找到该问题"))
    raise field_error("origin_type", f"应为{'、'.join(ORIGINS)}之一")


def origin_label(clue) -> str:
    return f"{ORIGINS.get(clue.origin_type, clue.origin_type)}#{clue.origin_id}"


def _fmt(moment, cn: str) -> str:
    local = as_utc(moment).astimezone(TZ)
    return f"{local:%Y-%m-%d}" if cn == hj212.CN_DAILY else f"{local:%Y-%m-%d %H:00}"


def _extract(alarm: Alarm) -> list[str]:
    """The stored values of the episode, one line each (the 监测数据摘录)."""
    if alarm.kind != AlarmKind.EXCEEDANCE:
        return []
    rows = db.session.execute(select(Value.data_time, Value.avg, Value.zs, Value.flag).where(
        Value.outlet_id == alarm.outlet_id, Value.pollutant == alarm.pollutant, Value.cn == alarm.cn,
        Value.data_time >= alarm.started_at, Value.data_time <= alarm.ended_at)
        .order_by(Value.data_time).limit(MAX_EXTRACT_LINES)).all()
    name = pollutant_name(alarm.pollutant)
    return [f"{_fmt(t, alarm.cn)} {name} {'折算' if zs is not None else ''}均值"
            f"{(zs if zs is not None else avg):g} {alarm.unit}（标记{flag} {hj212.DATA_FLAGS.get(flag, '')}，"
            f"限值{alarm.limit_value:g}）" for t, avg, zs, flag in rows]


def _from_alarm(alarm: Alarm) -> dict:
    outlet = alarm.outlet
    _title, detail = describe(alarm, outlet)
    rules = load_rules()["legal_basis"]
    span = f"{_fmt(alarm.started_at, alarm.cn or hj212.CN_HOURLY)}至{_fmt(alarm.ended_at, alarm.cn or hj212.CN_HOURLY)}"
    materials = [{"kind": "monitoring", "ref": f"monitoring_alarm:{alarm.id}",
                  "title": f"{outlet.code} {pollutant_name(alarm.pollutant) if alarm.pollutant else ''}"
                           f"{ALARM_LABELS[alarm.kind]}（{span}）",
                  "lines": _extract(alarm) or [detail]}]
    description = detail
    if alarm.explanation:
        description += f"企业说明（{alarm.reason}）：{alarm.explanation}"
        materials.append({"kind": "document", "title": f"企业对{ALARM_LABELS[alarm.kind]}的说明（{alarm.reason}）",
                          "ref": f"monitoring_alarm:{alarm.id}", "lines": [alarm.explanation]})
    materials += _uploads(alarm.upload_ids or [])
    basis = rules["over_permit"] if alarm.kind == AlarmKind.OVER_PERMIT else rules.get(outlet.kind, "")
    return {"enterprise_id": alarm.enterprise_id, "source": "monitoring",
            "categories": ["air" if outlet.kind == "gas" else "water"], "description": description,
            "legal_basis": basis, "materials": materials}


def _from_warning(warning: RiskWarning) -> dict:
    kind = WARNING_KINDS.get(warning.kind, warning.kind)
    return {"enterprise_id": warning.enterprise_id, "source": "other", "source_other": "风险预警",
            "categories": ["other"], "category_other": kind, "description": f"{warning.title}。{warning.detail}",
            "materials": [{"kind": "report", "title": f"风险预警（{kind}）：{warning.title}",
                           "ref": f"risk_warning:{warning.id}", "lines": [warning.detail]}]}


def _from_problem(problem: Problem) -> dict:
    on_site = problem.source in ("inspection", "regulator")
    categories = list(dict.fromkeys(code for word, code in CATEGORY_WORDS if word in (problem.category or "")))
    basis = "；".join(f"《{b.get('law', '').strip('《》')}》{b.get('article', '')}" for b in problem.legal_basis or []
                     if isinstance(b, dict) and b.get("law"))
    return {"enterprise_id": problem.enterprise_id, "source": "onsite" if on_site else "other",
            "source_other": "" if on_site else PROBLEM_SOURCES.get(problem.source, problem.source),
            "categories": categories or ["other"], "category_other": "" if categories else (problem.category or ""),
            "description": f"{problem.title}。{problem.description or ''}".strip("。") + "。",
            "legal_basis": basis,
            "materials": [{"kind": "report", "title": f"问题记录：{problem.title}（{PROBLEM_STATUS[problem.status]}，"
                                                      f"整改期限{problem.deadline}）", "ref": f"problem:{problem.id}"},
                          *_uploads(problem.upload_ids or [])]}


def _uploads(upload_ids: list[int]) -> list[dict]:
    if not upload_ids:
        return []
    uploads = uploads_by_id(upload_ids)
    return [{"kind": "photo" if u.content_type.startswith("image/") else "document",
             "title": u.filename or f"附件{u.id}", "upload_id": u.id, "sha256": u.sha256}
            for i in upload_ids if (u := uploads.get(i))]


def upload_materials(user: User, enterprise_id: int, upload_ids: list[int] | None) -> list[dict]:
    """Files the sender attaches (photos, reports): checked as problem evidence is, then listed."""
    return _uploads(attach_uploads(upload_ids or [], enterprise_id, user))
