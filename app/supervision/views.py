"""Regulator console endpoints under /api/supervision (dashboard, enterprises, records, decisions, warnings).

Routes outside /api/supervision (eligibility, credit repair, QR code, public card, /api/warnings) are
in views_enterprise.py; importing this module imports that one too.
"""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, roles_required
from app.common.timeutil import today_local
from app.common.tx import transactional
from app.common.xlsx import xlsx_response
from app.supervision import dashboard as dashboard_service
from app.supervision import decisions, enterprises, warnings
from app.supervision.schemas_in import (
    AcknowledgeIn,
    CreditRepairDecisionIn,
    CreditRepairListArgs,
    CrimeIn,
    DashboardArgs,
    EnterpriseFilterArgs,
    EnterpriseListArgs,
    IncidentIn,
    PenaltyUpdateIn,
    PositiveListArgs,
    PositiveListDecisionIn,
    ToProblemIn,
    WarningListArgs,
)
from app.supervision.schemas_out import (
    CreditRepairOut,
    CreditRepairPageOut,
    CrimeOut,
    DashboardOut,
    EnterprisePageOut,
    IncidentOut,
    PenaltyOut,
    PositiveListEntryOut,
    PositiveListPageOut,
    ProfileOut,
    WarningOut,
    WarningPageOut,
)

supervision_blp = Blueprint("supervision", __name__, url_prefix="/api/supervision", description="监管工作台")


@supervision_blp.route("/dashboard")
@roles_required(*REGULATOR)
@supervision_blp.arguments(DashboardArgs, location="query")
@supervision_blp.response(200, DashboardOut)
def dashboard(args):
    return dashboard_service.dashboard(current_user, args["from_"], args["to"], args["region"], args["trend_months"])


@supervision_blp.route("/enterprises")
@roles_required(*REGULATOR)
@supervision_blp.arguments(EnterpriseListArgs, location="query")
@supervision_blp.response(200, EnterprisePageOut)
def list_enterprises(args):
    items, total = enterprises.list_enterprises(current_user, args)
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@supervision_blp.route("/enterprises/export.xlsx")
@roles_required(*REGULATOR)
@supervision_blp.arguments(EnterpriseFilterArgs, location="query")
@supervision_blp.response(200, description="企业名单（.xlsx）")
def export_enterprises(args):
    rows = list(enterprises.export_rows(current_user, args))  # refused before the file is started
    return xlsx_response(f"enterprises-{today_local()}.xlsx", "企业名单", list(enterprises.EXPORT_COLUMNS), rows)


@supervision_blp.route("/enterprises/<int:enterprise_id>")
@roles_required()
@supervision_blp.response(200, ProfileOut)
def enterprise_profile(enterprise_id):
    return enterprises.profile(current_user, enterprise_id)


# POST …/enterprises/<id>/penalties lives in app/cases/views.py: a recorded penalty opens its case there.


@supervision_blp.route("/enterprises/<int:enterprise_id>/penalties/<int:penalty_id>", methods=["PATCH"])
@roles_required()
@transactional()
@supervision_blp.arguments(PenaltyUpdateIn)
@supervision_blp.response(200, PenaltyOut)
def update_penalty(data, enterprise_id, penalty_id):
    return decisions.update_penalty(current_user, enterprise_id, penalty_id, data)


@supervision_blp.route("/enterprises/<int:enterprise_id>/incidents", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(IncidentIn)
@supervision_blp.response(201, IncidentOut)
def record_incident(data, enterprise_id):
    return decisions.record_incident(current_user, enterprise_id, data)


@supervision_blp.route("/enterprises/<int:enterprise_id>/crimes", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(CrimeIn)
@supervision_blp.response(201, CrimeOut)
def record_crime(data, enterprise_id):
    return decisions.record_crime(current_user, enterprise_id, data)


@supervision_blp.route("/enterprises/<int:enterprise_id>/positive-list", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(PositiveListDecisionIn)
@supervision_blp.response(200, PositiveListEntryOut)
def positive_list_decision(data, enterprise_id):
    return decisions.positive_list_decision(current_user, enterprise_id, data)


@supervision_blp.route("/positive-list")
@roles_required(*REGULATOR)
@supervision_blp.arguments(PositiveListArgs, location="query")
@supervision_blp.response(200, PositiveListPageOut)
def positive_list(args):
    items, total = enterprises.positive_list_members(current_user, args["region"], args["page"], args["per_page"])
    return {"items": items, "total": total}


@supervision_blp.route("/positive-list.xlsx")
@roles_required(*REGULATOR)
@supervision_blp.arguments(PositiveListArgs, location="query")
@supervision_blp.response(200, description="监督执法正面清单（.xlsx）")
def positive_list_xlsx(args):
    return xlsx_response(f"positive-list-{today_local()}.xlsx", "监督执法正面清单", enterprises.POSITIVE_LIST_COLUMNS,
                         enterprises.positive_list_rows(current_user, args["region"]))


@supervision_blp.route("/credit-repairs")
@roles_required(*REGULATOR)
@supervision_blp.arguments(CreditRepairListArgs, location="query")
@supervision_blp.response(200, CreditRepairPageOut)
def list_credit_repairs(args):
    items, total = decisions.list_credit_repairs(current_user, args)
    return {"items": items, "total": total}


@supervision_blp.route("/credit-repairs/<int:application_id>/decision", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(CreditRepairDecisionIn)
@supervision_blp.response(200, CreditRepairOut)
def decide_credit_repair(data, application_id):
    return decisions.decide_credit_repair(current_user, application_id, data)


@supervision_blp.route("/warnings")
@roles_required(*REGULATOR)
@supervision_blp.arguments(WarningListArgs, location="query")
@supervision_blp.response(200, WarningPageOut)
def list_warnings(args):
    items, total = warnings.list_warnings(current_user, args)
    return {"items": items, "total": total}


@supervision_blp.route("/warnings/<int:warning_id>/acknowledge", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(AcknowledgeIn)
@supervision_blp.response(200, WarningOut)
def acknowledge_warning(data, warning_id):
    return decisions.acknowledge_warning(current_user, warning_id, data.get("comment"))


@supervision_blp.route("/warnings/<int:warning_id>/to-problem", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@supervision_blp.arguments(ToProblemIn)
@supervision_blp.response(200, WarningOut)
def warning_to_problem(data, warning_id):
    return decisions.warning_to_problem(current_user, warning_id, data)


from app.supervision import views_enterprise  # noqa: E402,F401  (attaches the other blueprints' routes)
