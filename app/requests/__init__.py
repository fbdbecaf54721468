"""企业诉求 (Heilongjiang measure 14): requests and complaints handled within time limits, followed up and rated."""
