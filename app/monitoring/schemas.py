"""Monitoring schemas: outlets, limits, devices, series, totals, alarms, ingest results."""
from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema, PageArgs
from app.common.timeutil import isoformat
from app.monitoring import hj212
from app.monitoring.codes import pollutant_name
from app.monitoring.models import ALARM_LABELS, ALARM_STATUS_LABELS, OUTLET_KINDS, PERIODS


def when(attr: str):
    """An instant as local ISO time (+08:00), from an object or a dict."""
    return fields.Function(lambda o: isoformat(o.get(attr) if isinstance(o, dict) else getattr(o, attr)))


CODE = validate.Regexp(r"^[A-Za-z0-9]{1,16}$", error="应为HJ 212-2017污染物编码，如a21002")
KIND = validate.OneOf(list(OUTLET_KINDS), error="应为gas（废气）或water（废水）")


class OutletIn(InSchema):
    enterprise_id = fields.Integer(load_default=None)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{1,32}$",
                                                                 error="应为排放口编号，如DA001"))
    name = fields.String(load_default="", validate=validate.Length(max=100, error="过长"))
    kind = fields.String(required=True, validate=KIND)
    location = fields.String(load_default="", validate=validate.Length(max=200, error="过长"))


class OutletPatch(InSchema):
    name = fields.String(validate=validate.Length(max=100, error="过长"))
    kind = fields.String(validate=KIND)
    location = fields.String(validate=validate.Length(max=200, error="过长"))
    active = fields.Boolean()


class OutletListArgs(InSchema):
    enterprise_id = fields.Integer(load_default=None)


class LimitIn(InSchema):
    name = fields.String(load_default=None, validate=validate.Length(max=32, error="过长"))
    limit_value = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 1e7, error="应为非负数"))
    unit = fields.String(load_default=None, validate=validate.Length(max=16, error="过长"))
    basis = fields.String(load_default="", validate=validate.Length(max=300, error="过长"))
    basis_checked = fields.Boolean(load_default=False)
    table = fields.String(load_default=None, validate=validate.Length(max=40, error="过长"))
    period = fields.String(load_default="hour", validate=validate.OneOf(list(PERIODS), error="应为hour或day"))
    annual_permit_t = fields.Float(load_default=None, allow_none=True,
                                   validate=validate.Range(0, 1e9, error="应为非负数"))


class DeviceIn(InSchema):
    mn = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9]{1,24}$",
                                                               error="应为不超过24位的字母或数字"))
    pw = fields.String(required=True, validate=validate.Length(1, 32, error="长度应为1-32个字符"))
    st = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{2}$", error="应为2位数字"))


class DevicePatch(InSchema):
    pw = fields.String(validate=validate.Length(1, 32, error="长度应为1-32个字符"))
    active = fields.Boolean()
    st = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{2}$", error="应为2位数字"))


class LimitOut(OutSchema):
    pollutant = fields.String()
    name = fields.String()
    limit_value = fields.Float(allow_none=True)
    unit = fields.String()
    basis = fields.String()
    basis_checked = fields.Boolean()
    period = fields.String()
    period_label = fields.Function(lambda limit: PERIODS.get(limit.period, limit.period))
    annual_permit_t = fields.Float(allow_none=True)


class DeviceOut(OutSchema):
    id = fields.Integer()
    outlet_id = fields.Integer()
    mn = fields.String()
    st = fields.String(allow_none=True)
    active = fields.Boolean()
    last_seen_at = when("last_seen_at")
    created_at = when("created_at")


class OutletOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda o: o.enterprise.name)
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda o: OUTLET_KINDS.get(o.kind, o.kind))
    location = fields.String()
    active = fields.Boolean()
    limits = fields.List(fields.Nested(LimitOut))
    devices = fields.List(fields.Nested(DeviceOut))


class OutletListOut(OutSchema):
    items = fields.List(fields.Nested(OutletOut))


class SeriesArgs(InSchema):
    pollutant = fields.String(load_default=None, validate=CODE)  # default: the outlet's first limited pollutant
    cn = fields.String(load_default=hj212.CN_HOURLY, validate=validate.OneOf(list(hj212.DATA_COMMANDS),
                                                                             error="应为2011、2051、2061或2031"))
    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)


class PointOut(OutSchema):
    time = when("time")
    value = fields.Float(allow_none=True)
    raw = fields.Float(allow_none=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    cou = fields.Float(allow_none=True)
    flag = fields.String()
    flag_label = fields.String()
    judged = fields.Boolean()
    exceeds = fields.Boolean()


class SeriesOut(OutSchema):
    outlet_id = fields.Integer()
    outlet_code = fields.String()
    pollutant = fields.String()
    pollutant_name = fields.String()
    cn = fields.String()
    cn_label = fields.String()
    limit_value = fields.Float(allow_none=True)
    unit = fields.String()
    basis = fields.String()
    period = fields.String(allow_none=True)
    points = fields.List(fields.Nested(PointOut))


class TotalsArgs(InSchema):
    day = fields.Date(load_default=None)


class TotalOut(OutSchema):
    pollutant = fields.String()
    name = fields.String()
    as_of = fields.Date()
    accumulated_t = fields.Float()
    projected_t = fields.Float(allow_none=True)
    days_covered = fields.Integer()
    days_with_data = fields.Integer()
    annual_permit_t = fields.Float(allow_none=True)
    projected_share = fields.Float(allow_none=True)
    over_permit = fields.Boolean()


class TotalsOut(OutSchema):
    items = fields.List(fields.Nested(TotalOut))


class AlarmListArgs(PageArgs):
    enterprise_id = fields.Integer(load_default=None)
    outlet_id = fields.Integer(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(list(ALARM_LABELS), error="类型无效"))
    status = fields.String(load_default=None, validate=validate.OneOf(list(ALARM_STATUS_LABELS), error="状态无效"))
    pollutant = fields.String(load_default=None, validate=CODE)


class ExplanationIn(InSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 16, error="过长"))
    explanation = fields.String(required=True, validate=validate.Length(1, 2000, error="长度应为1-2000个字符"))
    upload_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=20, error="最多20个"))


class AlarmOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda a: a.outlet.enterprise.name)
    outlet_id = fields.Integer()
    outlet_code = fields.Function(lambda a: a.outlet.code)
    kind = fields.String()
    kind_label = fields.Function(lambda a: ALARM_LABELS.get(a.kind, a.kind))
    pollutant = fields.String()
    pollutant_name = fields.Function(lambda a: pollutant_name(a.pollutant) if a.pollutant else "")
    cn = fields.String()
    started_at = when("started_at")
    ended_at = when("ended_at")
    periods = fields.Integer()
    peak = fields.Float(allow_none=True)
    limit_value = fields.Float(allow_none=True)
    unit = fields.String()
    basis = fields.String()
    accumulated_t = fields.Float(allow_none=True)
    projected_t = fields.Float(allow_none=True)
    warning_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda a: ALARM_STATUS_LABELS.get(a.status, a.status))
    reason = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    upload_ids = fields.List(fields.Integer())
    explained_at = when("explained_at")


class AlarmPageOut(OutSchema):
    items = fields.List(fields.Nested(AlarmOut))
    total = fields.Integer()
    explanation_reasons = fields.List(fields.String())  # the choices of 企业说明 (rules.yaml)


class RefusalArgs(InSchema):
    day = fields.Date(load_default=None)


class RefusalOut(OutSchema):
    day = fields.Date()
    mn = fields.String(allow_none=True)
    code = fields.String()
    count = fields.Integer()
    last_reason = fields.String()
    last_at = when("last_at")


class RefusalListOut(OutSchema):
    items = fields.List(fields.Nested(RefusalOut))


class PacketResultOut(OutSchema):
    status = fields.String()
    code = fields.String()
    reason = fields.String()
    mn = fields.String(allow_none=True)
    cn = fields.String(allow_none=True)
    qn = fields.String(allow_none=True)
    data_time = fields.String(allow_none=True)
    stored = fields.Integer()
    reply = fields.String(allow_none=True)


class IngestOut(OutSchema):
    accepted = fields.Integer()
    duplicates = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Nested(PacketResultOut))


class PollutantOut(OutSchema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()


class PollutantListOut(OutSchema):
    items = fields.List(fields.Nested(PollutantOut))

