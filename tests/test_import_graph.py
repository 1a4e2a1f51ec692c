"""The import graph of `apps/`: no module imports itself round a circle, and nothing below the panel's shell
imports it (DESIGN 3, STYLE "Dependency direction").

Every import counts, the ones inside functions too: a circle hidden in a function is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parent.parent / "apps"


def module_name(path: Path) -> str:
    parts = path.relative_to(APPS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {
        module_name(path): path for path in APPS.rglob("*.py") if "migrations" not in path.relative_to(APPS).parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                candidates = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            edges.update(candidate for candidate in candidates if candidate in modules)
        edges.discard(name)
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_apps_imports_itself_round_a_circle():
    assert circles(import_graph()) == []


def test_services_of_accounts_and_assets_and_the_job_chain_go_one_way():
    graph = import_graph()
    assert "apps.accounts.services" not in graph["apps.assets.services"]
    assert "apps.provisioning.jobs" not in graph["apps.provisioning.runner"]
    assert "apps.provisioning.tasks" not in graph["apps.provisioning.runner"]


def test_only_views_and_the_shell_import_the_panel_shell():
    """`apps.panel` is the top floor: domain apps reach it only from their panel views (never from models,
    services, selectors, API or admin), and `apps.resellers` below it holds no shell code."""
    graph = import_graph()
    for name, edges in graph.items():
        shell = {edge for edge in edges if edge == "apps.panel" or edge.startswith("apps.panel.")}
        if shell and not name.startswith("apps.panel"):
            assert name.endswith(".views") or ".views." in name, f"{name} imports the panel shell: {shell}"
    assert not any(name.startswith("apps.resellers.management.commands.seed_demo") for name in graph)
