"""`flask bench …` before app/cli.py registers the group: python bench/flask_bench.py seed --enterprises 500."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.cli import FlaskGroup  # noqa: E402

from app import create_app  # noqa: E402
from app.bench.cli import bench_cli  # noqa: E402

if __name__ == "__main__":
    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False, load_dotenv=False)
    cli.add_command(bench_cli)
    cli.main(args=["bench", *sys.argv[1:]], prog_name="flask")
