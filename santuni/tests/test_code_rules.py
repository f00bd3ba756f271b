"""Rules of STYLE.md checked on the source: no import renames one of the project's own
modules or names, no code or packaging speaks of the tracker's issue numbers, and search asks
which database it runs on only in its backends.

An alias hides where a name comes from (`from . import serialize as out`, then `out.x` far
below); an issue number means nothing to someone reading the code later. Both are read from
the files themselves, tests included.
"""

import ast
import re
from pathlib import Path

import santuni

ROOT = Path(santuni.__file__).resolve().parent.parent
PACKAGE = ROOT / "santuni"
# Where the project's Python lives; each is also the first part of its modules' names.
OWN_PACKAGES = ("santuni", "tools")
# Third-party code kept in the tree as it was published.
VENDORED = ("vendor",)
# Files outside the packages that the wording rule reads too.
PACKAGING = ("pyproject.toml", "Makefile")
# `_` stays the name of a translation function (`gettext as _`, the Django convention).
GETTEXT = re.compile(r"[a-z]*gettext(?:_lazy|_noop)?")
# The tracker's numbers in prose: "issue" or "issues", any case, then a number after spaces,
# a "#" or a "-".
ISSUE_NUMBER = re.compile(r"\bissues?[\s#-]*\d+", re.IGNORECASE)


def python_files(root: Path = ROOT) -> list[Path]:
    found = []
    for package in OWN_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if not set(VENDORED) & set(path.relative_to(root).parts):
                found.append(path)
    return found


def text_files(root: Path = ROOT) -> list[Path]:
    """Every file of the packages that is text (code, templates, docs, data), and packaging."""
    found = [root / name for name in PACKAGING if (root / name).is_file()]
    for package in OWN_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            parts = set(path.relative_to(root).parts)
            if not path.is_file() or parts & {*VENDORED, "__pycache__"}:
                continue
            try:
                path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # compiled catalogues, images
            found.append(path)
    return found


def _own(module: str | None, level: int) -> bool:
    """Whether an import's source is one of the project's modules (a relative import is)."""
    return level > 0 or (module or "").split(".")[0] in OWN_PACKAGES


def renaming_aliases(path: Path, root: Path = ROOT) -> list[str]:
    """`import`s of the project's modules, or of names from them, under another name.

    Allowed: `import santuni.x.y as y` and `from m import x as x` (no new name), and a
    gettext-style function imported as `_`.
    """
    found = []
    where = path.relative_to(root)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            renamed = [
                alias
                for alias in node.names
                if _own(alias.name, 0) and alias.asname not in (None, alias.name.rsplit(".", 1)[-1])
            ]
            source = ""
        elif isinstance(node, ast.ImportFrom) and _own(node.module, node.level):
            renamed = [
                alias
                for alias in node.names
                if alias.asname not in (None, alias.name)
                and not (alias.asname == "_" and GETTEXT.fullmatch(alias.name))
            ]
            source = f"from {'.' * node.level}{node.module or ''} "
        else:
            continue
        found += [
            f"{where}:{node.lineno}: {source}import {alias.name} as {alias.asname}"
            for alias in renamed
        ]
    return found


def issue_numbers(path: Path, root: Path = ROOT) -> list[str]:
    where = path.relative_to(root)
    return [
        f"{where}:{number}: {match.group(0)!r}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in ISSUE_NUMBER.finditer(line)
    ]


def test_no_import_renames_a_santuni_module_or_name():
    found = [problem for path in python_files() for problem in renaming_aliases(path)]
    assert found == [], "import it by its own name:\n" + "\n".join(found)


def test_no_issue_numbers_in_code_tests_or_packaging():
    found = [problem for path in text_files() for problem in issue_numbers(path)]
    assert found == [], "say what the code does, not which issue asked for it:\n" + "\n".join(found)


def test_the_code_rules_see_a_renaming_alias_and_an_issue_number(tmp_path):
    """The two rules on a made-up tree: each fault is found, and what is allowed is not."""
    issue = "iss" + "ue"  # written apart, so that this file passes its own rule
    files = {
        "santuni/api/api.py": (
            "from . import serialize as out\n"  # a relative import renamed
            "from santuni.directory import models as m\n"  # a module renamed
            "import santuni.search.text as text\n"  # its own name: allowed
            "import santuni.search.text as search_text\n"  # a dotted import renamed
            "from santuni.cases.models import Client as Person\n"  # a class renamed
            "from santuni.lib import i18n\n"
            "from django.utils.translation import gettext_lazy as _\n"  # third party
            "from santuni.lib.i18n import gettext as _\n"  # the gettext convention
            "from santuni.lib.i18n import in_language as _\n"  # `_` for something else
            "import segno as qr\n"  # third party
            "from django.db import models as dj\n"  # third party
        ),
        "tools/bench.py": "from .benchdata import write as write_data\n",
        "santuni/tests/vendor/lib.py": "from . import core as c\n",  # vendored: as published
        "santuni/conftest.py": f"# Property tests ({issue} 9): repeatable\n",
        "santuni/cases/templates/cases/a.html": f"<!-- {issue.title()} #12 -->\n",
        "santuni/api/tests/test_x.py": f'"""Done in {issue}s 9 and 10; issued 3 times."""\n',
        "tools/reliability/notes.md": "An issue with 200 people at once.\n",  # no number
        "santuni/static/logo.png": b"\x89PNG\r\n\x1a\n\xff",
        "pyproject.toml": f"# Reliability ({issue}-9 follow-up)\n",
        "Makefile": f"# See {issue} 21.\n",
    }
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    aliases = [p for path in python_files(tmp_path) for p in renaming_aliases(path, tmp_path)]
    assert aliases == [
        "santuni/api/api.py:1: from . import serialize as out",
        "santuni/api/api.py:2: from santuni.directory import models as m",
        "santuni/api/api.py:4: import santuni.search.text as search_text",
        "santuni/api/api.py:5: from santuni.cases.models import Client as Person",
        "santuni/api/api.py:9: from santuni.lib.i18n import in_language as _",
        "tools/bench.py:1: from .benchdata import write as write_data",
    ]
    numbers = [p for path in text_files(tmp_path) for p in issue_numbers(path, tmp_path)]
    assert numbers == [
        f"pyproject.toml:1: '{issue}-9'",
        f"Makefile:1: '{issue} 21'",
        f"santuni/api/tests/test_x.py:1: '{issue}s 9'",
        f"santuni/cases/templates/cases/a.html:1: '{issue.title()} #12'",
        f"santuni/conftest.py:1: '{issue} 9'",
    ]


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
