"""The processes Watt CMS ships (workflows/bpmn/<key>/<key>.bpmn), deployed as version 1."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from models.process.entities import ProcessDefinition
from workflows.runtime import deploy_definition

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"


def shipped_files() -> dict[str, Path]:
    return {folder.name: folder / f"{folder.name}.bpmn" for folder in sorted(BPMN_DIR.iterdir()) if folder.is_dir()}


def deploy_shipped(session: Session) -> list[ProcessDefinition]:
    """Deploy every shipped process whose file differs from its latest version (idempotent)."""
    return [deploy_definition(session, path.read_bytes(), key=key)[0] for key, path in shipped_files().items()]
