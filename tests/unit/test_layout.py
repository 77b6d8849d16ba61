"""Dependency direction: only app/engine imports SpiffWorkflow; forms/ imports only WTForms."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_only_the_engine_package_imports_spiffworkflow() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "forms", "migrations")
        for path in python_files(folder)
        if "engine" not in path.relative_to(ROOT).parts
        and any(
            m.split(".")[0] in ("SpiffWorkflow", "RestrictedPython") for m in imported_modules(path)
        )
    ]
    assert offenders == []


def test_forms_import_nothing_but_wtforms() -> None:
    allowed = {"wtforms", "__future__", "datetime", "decimal", "re", "collections", "typing"}
    for path in python_files("forms"):
        roots = {m.split(".")[0] for m in imported_modules(path)}
        assert roots <= allowed, f"{path.name} imports {roots - allowed}"


def test_models_never_import_services_or_engine() -> None:
    for path in python_files("app/models"):
        assert not {
            m for m in imported_modules(path) if m.startswith(("app.services", "app.engine"))
        }, path.name
