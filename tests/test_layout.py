"""The house keeps its plan: permissions are answered by the access modules, the
pure rules import no models, and `partnerships` never imports `assessments`."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "common",
    "partnerships",
    "assessments",
    "notifications",
    "identity",
    "coordination",
    "ops",
    "config",
)
ROLE_TEST = re.compile(r"\b(is_ict_manager|is_executive|is_staff)\b")


def python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # resolve relative imports against the file's package
                package = path.relative_to(ROOT).parent.parts
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            names.add(module)
    return names


def test_no_view_or_template_tests_a_role_itself():
    offenders = []
    views = [p for p in python_files() if "views" in p.parts or p.stem.startswith("views")]
    for path in views + list((ROOT / "templates").rglob("*.html")):
        if ROLE_TEST.search(path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_roles_are_tested_only_in_the_access_modules_and_the_admin_columns():
    allowed = {"access.py", "admin.py", "demo.py"}  # admin list columns, demo staff user
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files()
        if path.name not in allowed and ROLE_TEST.search(path.read_text())
    ]
    assert offenders == []


def test_scoring_and_gap_rules_import_no_models():
    for name in ("scoring.py", "gaps.py"):
        imported = imports_of(ROOT / "assessments" / "reporting" / name)
        assert not any(module.endswith("models") for module in imported), (name, imported)
        assert "django.db" not in imported


def test_partnerships_never_imports_assessments():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "partnerships").rglob("*.py")
        if any(m.startswith("assessments") for m in imports_of(path))
    ]
    assert offenders == []


def test_identity_builds_on_partnerships_never_on_assessments():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "identity").rglob("*.py")
        if any(m.startswith("assessments") for m in imports_of(path))
    ]
    assert offenders == []
