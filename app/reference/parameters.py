"""Reading the configuration-key defaults (workflows/parameters.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROVENANCE_TAGS = ("V", "P", "U", "D")


@dataclass(frozen=True)
class ParameterDefinition:
    key: str
    default: Any  # None: unset, the rule that needs it does not apply
    tag: str
    unit: str
    label: str
    source: str


def load_definitions(path: Path) -> dict[str, ParameterDefinition]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    definitions = {}
    for key, entry in raw.items():
        if entry.get("tag") not in PROVENANCE_TAGS:
            raise ValueError(f"{key}: provenance tag must be one of {PROVENANCE_TAGS}")
        definitions[key] = ParameterDefinition(
            key, entry.get("value"), entry["tag"], entry["unit"], entry["label"], entry["source"]
        )
    return definitions


def defaults(path: Path) -> dict[str, Any]:
    return {key: d.default for key, d in load_definitions(path).items()}
