"""Problem and rectification endpoints (thin: parse, call one service function, dump)."""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, login_required, roles_required
from app.common.schemas import PageArgs
from app.common.tx import transactional
from app.common.xlsx import xlsx_response
from app.remediation import queries, service
from app.remediation.schemas import (
    AcceptIn,
    AssigneeOut,
    AssignIn,
    CommentIn,
    ExtensionDecisionIn,
    ExtensionIn,
    HistoryOut,
    ProblemDetail,
    ProblemIn,
    ProblemListArgs,
    ProblemPage,
    ReasonIn,
    RectificationIn,
    ReviewIn,
)

problems_blp = Blueprint("problems", __name__, url_prefix="/api/problems", description="问题整改")


def _detail(problem):
    return queries.detail(problem, current_user)


@problems_blp.route("")
@login_required
@problems_blp.arguments(ProblemListArgs, location="query")
@problems_blp.response(200, ProblemPage)
def list_problems(args):
    items, total, capped = queries.list_problems(current_user, args)
    return {"items": queries.with_actions(items, current_user), "total": total, "total_capped": capped}


@problems_blp.route("", methods=["POST"])
@login_required
@transactional(idempotent=True)
@problems_blp.arguments(ProblemIn)
@problems_blp.response(201, ProblemDetail)
def create_problem(data):
    return _detail(service.report_problem(current_user, data))


@problems_blp.route("/review-queue")
@roles_required(*REGULATOR)
@problems_blp.arguments(PageArgs, location="query")
@problems_blp.response(200, ProblemPage)
def review_queue(args):
    items, total, capped = queries.review_queue(current_user, args["page"], args["per_page"])
    return {"items": queries.with_actions(items, current_user), "total": total, "total_capped": capped}


@problems_blp.route("/export.xlsx")
@login_required
@problems_blp.arguments(ProblemListArgs, location="query")
@problems_blp.response(200, description="整改台账 .xlsx")
def export_ledger(args):
    return xlsx_response("整改台账.xlsx", "整改台账", queries.LEDGER_HEADER, queries.ledger_rows(current_user, args))


@problems_blp.route("/<int:problem_id>")
@login_required
@problems_blp.response(200, ProblemDetail)
def get_problem(problem_id):
    return _detail(service.get_problem(current_user, problem_id))


@problems_blp.route("/<int:problem_id>/history")
@login_required
@problems_blp.response(200, HistoryOut(many=True))
def problem_history(problem_id):
    return queries.history(service.get_problem(current_user, problem_id))


@problems_blp.route("/assignees")
@login_required
@problems_blp.response(200, AssigneeOut(many=True))
def list_assignees():
    """The enterprise's active accounts a problem can be assigned to (empty for regulators)."""
    return service.assignees(current_user)


@problems_blp.route("/<int:problem_id>/assign", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(AssignIn)
@problems_blp.response(200, ProblemDetail)
def assign(data, problem_id):
    return _detail(service.assign(current_user, problem_id, data["owner_id"]))


@problems_blp.route("/<int:problem_id>/accept", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(AcceptIn)
@problems_blp.response(200, ProblemDetail)
def accept(data, problem_id):
    return _detail(service.accept(current_user, problem_id, data["plan"], data["target_date"]))


@problems_blp.route("/<int:problem_id>/rectification", methods=["POST"])
@login_required
@transactional(idempotent=True)
@problems_blp.arguments(RectificationIn)
@problems_blp.response(200, ProblemDetail)
def submit_rectification(data, problem_id):
    return _detail(service.submit_rectification(current_user, problem_id, data["description"],
                                                data["upload_ids"], data["before_upload_ids"]))


@problems_blp.route("/<int:problem_id>/review", methods=["POST"])
@login_required
@transactional(idempotent=True)
@problems_blp.arguments(ReviewIn)
@problems_blp.response(200, ProblemDetail)
def review(data, problem_id):
    return _detail(service.review(current_user, problem_id, data["decision"], data["comment"]))


@problems_blp.route("/<int:problem_id>/extension", methods=["POST"])
@login_required
@transactional(idempotent=True)
@problems_blp.arguments(ExtensionIn)
@problems_blp.response(200, ProblemDetail)
def request_extension(data, problem_id):
    return _detail(service.request_extension(current_user, problem_id, data["days"], data["reason"]))


@problems_blp.route("/<int:problem_id>/extension/decision", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(ExtensionDecisionIn)
@problems_blp.response(200, ProblemDetail)
def decide_extension(data, problem_id):
    return _detail(service.decide_extension(current_user, problem_id, data["approve"], data["new_deadline"],
                                            data["comment"]))


@problems_blp.route("/<int:problem_id>/cancel", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(ReasonIn)
@problems_blp.response(200, ProblemDetail)
def cancel(data, problem_id):
    return _detail(service.cancel(current_user, problem_id, data["reason"]))


@problems_blp.route("/<int:problem_id>/require-review", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(CommentIn)
@problems_blp.response(200, ProblemDetail)
def require_review(data, problem_id):
    return _detail(service.require_review(current_user, problem_id, data["comment"]))


@problems_blp.route("/<int:problem_id>/reopen", methods=["POST"])
@login_required
@transactional()
@problems_blp.arguments(ReasonIn)
@problems_blp.response(200, ProblemDetail)
def reopen(data, problem_id):
    return _detail(service.reopen(current_user, problem_id, data["reason"]))
