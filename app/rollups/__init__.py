"""Dashboard rollups: counts by (region, industry, day) kept in the transaction that changes them.

See `specs.py` for what each table holds and `maintain.py` for how it stays exact.
"""
