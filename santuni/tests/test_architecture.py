"""The layer order of docs/architecture.md, checked on every module of the package.

Each module under santuni/ (tests and migrations aside) is read with `ast`, imports inside
functions included: an app imports only from itself and from apps to its left, never from an
app to its right or from a sibling in the same layer, and no modules import each other in a
circle. A model may still point at another app's model by its string label.
"""

import ast
from collections import defaultdict
from pathlib import Path

import santuni

PACKAGE = Path(santuni.__file__).resolve().parent
# Lowest first; the apps of one layer are siblings and do not import each other.
LAYERS: list[set[str]] = [
    {"lib"},
    {"geo"},
    {"audit"},
    {"search"},
    {"directory"},
    {"accounts"},
    {"notify"},
    {"listings", "aid", "cases", "training", "api"},
    {"reports"},
    {"pages", "demo"},
]
LAYER_OF = {app: number for number, layer in enumerate(LAYERS) for app in layer}
# The project's own modules (settings, the URL configuration, the WSGI entry point) stand
# above every app: they may import any app, and no app imports them.
PROJECT_MODULES = {"settings", "urls", "wsgi", "conftest"}


def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package by dotted name: its file and whether it is a package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if {"tests", "migrations"} & set(parts):
            continue
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports(name: str, path: Path, is_package: bool) -> list[tuple[str, int]]:
    """The dotted names a module imports, with their line numbers; relative imports
    resolved."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # An imported name is a module, or something in one (`import_graph` tells which).
            found += [(f"{source}.{alias.name}", node.lineno) for alias in node.names]
    return found


def app_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "santuni" and len(parts) > 1 else None


def import_graph() -> dict[str, dict[str, list[int]]]:
    """Module -> the package's modules it imports -> line numbers."""
    known = modules()
    graph: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for name, (path, is_package) in known.items():
        for target, line in imports(name, path, is_package):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name][target].append(line)
    return graph


def violations() -> list[str]:
    found = []
    for source, targets in import_graph().items():
        mine = app_of(source)
        for target, lines in targets.items():
            theirs = app_of(target)
            where = f"{source} imports {target} (line {lines[0]})"
            if theirs is None or theirs == mine or mine in PROJECT_MODULES:
                continue
            if theirs in PROJECT_MODULES:
                found.append(f"{where}: no app imports the project's own modules")
            elif mine not in LAYER_OF or theirs not in LAYER_OF:
                found.append(f"{where}: an app missing from LAYERS and docs/architecture.md")
            elif LAYER_OF[theirs] == LAYER_OF[mine]:
                found.append(f"{where}: {mine} and {theirs} are siblings")
            elif LAYER_OF[theirs] > LAYER_OF[mine]:
                found.append(f"{where}: {theirs} stands above {mine}")
    return sorted(found)


def cycles() -> list[list[str]]:
    """Groups of modules that import each other in a circle (strongly connected, Tarjan)."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(modules()):
        if node not in index:
            visit(node)
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} - {"tests"}
    assert apps <= set(LAYER_OF), f"apps without a layer: {sorted(apps - set(LAYER_OF))}"


def test_imports_go_down_the_layers_only():
    assert violations() == []


def test_no_modules_import_each_other_in_a_circle():
    assert cycles() == []


def test_the_checks_see_an_upward_import_a_sibling_import_and_a_cycle(tmp_path, monkeypatch):
    """The rules above on a made-up package: each kind of fault is found."""
    package = tmp_path / "santuni"
    files = {
        "lib/__init__.py": "",
        "lib/text.py": "from santuni.geo import models\n",  # upward
        "geo/__init__.py": "",
        "geo/models.py": "",
        "cases/__init__.py": "",
        "cases/a.py": "def f():\n    from santuni.aid import b\n",  # sibling, in a function
        "aid/__init__.py": "",
        "aid/b.py": "from . import c\n",
        "aid/c.py": "from .b import thing\n",  # a circle with b
        "cases/tests/test_x.py": "from santuni.reports import anything\n",  # tests may
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    assert violations() == [
        "santuni.cases.a imports santuni.aid.b (line 2): cases and aid are siblings",
        "santuni.lib.text imports santuni.geo.models (line 1): geo stands above lib",
    ]
    assert cycles() == [["santuni.aid.b", "santuni.aid.c"]]
