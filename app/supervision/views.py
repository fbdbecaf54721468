"""Regulator console endpoints: dashboard, enterprises, warnings, eligibility, 企业环保码."""
from flask_smorest import Blueprint

supervision_blp = Blueprint("supervision", __name__, url_prefix="/api/supervision", description="监管工作台")
