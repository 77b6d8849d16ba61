"""Reading the configuration-key defaults (workflows/parameters.toml) and the issuer settings
per 盟市 (workflows/issuers.toml), which become keys ISSUER_<FIELD>@<unit>."""

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


def issuer_key(field: str, unit: str) -> str:
    """The configuration key of one issuer setting of one 盟市-level unit."""
    return f"ISSUER_{field}@{unit}"


def load_issuer_definitions(path: Path) -> dict[str, ParameterDefinition]:
    """One key per unit and field: the field's label (prefixed with the unit's body), tag and
    source, the unit's value as the default."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    fields: dict[str, Any] = raw["fields"]
    definitions = {}
    for unit, values in raw["units"].items():
        if set(values) != set(fields):
            raise ValueError(f"issuer {unit}: settings must be exactly {sorted(fields)}")
        for field, entry in fields.items():
            if entry.get("tag") not in PROVENANCE_TAGS:
                raise ValueError(f"{field}: provenance tag must be one of {PROVENANCE_TAGS}")
            key = issuer_key(field, unit)
            definitions[key] = ParameterDefinition(
                key,
                values[field],
                entry["tag"],
                "text",
                f"{values['NAME']}：{entry['label']}",
                entry["source"],
            )
    return definitions
