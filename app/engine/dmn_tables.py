"""Reading a DMN decision table for the designer's table editor, and writing edited rules back
into the file. The columns (inputs and outputs) are the table's public contract
(DECISIONS.md): the editor changes rules, entries, annotations and the hit policy, never the
columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from .specs import WorkflowDefinitionError, parse_xml

HIT_POLICIES = ("UNIQUE", "COLLECT")  # the only ones SpiffWorkflow evaluates (engine notes §4)


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    detail: str  # an input's expression, an output's variable name
    type_ref: str


@dataclass(frozen=True)
class Entry:
    id: str  # empty for a rule not yet written
    text: str


@dataclass(frozen=True)
class Rule:
    id: str  # empty for a new rule
    inputs: tuple[Entry, ...]
    outputs: tuple[Entry, ...]
    annotation: str


@dataclass(frozen=True)
class DecisionTable:
    decision_id: str
    name: str
    hit_policy: str
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Rule, ...]


def _table(root: Any, decision_id: str, filename: str) -> Any:
    for decision in root.iter("{*}decision"):
        if decision.get("id") == decision_id:
            table = decision.find("{*}decisionTable")
            if table is not None:
                return decision, table
    raise WorkflowDefinitionError(f"决策表 {decision_id} 不在此文件中", filename)


def _text(element: Any) -> str:
    text = element.find("{*}text") if element is not None else None
    return (text.text or "").strip() if text is not None else ""


def read_table(filename: str, xml: str, decision_id: str) -> DecisionTable:
    decision, table = _table(parse_xml(filename, xml), decision_id, filename)
    inputs = tuple(
        Column(
            column.get("id") or "",
            column.get("label") or "",
            _text(column.find("{*}inputExpression")),
            (column.find("{*}inputExpression").get("typeRef") or "")
            if column.find("{*}inputExpression") is not None
            else "",
        )
        for column in table.findall("{*}input")
    )
    outputs = tuple(
        Column(
            column.get("id") or "",
            column.get("label") or "",
            column.get("name") or "",
            column.get("typeRef") or "",
        )
        for column in table.findall("{*}output")
    )
    rules = tuple(
        Rule(
            rule.get("id") or "",
            tuple(Entry(e.get("id") or "", _text(e)) for e in rule.findall("{*}inputEntry")),
            tuple(Entry(e.get("id") or "", _text(e)) for e in rule.findall("{*}outputEntry")),
            (rule.findtext("{*}description") or "").strip(),
        )
        for rule in table.findall("{*}rule")
    )
    return DecisionTable(
        decision_id,
        decision.get("name") or decision_id,
        table.get("hitPolicy") or "UNIQUE",
        inputs,
        outputs,
        rules,
    )


def write_table(
    filename: str, xml: str, decision_id: str, hit_policy: str, rules: list[Rule]
) -> str:
    """The file with the table's rules replaced by `rules` (in that order): existing rules keep
    their ids (so a version diff shows only what changed), new ones get fresh ids."""
    if hit_policy not in HIT_POLICIES:
        raise WorkflowDefinitionError(f"不支持的命中策略 {hit_policy}", filename)
    root = parse_xml(filename, xml)
    _, table = _table(root, decision_id, filename)
    namespace = etree.QName(table).namespace
    width = (len(table.findall("{*}input")), len(table.findall("{*}output")))
    existing = {rule.get("id"): rule for rule in table.findall("{*}rule")}
    used = set(existing) | {e.get("id") for e in root.iter() if e.get("id")}
    for rule in existing.values():
        table.remove(rule)
    table.set("hitPolicy", hit_policy)

    def fresh(stem: str) -> str:
        number = 1
        while f"{stem}{number}" in used:
            number += 1
        used.add(f"{stem}{number}")
        return f"{stem}{number}"

    for rule in rules:
        if len(rule.inputs) != width[0] or len(rule.outputs) != width[1]:
            raise WorkflowDefinitionError("规则的列数与决策表不符", filename)
        element = existing.get(rule.id) if rule.id else None
        if element is None:
            element = etree.Element(f"{{{namespace}}}rule", id=fresh(f"{decision_id}_r"))
        rule_id = element.get("id")
        previous = {
            kind: [entry.get("id") for entry in element.findall(f"{{*}}{kind}")]
            for kind in ("inputEntry", "outputEntry")
        }
        for child in list(element):
            element.remove(child)
        if rule.annotation.strip():
            etree.SubElement(element, f"{{{namespace}}}description").text = rule.annotation.strip()
        columns = (("inputEntry", rule.inputs, "i"), ("outputEntry", rule.outputs, "o"))
        for kind, entries, suffix in columns:
            for number, entry in enumerate(entries, start=1):
                kept = previous[kind][number - 1] if number <= len(previous[kind]) else None
                entry_id = kept or fresh(f"{rule_id}_{suffix}")
                child = etree.SubElement(element, f"{{{namespace}}}{kind}", id=entry_id)
                text = entry.text.strip() or ("-" if kind == "inputEntry" else "")
                etree.SubElement(child, f"{{{namespace}}}text").text = text
        table.append(element)
    etree.indent(table, space="  ", level=2)
    body = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
