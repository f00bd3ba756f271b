"""docs/reliability.md: each run rewrites its own section, between markers, and the rest of
the document stays as written."""

import os
import platform
import re
import subprocess
import time
from pathlib import Path

from .harness import PROJECT

DOCUMENT = PROJECT / "docs" / "reliability.md"


def machine() -> str:
    """Where and when the figures were measured, for the reader to weigh them."""
    git = ["git", "rev-parse", "--short", "HEAD"]
    # git from the PATH, fixed arguments.
    commit = subprocess.run(git, cwd=PROJECT, capture_output=True, text=True)  # noqa: S603, S607
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    python = platform.python_version()
    cores = len(os.sched_getaffinity(0))
    return (
        f"Measured {when} at commit {commit.stdout.strip() or '?'}, {cores} cores, Python {python}."
    )


def update(section: str, text: str, document: Path = DOCUMENT) -> None:
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    body = document.read_text(encoding="utf-8")
    if start not in body:
        raise SystemExit(f"{document} has no {start} marker")
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    replaced = pattern.sub(lambda _: f"{start}\n{text.strip()}\n{end}", body)
    document.write_text(replaced, encoding="utf-8")


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
