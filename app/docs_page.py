"""A small API documentation page at /api/docs, read from the served OpenAPI document."""
from flask import Flask, Response

DOCS_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>EcoCheck API 文档</title><link rel="stylesheet" href="/api/docs.css"></head><body>
<h1>EcoCheck 环保自查 API</h1><p>OpenAPI 文档：<a href="/api/openapi.json">/api/openapi.json</a></p>
<div id="ops">加载中…</div><script src="/api/docs.js"></script></body></html>"""

DOCS_JS = """fetch('/api/openapi.json').then(r => r.json()).then(spec => {
  const el = document.getElementById('ops'); el.textContent = '';
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    if (typeof op !== 'object' || !op.responses) continue;
    const d = document.createElement('details'); const s = document.createElement('summary');
    s.textContent = method.toUpperCase() + ' ' + path + (op.summary ? ' — ' + op.summary : '');
    const pre = document.createElement('pre'); pre.textContent = JSON.stringify(op, null, 2);
    d.append(s, pre); el.append(d);
  }
});"""

DOCS_CSS = "body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em}summary{cursor:pointer;" \
           "padding:.3em;font-family:monospace}pre{background:#f5f5f5;padding:.5em;overflow:auto}"


def init_docs_page(app: Flask) -> None:
    app.add_url_rule("/api/docs", "api_docs", lambda: Response(DOCS_PAGE, mimetype="text/html"))
    app.add_url_rule("/api/docs.js", "api_docs_js", lambda: Response(DOCS_JS, mimetype="text/javascript"))
    app.add_url_rule("/api/docs.css", "api_docs_css", lambda: Response(DOCS_CSS, mimetype="text/css"))
