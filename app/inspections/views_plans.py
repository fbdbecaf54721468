"""Plan and 双随机 draw endpoints under /api/inspections/plans."""
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import REGULATOR, roles_required
from app.common.schemas import RowView
from app.common.tx import transactional
from app.inspections import plans, rules
from app.inspections.schemas_other import DrawIn, DrawList, DrawOut, PlanIn, PlanOut, PlanPage, YearArgs

plans_blp = Blueprint("inspection_plans", __name__, url_prefix="/api/inspections/plans",
                      description="年度执法检查计划与双随机抽取")


def _plan(plan):
    return RowView(plan, unit_name=rules.unit_name(plan.unit_code))


def _draw(draw, plan):
    return RowView(draw, reproducible=plans.verify_draw(draw, plan)["reproducible"])


@plans_blp.route("")
@roles_required(*REGULATOR)
@plans_blp.arguments(YearArgs, location="query")
@plans_blp.response(200, PlanPage)
def list_plans(args):
    items, total = plans.list_plans(current_user, args)
    return {"items": [_plan(p) for p in items], "total": total}


@plans_blp.route("", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@plans_blp.arguments(PlanIn)
@plans_blp.response(201, PlanOut)
def create_plan(data):
    return _plan(plans.create_plan(current_user, data))


@plans_blp.route("/<int:plan_id>")
@roles_required(*REGULATOR)
@plans_blp.response(200, PlanOut)
def get_plan(plan_id):
    return _plan(plans.get_plan(current_user, plan_id))


@plans_blp.route("/<int:plan_id>/draws")
@roles_required(*REGULATOR)
@plans_blp.response(200, DrawList)
def list_draws(plan_id):
    plan = plans.get_plan(current_user, plan_id)
    return {"items": [_draw(d, plan) for d in plans.list_draws(plan)]}


@plans_blp.route("/<int:plan_id>/draws", methods=["POST"])
@roles_required(*REGULATOR)
@transactional(idempotent=True)
@plans_blp.arguments(DrawIn)
@plans_blp.response(201, DrawOut)
def create_draw(data, plan_id):
    draw = plans.create_draw(current_user, plan_id, data)
    return _draw(draw, plans.get_plan(current_user, plan_id))


@plans_blp.route("/<int:plan_id>/draws/<int:draw_id>")
@roles_required(*REGULATOR)
@plans_blp.response(200, DrawOut)
def get_draw(plan_id, draw_id):
    plan = plans.get_plan(current_user, plan_id)
    return _draw(plans.get_draw(plan, draw_id), plan)
