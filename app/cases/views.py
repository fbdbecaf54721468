"""Case endpoints under /api/cases: list, open, read, edit, the stage actions, evaluation, discretion, 四书 PDF."""
from urllib.parse import quote

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, login_required, roles_required
from app.cases import discretion, documents, evaluation, rules, service
from app.cases.schemas import (
    CaseCatalogueArgs,
    CaseCatalogueOut,
    CaseCloseIn,
    CaseCommentIn,
    CaseDecisionIn,
    CaseDiscretionOut,
    CaseEvaluationOut,
    CaseIn,
    CaseListArgs,
    CaseOut,
    CasePageOut,
    CaseUpdateIn,
    CaseWithdrawIn,
)
from app.common.schemas import RowView
from app.common.tx import transactional
from app.supervision.schemas_in import PenaltyIn
from app.supervision.schemas_out import PenaltyOut

cases_blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="案件（立案至结案）",
                      template_folder="templates")
# The supervision workbench's penalty form records a penalty decided elsewhere; here because it opens the case too.
penalties_blp = Blueprint("case_penalties", __name__, url_prefix="/api/supervision", description="监管工作台：处罚记录")


def _out(case):
    return RowView(case, allowed_actions=service.allowed_actions(case, current_user))


@cases_blp.route("")
@login_required
@cases_blp.arguments(CaseListArgs, location="query")
@cases_blp.response(200, CasePageOut)
def list_cases(args):
    items, total = service.list_cases(current_user, args)
    return {"items": [_out(c) for c in items], "total": total, "page": args["page"], "per_page": args["per_page"]}


@cases_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@cases_blp.arguments(CaseIn)
@cases_blp.response(201, CaseOut)
def open_case(data):
    return _out(service.open_case(current_user, data))


@cases_blp.route("/catalogue")
@roles_required(*REGULATOR)
@cases_blp.arguments(CaseCatalogueArgs, location="query")
@cases_blp.response(200, CaseCatalogueOut)
def catalogue(args):
    pack = rules.pack(rules.province_of(args["province"]))
    return {"province": pack["province"], "name": pack["name"], "lists": pack.get("lists", {}),
            "violations": [{"code": k, **v} for k, v in pack.get("violations", {}).items()],
            "entries": pack.get("entries", [])}


@cases_blp.route("/<int:case_id>")
@login_required
@cases_blp.response(200, CaseOut)
def get_case(case_id):
    return _out(service.get_case(current_user, case_id))


@cases_blp.route("/<int:case_id>", methods=["PATCH"])
@login_required
@transactional()
@cases_blp.arguments(CaseUpdateIn)
@cases_blp.response(200, CaseOut)
def update_case(data, case_id):
    return _out(service.update_case(current_user, case_id, data))


@cases_blp.route("/<int:case_id>/evaluation")
@login_required
@cases_blp.response(200, CaseEvaluationOut)
def case_evaluation(case_id):
    return evaluation.evaluate(service.regulator_view(current_user, case_id))


@cases_blp.route("/<int:case_id>/discretion")
@login_required
@cases_blp.response(200, CaseDiscretionOut)
def case_discretion(case_id):
    case = service.regulator_view(current_user, case_id)
    return {**discretion.suggest(case), "similar_cases": discretion.similar_cases(current_user, case)}


@cases_blp.route("/<int:case_id>/documents.pdf")
@login_required
@cases_blp.response(200, description="四书同达文书包（PDF）")
def case_documents(case_id):
    case = service.get_case(current_user, case_id)
    pdf = documents.documents_pdf(current_user, case)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(case.number)}.pdf"
    return response


def _action(name, schema, call):
    def view(data, case_id):
        return _out(call(current_user, case_id, data))

    view.__name__ = name
    path = name.replace("_", "-")
    return cases_blp.route(f"/<int:case_id>/{path}", methods=["POST"])(
        login_required(transactional()(cases_blp.arguments(schema)(cases_blp.response(200, CaseOut)(view)))))


_action("investigate", CaseCommentIn, lambda u, i, d: service.investigate(u, i, d["comment"]))
_action("notify", CaseCommentIn, lambda u, i, d: service.notify_party(u, i, d["comment"]))
_action("decide", CaseDecisionIn, service.decide)
_action("issue_documents", CaseCommentIn, lambda u, i, d: service.issue_documents(u, i, d["comment"]))
_action("verify_rectification", CaseCommentIn, lambda u, i, d: service.verify_rectification(u, i, d["comment"]))
_action("close", CaseCloseIn, lambda u, i, d: service.close(u, i, d["paid_on"], d["comment"]))
_action("withdraw", CaseWithdrawIn, lambda u, i, d: service.withdraw(u, i, d["reason"]))


@penalties_blp.route("/enterprises/<int:enterprise_id>/penalties", methods=["POST"])
@roles_required()
@transactional(idempotent=True)
@penalties_blp.arguments(PenaltyIn)
@penalties_blp.response(201, PenaltyOut)
def record_penalty(data, enterprise_id):
    return service.record_penalty(current_user, enterprise_id, data)
