"""Rules of the code that a reader would otherwise have to remember, checked on the source."""

import ast
from pathlib import Path

import santuni

PACKAGE = Path(santuni.__file__).resolve().parent


# --- search: the database decides in one place ----------------------------------------------


def search_vendor_checks(search: Path) -> list[str]:
    """Each `.vendor` read (`connection.vendor`, `schema_editor.connection.vendor`...) in the
    search app outside `backends/`, where the backend is chosen once. Migrations are the
    schema's history, written per database by nature, and left as they were applied."""
    found = []
    for path in sorted(search.rglob("*.py")):
        inside = path.relative_to(search).parts
        if inside[0] in {"backends", "migrations"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "vendor":
                found.append(f"{path.relative_to(search.parent)}:{node.lineno}")
    return found


def test_search_asks_which_database_only_in_its_backends():
    assert search_vendor_checks(PACKAGE / "search") == []


def test_search_vendor_check_finds_a_vendor_test_outside_the_backends(tmp_path):
    search = tmp_path / "search"
    files = {
        "ranking.py": "from django.db import connection\nSQL = connection.vendor == 'sqlite'\n",
        "tests/test_x.py": "def f(c):\n    return c.connection.vendor\n",
        "backends/__init__.py": "from django.db import connection\nV = connection.vendor\n",
        "migrations/0001_x.py": "def f(schema_editor):\n    schema_editor.connection.vendor\n",
    }
    for name, text in files.items():
        (search / name).parent.mkdir(parents=True, exist_ok=True)
        (search / name).write_text(text)
    assert search_vendor_checks(search) == ["search/ranking.py:2", "search/tests/test_x.py:2"]
