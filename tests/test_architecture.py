"""The tree keeps its shape: layers never import upward, and the migrations match the models."""
import re
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models.base import db as _db

ROOT = Path(__file__).resolve().parent.parent


def test_layers_never_import_upward():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_migrations_create_exactly_the_models_schema(db):
    # The test's own connection: on SQLite another one would wait for the write lock this test holds.
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, _db.metadata)
    assert differences == []


WALL_CLOCK = re.compile(r"\b(date\.today|datetime\.(now|utcnow|today))\(")


def test_only_the_application_clock_reads_the_wall_clock():
    """Business dates come from models.clock, so a frozen test clock and CMS_CLOCK_START reach them."""
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for folder in ("models", "workflows", "portal", "admin_views", "reports", "bench", "tests")
                 for path in (ROOT / folder).rglob("*.py") if path != ROOT / "models" / "clock.py"
                 for n, line in enumerate(path.read_text().splitlines(), start=1)
                 if WALL_CLOCK.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_every_python_package_is_in_the_wheel():
    import tomllib
    root = Path(__file__).resolve().parents[1]
    declared = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for top in declared if "." not in top
             for init in (root / top).rglob("__init__.py")}
    assert found == declared
