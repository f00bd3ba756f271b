"""Reliability runs: `make loadtest` and `make faulttest` drive a real gunicorn on
SQLite and PostgreSQL and write their figures into docs/reliability.md."""
