"""Generate frontend/src/api/schema.d.ts from the API's OpenAPI document (flask-smorest + openapi-typescript).

    .venv/bin/python scripts/openapi_types.py           # regenerate (commit the result)
    .venv/bin/python scripts/openapi_types.py --check   # fail when the committed file is stale (make typecheck)

The document comes from `flask openapi write`, on a throwaway instance folder and SQLite database, so no
database and no configuration of this machine is needed or touched.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
TARGET = FRONTEND / "src" / "api" / "schema.d.ts"
FLASK = ROOT / ".venv" / "bin" / "flask"
OPENAPI_TS = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
HEADER = (
    "// Generated from the API's OpenAPI document by scripts/openapi_types.py (openapi-typescript).\n"
    "// Do not edit: run `make openapi-types` after changing an endpoint or schema (docs/api.md).\n"
)


def generate(out: Path, work: Path) -> None:
    doc = work / "openapi.json"
    env = {**os.environ, "ECOCHECK_INSTANCE_PATH": str(work / "instance"),
           "DATABASE_URL": f"sqlite:///{work / 'openapi.db'}", "FLASK_DEBUG": "0"}
    flask = [str(FLASK)] if FLASK.exists() else [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "--app", "app", "openapi", "write", "--format=json", str(doc)],
                   cwd=ROOT, env=env, check=True)
    raw = work / "schema.d.ts"
    subprocess.run([str(OPENAPI_TS), str(doc), "--output", str(raw)], cwd=FRONTEND, check=True,
                   stdout=subprocess.DEVNULL)
    out.write_text(HEADER + raw.read_text(encoding="utf-8"), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openapi-types-") as tmp:
        work = Path(tmp)
        if not args.check:
            generate(TARGET, work)
            print(f"wrote {TARGET.relative_to(ROOT)}")
            return 0
        fresh = work / "fresh.d.ts"
        generate(fresh, work)
        old = TARGET.read_text(encoding="utf-8").splitlines(keepends=True) if TARGET.exists() else []
        new = fresh.read_text(encoding="utf-8").splitlines(keepends=True)
        if old == new:
            print(f"{TARGET.relative_to(ROOT)} is up to date")
            return 0
        sys.stdout.writelines(difflib.unified_diff(old, new, "committed", "generated", n=1))
        print(f"\n{TARGET.relative_to(ROOT)} is stale: run `make openapi-types` and commit it", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
