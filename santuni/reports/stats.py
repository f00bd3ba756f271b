"""Operational figures for the dashboards: cases, referrals, CBOs, listings, coverage."""
