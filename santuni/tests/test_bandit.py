"""The security linter (bandit, configured in pyproject.toml) finds nothing of medium severity
or above in Santuni's code: a new finding is fixed, or marked `# nosec <id>` with the reason."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_of_medium_severity_or_above():
    command = [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", "santuni"]
    command += ["--severity-level", "medium", "--format", "json", "--quiet"]
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr  # bandit ran and wrote its report
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]  # every file was read
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 5000  # the whole package, not an empty folder
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} ({r['issue_severity']}): "
        f"{r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in {"MEDIUM", "HIGH"}
    ]
    assert not findings, "bandit:\n" + "\n".join(findings)
    assert done.returncode == 0, done.stderr
