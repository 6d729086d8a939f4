"""The `cms` console script: Flask's CLI (run, db, shell, routes) plus Watt CMS commands.

Each module here registers its commands on the group in portal.cli.base; importing this package
imports them all. Commands are edges: one transaction each (`edge`), a refusal is a one-line error.
"""
from portal.cli import accounting, billing, collection_bank, data, readings, tariffs, users, workflows  # noqa: F401  register their commands
from portal.cli.base import cli, edge

__all__ = ["cli", "edge"]
