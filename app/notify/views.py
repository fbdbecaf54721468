"""Notification inbox and Web Push subscription endpoints."""
from flask_smorest import Blueprint

notify_blp = Blueprint("notify", __name__, url_prefix="/api", description="消息提醒")
