#!/usr/bin/env python
"""Django's command-line utility for Santuni."""

import os
import sys
from pathlib import Path

# The local secret key that `make run` makes once (var/secret_key in this checkout): read here
# too, so that `manage.py` commands work on the same database without passing it. Only when
# neither SECRET_KEY nor DEBUG is set; a server elsewhere sets SECRET_KEY and never has the file.
LOCAL_SECRET_KEY = Path(__file__).resolve().parent / "var" / "secret_key"


def use_local_secret_key(environ=os.environ, path: Path = LOCAL_SECRET_KEY) -> None:
    debug = environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    if environ.get("SECRET_KEY") or debug:
        return
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        return
    if key:
        environ["SECRET_KEY"] = key


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    use_local_secret_key()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
