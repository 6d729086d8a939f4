"""Shared set-up for the benchmark scripts: an instance folder under bench/out/, migrated to head."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CMS = Path(sys.executable).parent / "cms"


def prepare(name: str, database_url: str | None = None, fresh: bool = True) -> Path:
    """Point CMS_* at bench/out/<name> (or the given database), empty it if asked, upgrade to head."""
    folder = ROOT / "bench" / "out" / name
    folder.mkdir(parents=True, exist_ok=True)
    if fresh:
        for f in folder.glob("cms.sqlite3*"):
            f.unlink()
    os.environ["CMS_INSTANCE_PATH"] = str(folder)
    if database_url:
        os.environ["CMS_DATABASE_URL"] = database_url
        if fresh and database_url.startswith("postgresql"):
            import sqlalchemy as sa
            engine = sa.create_engine(database_url)
            with engine.begin() as connection:    # a fresh run starts from an empty schema, as on SQLite
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
    cms("db", "upgrade")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return folder


def cms(*args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([CMS, *args], env=os.environ, check=True, capture_output=quiet, text=True)
