"""Online-monitoring endpoints: HJ 212 ingest (device-authenticated), outlets and limits, data, alarms."""
from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, login_required, roles_required
from app.accounts.schemas import ImportResult as ImportOut
from app.common.errors import PayloadTooLarge, error_response, field_error
from app.common.timeutil import today_local
from app.common.tx import transactional
from app.monitoring import importer, outlets, service
from app.monitoring.codes import POLLUTANTS
from app.monitoring.ingest import Batch
from app.monitoring.rules import load_rules
from app.monitoring.schemas import (
    AlarmListArgs,
    AlarmOut,
    AlarmPageOut,
    DeviceIn,
    DeviceOut,
    DevicePatch,
    ExplanationIn,
    IngestOut,
    LimitIn,
    LimitOut,
    OutletIn,
    OutletListArgs,
    OutletListOut,
    OutletOut,
    OutletPatch,
    PollutantListOut,
    RefusalArgs,
    RefusalListOut,
    SeriesArgs,
    SeriesOut,
    TotalsArgs,
    TotalsOut,
)

monitoring_blp = Blueprint("monitoring", __name__, url_prefix="/api/monitoring", description="在线监测")
MAX_INGEST_BYTES = 1024 * 1024
FILE_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}}


@monitoring_blp.route("/hj212", methods=["POST"])
@monitoring_blp.response(200, IngestOut)
@monitoring_blp.alt_response(400, description="全部报文被拒收（格式、长度、CRC、字段错误），error.details.results 逐条说明")
@monitoring_blp.alt_response(401, description="设备MN未登记或密码PW错误")
@monitoring_blp.doc(requestBody={"content": {"text/plain": {"schema": {"type": "string", "maxLength": MAX_INGEST_BYTES}}}},
                    security=[], summary="接收HJ 212-2017报文（一个或多个，按设备MN和密码PW认证，无需登录）")
@transactional()
def receive_hj212():
    if (request.content_length or 0) > MAX_INGEST_BYTES:
        raise PayloadTooLarge(f"报文总长不能超过{MAX_INGEST_BYTES // 1024} KB")
    data = request.get_data(cache=False)
    if len(data) > MAX_INGEST_BYTES:  # chunked bodies carry no Content-Length
        raise PayloadTooLarge(f"报文总长不能超过{MAX_INGEST_BYTES // 1024} KB")
    text = data.decode("ascii", errors="replace")
    outcomes = Batch("http").ingest_text(text)
    body = {"accepted": sum(o.status == "accepted" for o in outcomes),
            "duplicates": sum(o.status == "duplicate" for o in outcomes),
            "refused": sum(o.status == "refused" for o in outcomes),
            "results": [o.as_dict() for o in outcomes]}
    if body["refused"] == len(outcomes):
        first = outcomes[0]
        return error_response(first.http_status, first.code, f"报文被拒收：{first.reason}", body)
    return jsonify(IngestOut().dump(body))


@monitoring_blp.route("/outlets")
@login_required
@monitoring_blp.arguments(OutletListArgs, location="query")
@monitoring_blp.response(200, OutletListOut)
def list_outlets(args):
    return {"items": outlets.list_outlets(current_user, args["enterprise_id"])}


@monitoring_blp.route("/outlets", methods=["POST"])
@login_required
@transactional(idempotent=True)
@monitoring_blp.arguments(OutletIn)
@monitoring_blp.response(201, OutletOut)
def create_outlet(data):
    return outlets.create_outlet(current_user, data)


@monitoring_blp.route("/outlets/import", methods=["POST"])
@login_required
@transactional()
@monitoring_blp.doc(**FILE_BODY)
@monitoring_blp.response(200, ImportOut)
def import_outlets():
    return importer.import_outlets(current_user, *_file())


@monitoring_blp.route("/outlets/<int:outlet_id>")
@login_required
@monitoring_blp.response(200, OutletOut)
def get_outlet(outlet_id):
    return outlets.get_outlet(current_user, outlet_id)


@monitoring_blp.route("/outlets/<int:outlet_id>", methods=["PATCH"])
@login_required
@transactional()
@monitoring_blp.arguments(OutletPatch)
@monitoring_blp.response(200, OutletOut)
def update_outlet(data, outlet_id):
    return outlets.update_outlet(current_user, outlet_id, data)


@monitoring_blp.route("/outlets/<int:outlet_id>/limits/<pollutant>", methods=["PUT"])
@login_required
@transactional()
@monitoring_blp.arguments(LimitIn)
@monitoring_blp.response(200, LimitOut)
def set_limit(data, outlet_id, pollutant):
    return outlets.set_limit(current_user, outlet_id, _pollutant(pollutant), data)


@monitoring_blp.route("/outlets/<int:outlet_id>/limits/<pollutant>", methods=["DELETE"])
@login_required
@transactional()
@monitoring_blp.response(204)
def delete_limit(outlet_id, pollutant):
    outlets.delete_limit(current_user, outlet_id, _pollutant(pollutant))


@monitoring_blp.route("/outlets/<int:outlet_id>/devices", methods=["POST"])
@login_required
@transactional()
@monitoring_blp.arguments(DeviceIn)
@monitoring_blp.response(201, DeviceOut)
def register_device(data, outlet_id):
    return outlets.register_device(current_user, outlet_id, data)


@monitoring_blp.route("/devices/<int:device_id>", methods=["PATCH"])
@login_required
@transactional()
@monitoring_blp.arguments(DevicePatch)
@monitoring_blp.response(200, DeviceOut)
def update_device(data, device_id):
    return outlets.update_device(current_user, device_id, data)


@monitoring_blp.route("/outlets/<int:outlet_id>/series")
@login_required
@monitoring_blp.arguments(SeriesArgs, location="query")
@monitoring_blp.response(200, SeriesOut)
def get_series(args, outlet_id):
    return service.series(current_user, outlet_id, args["pollutant"], args["cn"], args["start"], args["end"])


@monitoring_blp.route("/outlets/<int:outlet_id>/totals")
@login_required
@monitoring_blp.arguments(TotalsArgs, location="query")
@monitoring_blp.response(200, TotalsOut)
def get_totals(args, outlet_id):
    return {"items": service.totals(current_user, outlet_id, args["day"])}


@monitoring_blp.route("/data/import", methods=["POST"])
@login_required
@transactional()
@monitoring_blp.doc(**FILE_BODY)
@monitoring_blp.response(200, ImportOut)
def import_hourly_data():
    return importer.import_hourly(current_user, *_file())


@monitoring_blp.route("/alarms")
@login_required
@monitoring_blp.arguments(AlarmListArgs, location="query")
@monitoring_blp.response(200, AlarmPageOut)
def list_alarms(args):
    items, total = service.list_alarms(current_user, args)
    return {"items": items, "total": total, "explanation_reasons": load_rules()["explanation_reasons"]}


@monitoring_blp.route("/alarms/<int:alarm_id>")
@login_required
@monitoring_blp.response(200, AlarmOut)
def get_alarm(alarm_id):
    return service.get_alarm(current_user, alarm_id)


@monitoring_blp.route("/alarms/<int:alarm_id>/explanation", methods=["POST"])
@login_required
@transactional(idempotent=True)
@monitoring_blp.arguments(ExplanationIn)
@monitoring_blp.response(200, AlarmOut)
def explain_alarm(data, alarm_id):
    return service.explain_alarm(current_user, alarm_id, data)


@monitoring_blp.route("/refusals")
@roles_required(*REGULATOR, "enterprise_admin")
@monitoring_blp.arguments(RefusalArgs, location="query")
@monitoring_blp.response(200, RefusalListOut)
def list_refusals(args):
    return {"items": outlets.refusal_counts(current_user, args["day"] or today_local())}


def _file() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None:
        raise field_error("file", "请选择 .xlsx 或 .csv 文件")
    return upload.filename or "", upload.read()


def _pollutant(code: str) -> str:
    if not code.isalnum() or len(code) > 16:
        raise field_error("pollutant", "应为HJ 212-2017污染物编码，如a21002")
    return code


@monitoring_blp.route("/pollutants")
@login_required
@monitoring_blp.response(200, PollutantListOut)
def list_pollutants():
    """HJ 212-2017 pollutant codes outlets commonly report, with names and concentration units (app/monitoring/codes.py)."""
    return {"items": [{"code": code, "name": name, "unit": unit} for code, (name, unit, _) in POLLUTANTS.items()]}

