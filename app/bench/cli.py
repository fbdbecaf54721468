"""`flask bench …`: seed synthetic data at scale and prepare benchmark fixtures."""
import json
import time

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

bench_cli = AppGroup("bench", help="性能基准：合成数据与测试夹具")


@bench_cli.command("seed")
@click.option("--enterprises", type=click.IntRange(1, 1_000_000), default=50_000, show_default=True)
@click.option("--months", type=click.IntRange(1, 36), default=12, show_default=True)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True)
def bench_seed(enterprises, months, seed_value):
    """Seed an EMPTY database with deterministic synthetic data (regions, enterprises, runs, problems…)."""
    from app.bench.seed import Seeder

    counts = Seeder(enterprises, months, seed_value, echo=click.echo).run()
    click.echo(json.dumps(counts, ensure_ascii=False, sort_keys=True))


@bench_cli.command("prepare")
@click.option("--runs", type=click.IntRange(0), default=200, show_default=True, help="待提交的已填写自查数")
@click.option("--problems", type=click.IntRange(0), default=200, show_default=True, help="待处理的问题数")
@click.option("--pool", type=click.IntRange(1), default=100, show_default=True, help="使用的企业账号数")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="夹具 JSON 文件")
def bench_prepare(runs, problems, pool, out):
    """Create fresh answered runs and open problems for a benchmark run; print or write the fixture ids."""
    from app.bench.prepare import prepare

    started = time.perf_counter()
    fixtures = prepare(runs, problems, pool)
    db.session.commit()
    text = json.dumps(fixtures, ensure_ascii=False)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"夹具已写入 {out}：{fixtures['counts']}（{time.perf_counter() - started:.1f}s）")
    else:
        click.echo(text)


@bench_cli.command("meta")
def bench_meta():
    """Print what `bench seed` recorded (scale, seed, date), or {} for an unseeded database."""
    from app.bench.seed import read_meta

    click.echo(json.dumps(read_meta(), ensure_ascii=False, sort_keys=True))


def init_cli(app: Flask) -> None:
    app.cli.add_command(bench_cli)
