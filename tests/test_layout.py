"""The package's shape: no import circles, platform modules import no feature, features form a
layered graph (docs/ARCHITECTURE.md, "The map").

Every `import` and `from ... import` in the package's own files counts, including those inside
functions: an import moved into a function to dodge a circle is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grihaseva"

PLATFORM = {
    "db", "sqlfiles", "migrate", "events", "sse", "mail", "web", "config", "clock",
    "ratelimit", "money", "plaintext", "access_log", "audit", "markup", "i18n", "refusal", "wakeup", "grip",
}
# Modules that put the features together; they may import anything, nothing imports them
# except each other (cli starts the app; asgi is the app as hypercorn's workers load it).
COMPOSITION = {"app", "asgi", "cli", "housekeeping", "__init__"}
FEATURES = {"auth", "reviews", "booking", "provider", "blog", "chatbot", "admin", "pages", "demo", "support"}

# What each feature may import besides the platform (the map in docs/ARCHITECTURE.md).
ALLOWED = {
    "auth": set(),
    "reviews": {"auth"},
    "booking": {"auth", "reviews"},
    "provider": {"auth", "booking"},
    "blog": {"auth"},
    "chatbot": {"auth", "booking", "reviews", "demo", "support"},  # demo: the evaluation's catalogue
    "support": {"auth"},  # opened by the chatbot, answered from its own /admin/support views
    "admin": {"auth", "booking", "reviews", "chatbot", "blog"},
    "pages": {"auth"},
    "demo": {"auth", "booking", "blog"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that `name` imports, resolved to module names."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from pkg import sub` imports the submodule (and runs pkg/__init__, which is not
            # a dependency worth a circle); `from mod import name` imports mod
            subs = [f"{stem}.{alias.name}" for alias in node.names if f"{stem}.{alias.name}" in known]
            targets = subs if len(subs) == len(node.names) else [stem] + subs
        for target in targets:
            # the longest known module that the target names (a name imported from a module
            # is the module itself)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("grihaseva"):
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) - {"grihaseva"} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {node: WHITE for node in graph}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt, BLACK) == GREY:
                return stack[stack.index(nxt):] + [nxt]
            if colour.get(nxt) == WHITE and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE and (cycle := visit(node)):
            return cycle
    return None


def top(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_find_cycle_finds_a_circle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_imports_are_resolved_relative_and_absolute():
    graph = import_graph()
    assert "grihaseva.db" in graph["grihaseva.events"]  # from .db import Database
    assert "grihaseva.booking.slots" in graph["grihaseva.booking.domain"]  # from . import slots
    # `from . import domain, slots` in a package's module imports those modules, not the package
    assert {"grihaseva.booking.domain", "grihaseva.booking.slots"} <= graph["grihaseva.booking.views"]
    assert "grihaseva.booking" not in graph["grihaseva.booking.views"]


def test_no_module_imports_itself_in_a_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_no_circle_between_features():
    graph: dict[str, set[str]] = {}
    for name, targets in import_graph().items():
        graph.setdefault(top(name), set()).update(top(t) for t in targets if top(t) != top(name))
    cycle = find_cycle(graph)
    assert cycle is None, "features import each other: " + " -> ".join(cycle)


def test_every_top_level_module_is_platform_or_composition_and_every_folder_a_feature():
    loose = {p.stem for p in PACKAGE.glob("*.py")} - PLATFORM - COMPOSITION
    assert not loose, f"feature modules at the top of the package: {sorted(loose)}"
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == FEATURES


@pytest.mark.parametrize("module", sorted(PLATFORM))
def test_platform_modules_import_no_feature(module):
    graph = import_graph()
    bad = {t for t in graph[f"grihaseva.{module}"] if top(t) not in PLATFORM}
    assert not bad, f"platform module {module} imports {sorted(bad)}"


def test_features_import_only_what_the_map_allows():
    wrong = []
    for name, targets in import_graph().items():
        feature = top(name)
        if feature not in FEATURES:
            continue
        for target in targets:
            other = top(target)
            if other in PLATFORM or other == feature:
                continue
            if other not in ALLOWED[feature]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, "imports the map in docs/ARCHITECTURE.md does not allow:\n" + "\n".join(sorted(wrong))
