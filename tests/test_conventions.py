"""House rules that code review forgets: checked on every run.

- Views and API code never query a brand-scoped model directly (``X.objects.get/filter``):
  they go through the access layer (``get_queryset()``/``for_user``) or a selector.
- Imports flow one way: socialhub ← listening ← campaigns ← influencers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from socialhub.models import BrandOwned

ROOT = Path(__file__).resolve().parent.parent
APPS_IN_ORDER = ["socialhub", "listening", "campaigns", "influencers"]


def brand_owned_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, BrandOwned)}


def view_and_api_files() -> list[Path]:
    files = []
    for app in APPS_IN_ORDER:
        # Nested apps too (listening.inbox, listening.alerts, ...).
        files += sorted((ROOT / app).rglob("views.py"))
        files += sorted(f for f in (ROOT / app).rglob("*.py") if f.parent.name == "api")
    return [f for f in files if f.exists()]


def unscoped_queries(source: str, models: set[str]) -> list[str]:
    pattern = re.compile(rf"\b({'|'.join(sorted(models))})\.objects\.(get|filter|exclude)\(")
    return [m.group(0) for m in pattern.finditer(source)]


def test_the_rule_catches_an_unscoped_query():
    assert unscoped_queries("x = BrandMembership.objects.filter(brand=b)", {"BrandMembership"})
    assert not unscoped_queries("x = self.get_queryset().filter(brand=b)", {"BrandMembership"})


@pytest.mark.parametrize("path", view_and_api_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_api_do_not_query_brand_scoped_models_directly(path):
    found = unscoped_queries(path.read_text(), brand_owned_model_names())
    assert not found, f"{path.name}: use get_queryset(), .for_user() or a selector: {found}"


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(APPS_IN_ORDER)


@pytest.mark.parametrize("app", APPS_IN_ORDER)
def test_imports_flow_one_way(app):
    higher = set(APPS_IN_ORDER[APPS_IN_ORDER.index(app) + 1 :])
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & higher)
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & higher
    }
    assert not offenders, f"{app} must not import from a higher app: {offenders}"
