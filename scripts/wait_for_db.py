"""Check that the test PostgreSQL answers; under CI=true a missing database fails the run."""
import sys
import time

import sqlalchemy

url = sys.argv[1]
deadline = time.monotonic() + 20
while True:
    try:
        with sqlalchemy.create_engine(url).connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
        break
    except Exception as exc:  # any connection failure: retry until the deadline
        if time.monotonic() > deadline:
            print(f"PostgreSQL 不可用：{exc}", file=sys.stderr)
            sys.exit(1)
        time.sleep(1)
print("PostgreSQL ok")
