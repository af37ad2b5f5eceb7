"""The open data and the records core never import the site or its MkDocs adapter.

Permalinks and exports are the open-data contract: a reuser of the data, or a port of the
site to another generator, must be able to take them without the site. The scan follows
imports inside ``yishi`` transitively, so a helper that drags the site in is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import yishi

PACKAGE_ROOT = Path(yishi.__file__).parent
FORBIDDEN = ("yishi.site", "yishi.mkdocs_plugin")

# Modules that must stay independent of the site: the exports and the records core.
INDEPENDENT = (
    "yishi.exports",
    "yishi.permalinks",
    "yishi.records",
    "yishi.lifecycle",
    "yishi.loading",
    "yishi.checks",
    "yishi.metrics",
    "yishi.operations",
    "yishi.integrity.ledger",
    "yishi.integrity.publication",
    "yishi.integrity.rewrites",
    "yishi.integrity.ancestry",
)


def module_path(name: str) -> Path | None:
    """The source file of module ``name`` inside the package, or None if it is elsewhere."""
    relative = Path(*name.split(".")[1:])
    for candidate in (PACKAGE_ROOT / relative / "__init__.py", PACKAGE_ROOT / f"{relative}.py"):
        if candidate.is_file():
            return candidate
    return None


def package_of(name: str, path: Path) -> str:
    """The package a relative import in module ``name`` resolves against."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imported_names(name: str, path: Path) -> set[str]:
    """Every absolute module name that module ``name`` imports, submodules included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package_of(name, path).split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(prefix: str) -> list[str]:
    """Module ``prefix`` and, if it is a package, every module inside it."""
    path = module_path(prefix)
    assert path is not None, f"{prefix} is not a module of the package"
    if path.name != "__init__.py":
        return [prefix]
    return sorted(
        ".".join([prefix, *source.relative_to(path.parent).with_suffix("").parts]).removesuffix(
            ".__init__"
        )
        for source in path.parent.rglob("*.py")
    )


def forbidden_chain(start: str) -> list[str] | None:
    """A chain of imports from ``start`` to the site or its adapter, or None if there is none."""
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        path = module_path(current)
        if path is None:
            continue
        for imported in sorted(imported_names(current, path)):
            if not imported.startswith("yishi") or imported in parents:
                continue
            parents[imported] = current
            if imported.startswith(FORBIDDEN):
                chain = [imported]
                while (step := parents[chain[-1]]) is not None:
                    chain.append(step)
                return chain[::-1]
            queue.append(imported)
    return None


@pytest.mark.parametrize("module", [m for prefix in INDEPENDENT for m in modules_under(prefix)])
def test_module_does_not_import_the_site(module: str) -> None:
    chain = forbidden_chain(module)
    assert chain is None, " -> ".join(chain or [])


def test_the_scan_follows_relative_imports_to_the_site() -> None:
    # The desk renders markdown with the site's helper: a relative import the scan must see.
    assert forbidden_chain("yishi.desk.pages") == ["yishi.desk.pages", "yishi.site.markup"]
