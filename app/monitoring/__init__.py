"""非现场监管 (issue #18): online monitoring data by HJ 212-2017, exceedance and over-permit warnings."""
