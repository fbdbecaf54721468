"""Evidence: uploaded photos and documents, verified and hashed at receipt, usable by every feature.

Below selfcheck, remediation, reports and supervision in the package order (docs/architecture.md).
"""
