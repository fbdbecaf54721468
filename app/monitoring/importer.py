"""Imports from .xlsx or .csv: outlets with limits and devices for many enterprises, and hourly data from other
platforms. Valid rows land, bad rows are reported by row and column (as app/accounts/importer.py does)."""
import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import Enterprise, User
from app.accounts.scoping import scoped
from app.common.errors import DomainError, ValidationFailed
from app.common.timeutil import TZ, as_utc
from app.common.xlsx import clean_cell, read_rows
from app.extensions import db
from app.monitoring import hj212, outlets
from app.monitoring.ingest import Batch, store, time_problem
from app.monitoring.models import Device, Outlet

MAX_ROWS = 20_000
KINDS = {"废气": "gas", "gas": "gas", "废水": "water", "water": "water"}
PERIODS = {"小时": "hour", "小时均值": "hour", "hour": "hour", "日": "day", "日均值": "day", "day": "day"}

OUTLET_COLUMNS = {
    "统一社会信用代码": "uscc", "排放口编号": "code", "排放口名称": "name", "排放口类型": "kind",
    "排放口位置": "location", "污染物编码": "pollutant", "污染物名称": "pollutant_name", "浓度限值": "limit_value",
    "单位": "unit", "限值依据": "basis", "判定周期": "period", "年许可排放量(t)": "annual_permit_t",
    "设备MN": "mn", "设备密码": "pw",
}
OUTLET_REQUIRED = ("统一社会信用代码", "排放口编号", "排放口类型")

DATA_COLUMNS = {
    "设备MN": "mn", "统一社会信用代码": "uscc", "排放口编号": "code", "监测时间": "time", "污染物编码": "pollutant",
    "小时均值": "avg", "折算均值": "zs_avg", "最小值": "min", "最大值": "max", "排放量(kg)": "cou", "数据标记": "flag",
}
DATA_REQUIRED = ("监测时间", "污染物编码", "小时均值")


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _table(filename: str, data: bytes, columns: dict, required: tuple) -> tuple[list[str], list[tuple[int, dict]]]:
    rows = [r for r in read_rows(filename, data) if any(clean_cell(c) for c in r)]
    if not rows:
        raise ValidationFailed("文件没有数据", code="empty_file", details={"fields": {"file": ["文件没有数据"]}})
    header = [clean_cell(c) for c in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationFailed(f"缺少表头：{'、'.join(missing)}", code="bad_headers",
                               details={"missing_columns": missing})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationFailed(f"一次最多导入{MAX_ROWS}行", code="too_many_rows")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        out.append((number, {columns[h]: (row[i] if i < len(row) else None)
                             for i, h in enumerate(header) if h in columns}))
    return header, out


def _text(raw: dict, key: str) -> str:
    value = clean_cell(raw.get(key))
    if value.startswith("="):
        raise RowError(key, "不允许公式")
    return value


def _float(raw: dict, key: str, column: str) -> float | None:
    text = _text(raw, key)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(column, f"不是数字：{text[:20]}") from None
    if not -1e12 < value < 1e12:
        raise RowError(column, "数值超出范围")
    return value


def _enterprise(actor: User, uscc: str) -> Enterprise:
    enterprise = db.session.scalar(scoped(select(Enterprise).where(Enterprise.uscc == uscc.upper()), actor))
    if enterprise is None:
        raise RowError("统一社会信用代码", "企业不存在或不在管辖范围内")
    return enterprise


# --- outlets, limits, devices ------------------------------------------------------------------

def import_outlets(actor: User, filename: str, data: bytes) -> dict:
    _, rows = _table(filename, data, OUTLET_COLUMNS, OUTLET_REQUIRED)
    labels = {v: k for k, v in OUTLET_COLUMNS.items()}
    errors, imported = [], 0
    for number, raw in rows:
        try:
            with db.session.begin_nested():
                _outlet_row(actor, raw)
            imported += 1
        except RowError as exc:
            errors.append({"row": number, "column": labels.get(exc.column, exc.column), "message": exc.message})
        except DomainError as exc:
            field = next(iter(exc.details.get("fields", {})), "")
            errors.append({"row": number, "column": labels.get(field, field), "message": exc.message})
    return {"imported": imported, "errors": errors}


def _outlet_row(actor: User, raw: dict) -> None:
    enterprise = _enterprise(actor, _text(raw, "uscc"))
    kind = KINDS.get(_text(raw, "kind"))
    if kind is None:
        raise RowError("kind", "应为废气或废水")
    code = _text(raw, "code").upper()
    if not re.fullmatch(r"[A-Z0-9-]{1,32}", code):
        raise RowError("code", "应为排放口编号，如DA001")
    outlet = db.session.scalar(select(Outlet).where(Outlet.enterprise_id == enterprise.id, Outlet.code == code))
    if outlet is None:
        outlet = outlets.create_outlet(actor, {"enterprise_id": enterprise.id, "code": code, "kind": kind,
                                               "name": _text(raw, "name")[:100],
                                               "location": _text(raw, "location")[:200]})
    pollutant = _text(raw, "pollutant")
    if pollutant:
        if not re.fullmatch(r"[A-Za-z0-9]{1,16}", pollutant):
            raise RowError("pollutant", "应为HJ 212-2017污染物编码，如a21002")
        period = PERIODS.get(_text(raw, "period") or "小时")
        if period is None:
            raise RowError("period", "应为小时或日")
        outlets.set_limit(actor, outlet.id, pollutant, {
            "name": _text(raw, "pollutant_name")[:32] or None, "limit_value": _float(raw, "limit_value", "limit_value"),
            "unit": _text(raw, "unit")[:16] or None, "basis": _text(raw, "basis")[:300], "period": period,
            "annual_permit_t": _float(raw, "annual_permit_t", "annual_permit_t")})
    mn, pw = _text(raw, "mn"), _text(raw, "pw")
    if mn:
        if not re.fullmatch(r"[A-Za-z0-9]{1,24}", mn):
            raise RowError("mn", "应为不超过24位的字母或数字")
        device = db.session.scalar(select(Device).where(Device.mn == mn))
        if device is None:
            if not pw:
                raise RowError("pw", "登记新设备须填写设备密码")
            outlets.register_device(actor, outlet.id, {"mn": mn, "pw": pw[:32]})
        elif device.outlet_id != outlet.id:
            raise RowError("mn", "该MN已登记在其他排放口")
        elif pw:
            outlets.update_device(actor, device.id, {"pw": pw[:32]})


# --- hourly data -------------------------------------------------------------------------------

def _time(raw: dict) -> datetime:
    value = raw.get("time")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    text = clean_cell(value).replace("/", "-").replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise RowError("time", f"应为“2026-11-03 08:00”格式的时间：{text[:20]}")


def _data_outlet(actor: User, raw: dict, cache: dict) -> tuple[Outlet, int | None]:
    mn, uscc, code = _text(raw, "mn"), _text(raw, "uscc").upper(), _text(raw, "code").upper()
    key = ("mn", mn, "") if mn else ("code", uscc, code)
    if key not in cache:
        device_id: int | None = None
        if mn:
            device = db.session.scalar(select(Device).where(Device.mn == mn))
            if device is None:
                raise RowError("mn", f"设备MN {mn} 未登记")
            found: Outlet | None = device.outlet
            device_id = device.id
        else:
            if not uscc or not code:
                raise RowError("mn", "请填写设备MN，或统一社会信用代码与排放口编号")
            enterprise = _enterprise(actor, uscc)
            found = db.session.scalar(select(Outlet).where(Outlet.enterprise_id == enterprise.id,
                                                           Outlet.code == code))
        if found is None:
            raise RowError("code", f"排放口{code}未登记")
        outlet = found
        outlets.get_outlet(actor, outlet.id)  # scope: out of the actor's jurisdiction reads as unknown
        if not outlets.can_edit(actor, outlet.enterprise_id):
            raise RowError("mn", "无权导入该排放口的数据")
        cache[key] = (outlet, device_id)
    return cache[key]


def import_hourly(actor: User, filename: str, data: bytes) -> dict:
    """Hourly averages from another platform, one pollutant per row; stored and judged like CN=2061 packets."""
    _, rows = _table(filename, data, DATA_COLUMNS, DATA_REQUIRED)
    labels = {v: k for k, v in DATA_COLUMNS.items()}
    errors: list[dict] = []
    groups: defaultdict[tuple, dict] = defaultdict(dict)
    cache: dict[tuple, tuple[Outlet, int | None]] = {}
    for number, raw in rows:
        try:
            outlet, device_id = _data_outlet(actor, raw, cache)
            local = _time(raw)
            at = as_utc(local.replace(tzinfo=TZ))
            problem = time_problem(hj212.CN_HOURLY, local, at)
            if problem:
                raise RowError("time", problem[1])
            code = _text(raw, "pollutant")
            if not re.fullmatch(r"[A-Za-z0-9]{1,16}", code):
                raise RowError("pollutant", "应为HJ 212-2017污染物编码，如a21002")
            flag = _text(raw, "flag").upper() or hj212.NORMAL_FLAG
            if flag not in hj212.DATA_FLAGS:
                raise RowError("flag", f"应为{'、'.join(hj212.DATA_FLAGS)}之一")
            avg = _float(raw, "avg", "avg")
            if avg is None:
                raise RowError("avg", "请填写小时均值")
            measurement = hj212.Measurement(code, avg=avg, zs_avg=_float(raw, "zs_avg", "zs_avg"),
                                            min=_float(raw, "min", "min"), max=_float(raw, "max", "max"),
                                            cou=_float(raw, "cou", "cou"), flag=flag)
            group = groups[(outlet.id, device_id, at)]
            if code in group:
                raise RowError("pollutant", f"与第{group[code][0]}行重复")
            group[code] = (number, measurement, outlet)
        except RowError as exc:
            errors.append({"row": number, "column": labels.get(exc.column, exc.column), "message": exc.message})
        except DomainError as exc:
            errors.append({"row": number, "column": "设备MN", "message": exc.message})
    batch, imported = Batch("import"), 0
    for (outlet_id, device_id, at), entries in groups.items():
        outlet = next(iter(entries.values()))[2]
        new = store(outlet, device_id, hj212.CN_HOURLY, at, None, "import",
                    {code: m for code, (_, m, _) in entries.items()}, batch.limits(outlet_id))
        imported += len(new)
    return {"imported": imported, "errors": errors}
