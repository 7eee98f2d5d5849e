"""The layout is the flow of an article: each stage imports only the stages before it (pyproject.toml's
import-linter contracts), and every package says in its docstring what it does and what it may import."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = sorted(p.parent for top in ("mappings", "server") for p in (ROOT / top).rglob("__init__.py"))


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_imports_follow_the_flow() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


# (module, an import it must not make): a later stage, a sibling the contract keeps independent, the layer above
AGAINST_THE_FLOW = [
    ("mappings/reading/text.py", "import mappings.publishing.dumps"),
    ("mappings/extraction/dates.py", "from mappings.linking import iris"),
    ("mappings/build/parallel.py", "import mappings.cli.commands"),
    ("mappings/publishing/sparql_http.py", "import server.data.remote"),
    ("server/pages/paging.py", "import server.queries.precheck"),
    ("server/http/errors.py", "import server.data.store"),
    ("server/data/per_build.py", "from server.routes import deps"),
]


@pytest.mark.parametrize(("module", "bad_import"), AGAINST_THE_FLOW)
def test_an_import_against_the_flow_is_caught(tmp_path: Path, module: str, bad_import: str) -> None:
    for name in ("mappings", "server", "ontology"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{bad_import}  # against the flow\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    importer = module.removesuffix(".py").replace("/", ".")
    assert importer in done.stdout and "BROKEN" in done.stdout, done.stdout


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_says_its_job(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    assert docstring and len(docstring) > 60, f"{package}/__init__.py opens with no docstring"
    if package.parent.name in ("mappings", "server"):
        assert "May import" in docstring, f"{package}/__init__.py does not say which stages it may import"
