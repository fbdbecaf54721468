"""`flask rollups verify` and `flask rollups rebuild`."""
import json
import time

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.rollups.check import differences, rebuild

rollups_cli = AppGroup("rollups", help="看板汇总表：核对与重建")


@rollups_cli.command("verify")
def verify_command():
    """Recompute every rollup from the base tables and report any difference (exit 1 if there is one)."""
    started = time.perf_counter()
    report = differences()
    bad = sum(r["different"] for r in report.values())
    click.echo(json.dumps(report, ensure_ascii=False, default=str))
    if bad:
        click.echo(f"汇总表与明细不一致：{bad} 行（{time.perf_counter() - started:.1f}s）", err=True)
        raise SystemExit(1)
    click.echo(f"汇总表与明细一致（{time.perf_counter() - started:.1f}s）")


@rollups_cli.command("rebuild")
def rebuild_command():
    """Rebuild every rollup table from the base tables (safe to run at any time; one transaction)."""
    started = time.perf_counter()
    changed = rebuild()
    db.session.commit()
    click.echo(f"已重建：{json.dumps(changed, ensure_ascii=False)}（{time.perf_counter() - started:.1f}s）")


def init_cli(app: Flask) -> None:
    app.cli.add_command(rollups_cli)
