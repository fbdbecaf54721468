"""Render a benchmark result as a Markdown section and put it at the top of docs/benchmarks.md."""
from pathlib import Path

HEADER = """# 性能基准（Benchmarks）

由 `make bench`（`python bench/run.py --scale full`）生成；每次运行在下方最前面追加一节，旧的结果保留。
方法、数据与指标说明见 `bench/README.md`。机器为共享的 2 核机器，数字有噪声：一律取中位数，吞吐量同时给出
相对于同一次运行、同一并发下 `GET /api/health`（同一套 gunicorn + Flask + 数据库）的比值。

<!-- runs below, newest first -->
"""
MARK = "<!-- runs below, newest first -->"

NON_HTTP_TARGETS = {  # name -> (value getter, target seconds)
    "generate_due_selfchecks 首次（5万家）": (lambda r: r["generation"].get("first_s"), 10),
    "generate_due_selfchecks 再次": (lambda r: r["generation"].get("second_s"), 2),
    "提交时生成报告（issue_report，中位数）": (lambda r: _s(r["report_build"].get("issue_report_median_ms")), 0.020),
    "PDF 渲染 50 项 + 10 张照片（中位数）": (lambda r: r["pdf"].get("median_s"), 1.5),
    "每日预警 run_daily_warnings 首次": (lambda r: r["jobs"].get("warnings", {}).get("first_s"), 30),
    "每日调度 tick 首次": (lambda r: r["jobs"].get("tick", {}).get("first_s"), 30),
    "每日调度 tick 再次": (lambda r: r["jobs"].get("tick", {}).get("second_s"), 5),
}


def _s(ms):
    return None if ms is None else ms / 1000


def _fmt(value, unit=""):
    return "—" if value is None else f"{value}{unit}"


def verdict(value, target) -> str:
    if value is None:
        return "未测"
    if value <= target:
        return "✅ 达标"
    return f"❌ 超出 {value / target:.1f}×"


def section(r: dict) -> str:
    from run import TARGETS_MS

    m = r["machine"]
    lines = [f"## {r['date']} — {r['scale']}（{r['config']['enterprises']} 家企业，{r['config']['months']} 个月）", "",
             f"- 机器：{m['nproc']} 核，{m['memory']}，{m['cpu']}；Python {m['python']}；"
             f"1 分钟负载 {m['load_before']:.1f} → {m.get('load_after', 0):.1f}（共享机器）",
             f"- 提交：`{m['commit']}`；数据库：`{r['database']}`",
             "- 播种：" + ("已存在，跳过" if r["seed"].get("skipped") else
                          f"{r['seed'].get('seconds')} s；`flask audit verify` "
                          f"{ {True: '通过', False: '失败'}.get(r['seed'].get('audit_verify'), '见下文') }"),
             f"- 服务：`gunicorn --workers 2 --threads 4 'app:create_app()'`；负载：locust 2.47.0，"
             f"每组 {r['config']['seconds']} s，并发 {r['config']['levels']}", ""]
    lines += ["### HTTP 端点", "",
              "服务端时间取自 gunicorn 访问日志（%(D)s，只计测量窗口内带标记的请求）；目标与 1 并发（无争用）"
              "的服务端中位数比较。", "",
              "| 端点 | 并发 | 请求/秒 | 相对下限 | 客户端中位/p95/p99 ms | 服务端中位/p95 ms | 错误 | SQL 条数 | 目标 | 结果 |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    qc = r.get("query_counts", {})
    for row in r["load"]:
        name = row["endpoint"]
        target = TARGETS_MS.get(name)
        judge = ""
        if target and row["users"] == min(r["config"]["levels"]):
            judge = verdict(row.get("server_median_ms"), target)
        lines.append(
            f"| {name} | {row['users']} | {row['rps']} | {_fmt(row.get('ratio_to_floor'))} | "
            f"{_fmt(row.get('median_ms'))}/{_fmt(row.get('p95_ms'))}/{_fmt(row.get('p99_ms'))} | "
            f"{_fmt(row.get('server_median_ms'))}/{_fmt(row.get('server_p95_ms'))} | {row['failures']} | "
            f"{_fmt(qc.get(name, {}).get('statements'))} | {_fmt(target, ' ms') if target else ''} | {judge} |")
    if r.get("skipped_endpoints"):
        lines += ["", "未测（接口尚不存在，返回 404/405）：" + "、".join(r["skipped_endpoints"])]
    lines += ["", "### 后台任务与渲染（进程内）", "", "| 项目 | 实测 | 目标 | 结果 |", "|---|---|---|---|"]
    for label, (get, target) in NON_HTTP_TARGETS.items():
        try:
            value = get(r)
        except Exception:
            value = None
        lines.append(f"| {label} | {_fmt(value, ' s')} | {target} s | {verdict(value, target)} |")
    g = r["generation"]
    lines += ["", f"- 生成：as_of {g.get('as_of')}，首次新建 {g.get('created')} 个，再次新建 {g.get('second_created')} 个"
                  f"（事务回滚，不改数据）；按今天再调用一次 {g.get('today_s')} s。",
              f"- 提交（进程内，经测试客户端）：{r['report_build'].get('n')} 次，整次提交中位数 "
              f"{r['report_build'].get('submit_median_ms')} ms，其中生成报告 {r['report_build'].get('issue_report_median_ms')} ms。",
              f"- PDF：首次 {r['pdf'].get('first_s')} s（含 WeasyPrint 导入与字体加载），{r['pdf'].get('bytes')} 字节。"]
    jobs = r.get("jobs", {})
    for key in ("warnings", "tick"):
        if "skipped" in jobs.get(key, {}):
            lines.append(f"- {key}：{jobs[key]['skipped']}")
    if "tick" in jobs and "first_results" in jobs["tick"]:
        lines.append(f"- tick 首次各任务结果：`{jobs['tick']['first_results']}`（不含 deliver_notifications：它发送推送/邮件）")
        if jobs["tick"].get("failed"):
            lines.append(f"- tick 失败的任务：{jobs['tick']['failed']}")
    if "warnings" in jobs and "first_created" in jobs["warnings"]:
        lines.append(f"- 预警：首次新建 {jobs['warnings']['first_created']} 条，再次 {jobs['warnings']['second_created']} 条。")
    lines += _views(r) + _tick_jobs(r) + _rollups(r)
    fe = r.get("frontend", {})
    lines += ["", "### 前端", ""]
    if "skipped" in fe:
        lines.append(f"- {fe['skipped']}")
    else:
        lines.append(f"- 首屏引用的 JS gzip {fe['js_gzip'] / 1024:.1f} KiB，CSS gzip {fe['css_gzip'] / 1024:.1f} KiB，"
                     f"合计 {fe['total_gzip'] / 1024:.1f} KiB（{len(fe['files'])} 个文件，gzip -6）。")
    lh = r.get("lighthouse")
    if lh is None:
        lines.append("- Lighthouse：本次未运行（smoke 或 --no-lighthouse）。")
    elif "skipped" in lh or "error" in lh:
        lines.append(f"- Lighthouse 未能运行：{lh.get('skipped') or lh.get('error')}")
    else:
        for page in ("login", "selfcheck"):
            p = lh.get(page, {})
            if "error" in p:
                lines.append(f"- Lighthouse {page}：失败 `{p['error'][-300:]}`")
            else:
                lines.append(f"- Lighthouse {p.get('version')}（移动端）{page} 页：性能 {p.get('performance')}，"
                             f"FCP {p.get('fcp_ms')} ms，LCP {p.get('lcp_ms')} ms，TBT {p.get('tbt_ms')} ms；"
                             f"PWA 类别{'存在' if p.get('pwa_category') else '已在 Lighthouse ≥12 中移除'}")
        inst = lh.get("installability_check", {})
        lines.append(f"- 可安装性（按 Chromium 的条件直接检查 manifest 与 service worker）：{inst}")
    if r.get("explain"):
        lines += ["", "### EXPLAIN (ANALYZE, BUFFERS)：最慢的语句", ""]
        for name, plans in r["explain"].items():
            for p in plans:
                lines += [f"<details><summary>{name}：{p['ms']} ms</summary>", "", "```sql", p["sql"].strip(), "```",
                          "", "```", p["plan"], "```", "", "</details>", ""]
    return "\n".join(lines) + "\n"


def _views(r: dict) -> list[str]:
    """The regulator views in process, as multiples of the floor measured around each (issue #16's goals)."""
    views = (r.get("views") or {}).get("views")
    if not views:
        return []
    lines = ["", "### 监管视图：相对 floor 的倍数（进程内，5 次中位数，预热一次）", "",
             f"floor = 同一客户端 `GET /api/health` 的中位数（本次 {r['views'].get('floor_median_ms')} ms）。", "",
             "| 视图 | 账号 | 中位 ms | floor ms | 倍数 | 目标 | 结果 |", "|---|---|---|---|---|---|---|"]
    for name, v in views.items():
        lines.append(f"| {name} | {v['who']} | {v['median_ms']} | {v['floor_ms']} | {v['ratio']}× | ≤ {v['goal_ratio']}× | "
                     f"{'✅ 达标' if v['met'] else '❌ 未达标'} |")
    return lines


def _tick_jobs(r: dict) -> list[str]:
    """Each daily job alone, first and second run at the same instant (`flask scheduler tick --job …`)."""
    tick = (r.get("jobs") or {}).get("tick") or {}
    jobs = tick.get("jobs")
    if not jobs:
        return []
    lines = ["", "### 每日 tick，逐个任务（同一时刻连跑两次，进程内，提交后计时）", "",
             "| 任务 | 首次 s | 再次 s | 首次结果 |", "|---|---|---|---|"]
    for name, j in sorted(jobs.items(), key=lambda kv: -(kv[1].get("first_s") or 0)):
        lines.append(f"| {name} | {j.get('first_s')} | {j.get('second_s')} | {str(j.get('first_result'))[:80]} |")
    lines.append(f"| **合计** | **{tick.get('first_s')}** | **{tick.get('second_s')}** | |")
    return lines


def _rollups(r: dict) -> list[str]:
    out = []
    for key, label in (("rollups_before_load", "负载前"), ("rollups", "负载后")):
        c = r.get(key)
        if c:
            out.append(f"- 看板汇总表核对（{label}）：不一致 {sum(c.get('different', {}).values()) if c.get('different') else 0} 行，"
                       f"汇总看板与明细看板{'相同' if c.get('dashboard_equal') else '不同'}，`flask rollups verify` {c.get('verify_s')} s。")
    return [""] + out if out else []


def prepend(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if MARK not in old:
        old = HEADER + "\n" + old
    head, tail = old.split(MARK, 1)
    path.write_text(head + MARK + "\n\n" + text + "\n" + tail.lstrip("\n"), encoding="utf-8")
