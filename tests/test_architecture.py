"""The layout's rules, read from the source with `ast` (README "Architecture"): no import circles
between modules, and every stage folder imports only the folders it may (nothing above its own
stage, nothing beside it). Every import counts: module level, inside functions, and under
TYPE_CHECKING (an annotation-only circle still ties two modules together for a reader)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cleaners", "scraper", "spiders")

# stage -> the stages it may import (besides itself). "scraper" is the package's own root
# modules (scraper/__init__.py, scraper/errors.py), which every stage may use.
ALLOWED: dict[str, set[str]] = {
    "cleaners": set(),
    "scraper": set(),
    "scraper.crawl": {"cleaners", "scraper"},
    "scraper.offline": {"cleaners", "scraper"},
    "scraper.export": {"cleaners", "scraper"},
    "scraper.evaluation": {"cleaners", "scraper"},
    "scraper.replica": {"cleaners", "scraper"},
    "scraper.report": {"cleaners", "scraper"},
    "spiders": {"cleaners", "scraper", "scraper.crawl"},
    "scraper.distributed": {"cleaners", "scraper", "scraper.crawl", "spiders"},
    "scraper.integrations": {"cleaners", "scraper", "scraper.crawl"},
    "scraper.cli": {
        "cleaners", "scraper", "scraper.crawl", "scraper.offline", "scraper.export",
        "scraper.evaluation", "scraper.replica", "spiders", "scraper.distributed", "scraper.report",
    },
}  # fmt: skip


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))}


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports, resolved to module names (a `from package import
    module` names the module; `from module import name` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {module for module in found if module in known and module != name}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = source_modules(root)
    return {name: imported_modules(path, name, set(modules)) for name, path in modules.items()}


def stage_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "scraper":
        return parts[0]
    if len(parts) > 2 or (len(parts) == 2 and f"scraper.{parts[1]}" in ALLOWED):
        return f"scraper.{parts[1]}"
    return "scraper"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        stage = stage_of(module)
        assert stage in ALLOWED, f"{module}: stage {stage} is not in the layout (add it to ALLOWED)"
        for target in sorted(targets):
            other = stage_of(target)
            if other != stage and other not in ALLOWED[stage]:
                problems.append(f"{module} imports {target} ({stage} may not import {other})")
    return problems


def test_there_are_no_import_circles() -> None:
    assert cycles(import_graph()) == []


def test_no_stage_imports_above_or_beside_itself() -> None:
    assert forbidden_imports(import_graph()) == []


def test_the_checks_catch_a_circle_and_an_upward_import(tmp_path: Path) -> None:
    # The same checks on a small tree that breaks both rules: they must fail on it.
    files = {
        "cleaners/__init__.py": "",
        "cleaners/a.py": "from cleaners import b\n",
        "cleaners/b.py": "def f():\n    from cleaners.a import x\n",
        "cleaners/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scraper.crawl.run import y\n",
        "scraper/__init__.py": "",
        "scraper/crawl/__init__.py": "",
        "scraper/crawl/run.py": "from ..export import writer\n",
        "scraper/export/__init__.py": "",
        "scraper/export/writer.py": "",
        "spiders/__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path)
    assert cycles(graph) == [["cleaners.a", "cleaners.b"]]
    assert forbidden_imports(graph) == [
        "cleaners.c imports scraper.crawl.run (cleaners may not import scraper.crawl)",
        "scraper.crawl.run imports scraper.export.writer (scraper.crawl may not import scraper.export)",
    ]


@pytest.mark.parametrize("package", ["cleaners"])
def test_the_cleaning_library_imports_without_the_runtime(package: str) -> None:
    # `cleaners` alone: importing it must not pull in Scrapy, the CLI or anything of `scraper`.
    import subprocess
    import sys

    code = (
        f"import sys, {package}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scraper', 'spiders', 'scrapy', 'typer'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_command_module_imports_another() -> None:
    # scraper/cli: one module per command; what commands share lives in options.py and running.py.
    shared = {
        "scraper.cli",
        "scraper.cli.app",
        "scraper.cli.__main__",
        "scraper.cli.options",
        "scraper.cli.running",
    }
    graph = import_graph()
    commands = {m for m in graph if m.startswith("scraper.cli.") and m not in shared}
    assert len(commands) >= 8, commands
    assert {m: sorted(graph[m] & commands) for m in commands if graph[m] & commands} == {}


def readme_architecture() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Architecture")
    return text[start : text.index("\n## ", start + 5)]


def test_the_readme_architecture_names_every_folder_and_module() -> None:
    # The folder map is how a newcomer finds a module: a module or folder added without a line
    # there fails here. A portal's spider is the one exception (named by its rules file).
    section = readme_architecture()
    portals = {p.stem for p in (ROOT / "cleaners" / "portals").glob("*.toml")}
    missing = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if "__pycache__" in path.parts:
                continue
            if path.is_dir() and path.parent.name != "portals":
                if f"{path.name}/" not in section:
                    missing.append(str(path.relative_to(ROOT)) + "/")
            elif path.suffix == ".py" and path.stem not in ("__init__", "__main__"):
                if package == "spiders" and path.stem in portals:
                    continue
                if not re.search(rf"\b{re.escape(path.stem)}\b", section):
                    missing.append(str(path.relative_to(ROOT)))
    assert missing == []
