"""The scheduler: the one list of periodic jobs (jobs.py), the lease that lets one process act, catch-up
and `flask scheduler run|tick|jobs` (runner.py). Top of the package order: it may import every feature,
no feature imports it."""
