"""普法 endpoints: 以案说法 case library, targeted feed with read receipts, 送法入企 records and coverage."""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import ENTERPRISE, REGULATOR, login_required, roles_required
from app.common.schemas import RowView
from app.common.timeutil import today_local
from app.common.tx import transactional
from app.legal import schemas as s
from app.legal import service

legal_cases_blp = Blueprint("legal_cases", __name__, url_prefix="/api/legal-cases", description="普法：以案说法")
legal_blp = Blueprint("legal", __name__, url_prefix="/api/legal", description="普法：推送与送法入企")


def _out(case):
    return case if current_user.is_enterprise_user else RowView(case, read_count=service.read_count(case.id))


@legal_cases_blp.route("")
@login_required
@legal_cases_blp.arguments(s.LegalCaseArgs, location="query")
@legal_cases_blp.response(200, s.LegalCaseList)
def list_cases(args):
    """Cases and guidance visible to the user; `item_code` / `obligation_code` give an item's related cases."""
    items = service.list_cases(current_user, args)
    return {"items": items, "total": len(items)}


@legal_cases_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@legal_cases_blp.arguments(s.LegalCaseIn)
@legal_cases_blp.response(201, s.LegalCaseOut)
def create_case(data):
    return _out(service.create_case(current_user, data))


@legal_cases_blp.route("/<int:legal_case_id>")
@login_required
@legal_cases_blp.response(200, s.LegalCaseOut)
def get_case(legal_case_id):
    return _out(service.get_case(current_user, legal_case_id))


@legal_cases_blp.route("/<int:legal_case_id>", methods=["PATCH"])
@roles_required(*REGULATOR)
@transactional()
@legal_cases_blp.arguments(s.LegalCasePatch)
@legal_cases_blp.response(200, s.LegalCaseOut)
def update_case(data, legal_case_id):
    return _out(service.update_case(current_user, legal_case_id, data))


@legal_cases_blp.route("/<int:legal_case_id>/read", methods=["POST"])
@roles_required(*ENTERPRISE)
@transactional()
@legal_cases_blp.response(200, s.LegalCaseOut)
def mark_read(legal_case_id):
    """阅读回执 (once per user)."""
    return service.mark_read(current_user, legal_case_id)


@legal_blp.route("/feed")
@roles_required(*ENTERPRISE)
@legal_blp.response(200, s.LegalCaseList)
def feed():
    """The enterprise's targeted feed (industry, permit class), newest first, with `read`."""
    items = service.feed(current_user)
    return {"items": items, "total": len(items)}


@legal_blp.route("/trainings")
@roles_required(*REGULATOR)
@legal_blp.arguments(s.LegalYearArgs, location="query")
@legal_blp.response(200, s.LegalTrainingList)
def list_trainings(args):
    items = service.list_trainings(current_user, args.get("year"))
    return {"items": items, "total": len(items)}


@legal_blp.route("/trainings", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@legal_blp.arguments(s.LegalTrainingIn)
@legal_blp.response(201, s.LegalTrainingOut)
def record_training(data):
    return service.record_training(current_user, data)


@legal_blp.route("/coverage")
@roles_required(*REGULATOR)
@legal_blp.arguments(s.LegalYearArgs, location="query")
@legal_blp.response(200, s.LegalCoverageOut)
def coverage(args):
    """送法入企 annual coverage of 重点企业, per county in the user's jurisdiction."""
    return service.coverage(current_user, args.get("year") or today_local().year)
