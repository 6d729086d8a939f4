"""The domain layer: tables (entities.py) and business operations (operations.py) per domain.

Nothing here imports Flask's request machinery or the outer layers (portal, admin_views,
reports, workflows); import-linter enforces it (pyproject.toml, tests/test_architecture.py).
"""
