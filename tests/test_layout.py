"""The layout rules of docs/architecture.md, checked on the source tree.

Every import counts, also one inside a function: a cycle hidden in a function is still a cycle.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cvm_portal", "campaigns", "training", "channels")
# Which app may import which (campaigns <- training <- channels; cvm_portal is shared by all).
ALLOWED = {
    "cvm_portal": set(APPS),  # settings, URLs, the Celery app and the home page see every app
    "campaigns": {"campaigns", "cvm_portal"},
    "training": {"training", "campaigns", "cvm_portal"},
    "channels": {"channels", "training", "campaigns", "cvm_portal"},
}
MAX_LINES = 550  # "about 500": split by concept beyond that


def application_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = application_modules()


def imports_of(name: str, path: Path) -> set[str]:
    """The application modules ``name`` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def test_apps_import_only_in_the_allowed_direction():
    wrong = [
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    ]
    assert wrong == []


def _is_package_init(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def test_no_two_modules_import_each_other():
    pairs = sorted(
        f"{a} <-> {b}"
        for a, targets in GRAPH.items()
        for b in targets
        if a < b and a in GRAPH.get(b, ()) and not (_is_package_init(a) or _is_package_init(b))
    )
    assert pairs == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_of_application_code_is_over_about_500_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by concept"
