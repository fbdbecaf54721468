"""Command-line tools: demo data, checklist library, self-check generation, audit verification."""
import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db

demo_cli = AppGroup("demo", help="演示数据")
checklists_cli = AppGroup("checklists", help="检查表库")
selfcheck_cli = AppGroup("selfcheck", help="自查任务")
audit_cli = AppGroup("audit", help="审计留痕")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo region tree, enterprises, accounts and current tasks (idempotent)."""
    from app import demo

    click.echo("演示数据已创建" if demo.seed() else "演示数据已存在，未做修改")


@checklists_cli.command("load")
def checklists_load():
    """Load the built-in checklist library (a second run with unchanged data does nothing)."""
    from app.selfcheck.library import load_library

    created = load_library()
    db.session.commit()
    click.echo(f"已发布新版本：{created}" if created else "检查表库已是最新")


@selfcheck_cli.command("generate")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def selfcheck_generate(as_of):
    """Create the self-checks due as of a local date (default: today in Asia/Shanghai)."""
    from app.selfcheck.service import generate_due_selfchecks

    count = generate_due_selfchecks(as_of.date() if as_of else None)
    db.session.commit()
    click.echo(f"新建自查任务 {count} 个")


@audit_cli.command("verify")
def audit_verify():
    """Walk every audit chain and report the first broken link of each."""
    from app.common.audit import verify_chains

    problems = verify_chains()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("审计链校验通过")


@click.command("check-config")
@with_appcontext
def check_config():
    """Check the settings for production: errors stop the start (exit 1), warnings are printed.

    ecocheck-web.service runs this as ExecStartPre, so a node without a public address does not start.
    """
    cfg = current_app.config
    errors, warnings = [], []
    base = (cfg.get("PUBLIC_BASE_URL") or "").strip()
    if not base and not cfg.get("TRUSTED_HOSTS"):
        errors.append("未设置 PUBLIC_BASE_URL（报告验真链接、二维码和邮件中的地址只能来自配置，"
                      "例如 PUBLIC_BASE_URL=https://hbzc.example.gov.cn；或以 TRUSTED_HOSTS 列出本站域名）")
    elif base and not base.startswith(("https://", "http://")):
        errors.append(f"PUBLIC_BASE_URL 应以 https:// 开头：{base}")
    if any(h.strip() == "*" for h in cfg.get("PUSH_ALLOWED_HOSTS") or ()):
        warnings.append("PUSH_ALLOWED_HOSTS 含 *：任何公网主机都可作为推送地址（建议只列浏览器厂商的推送服务）")
    if len(cfg["SECRET_KEY"]) < 32:
        warnings.append("SECRET_KEY 过短（至少32个字符）")
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not current_app.debug:
        warnings.append("生产环境建议使用 PostgreSQL（DATABASE_URL）")
    if not cfg["SESSION_COOKIE_SECURE"]:
        warnings.append("未启用 SESSION_COOKIE_SECURE=1（HTTPS 部署时必须开启）")
    for line in errors:
        click.echo(f"错误：{line}", err=True)
    for line in warnings:
        click.echo(f"警告：{line}")
    if errors:
        click.echo(f"配置检查未通过：{len(errors)} 条错误，{len(warnings)} 条警告", err=True)
        raise SystemExit(1)
    click.echo("配置检查完成" if not warnings else f"共 {len(warnings)} 条警告")


def init_app(app: Flask) -> None:
    from app.bench.cli import init_cli as init_bench_cli
    from app.monitoring.listener import init_cli as init_monitoring_cli
    from app.rollups.cli import init_cli as init_rollups_cli
    from app.rules import init_app as init_rules_cli
    from app.scheduler.runner import init_cli as init_scheduler_cli

    for group in (demo_cli, checklists_cli, selfcheck_cli, audit_cli):
        app.cli.add_command(group)
    app.cli.add_command(check_config)
    init_scheduler_cli(app)
    init_bench_cli(app)
    init_rules_cli(app)
    init_monitoring_cli(app)
    init_rollups_cli(app)

