"""Parsing workflow bundles (the BPMN and DMN files deployed together) into cached specs.

A bundle is identified by the SHA-256 of its files, so a running case names exactly the
diagram it started on and a redeploy never changes it under the case's feet.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.task_parsers import GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity as CallActivityMixin
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from .joins import ChangeMergingParallelGateway

# Entities and DTDs are refused outright: no legitimate diagram needs them, and they are how
# XXE and billion-laughs attacks arrive.
_DTD_PATTERN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
MAX_FILE_BYTES = 5 * 1024 * 1024  # a diagram or decision file; larger uploads are refused


class WorkflowDefinitionError(ValueError):
    """A bundle that cannot be deployed, with the file (and line, and element) at fault."""

    def __init__(
        self,
        message: str,
        filename: str | None = None,
        line: int | None = None,
        element: str | None = None,
    ):
        where = filename or ""
        if line:
            where += f":{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.filename = filename
        self.line = line
        self.element = element


@dataclass(frozen=True)
class Problem:
    """Why a bundle cannot be deployed: the message names the element for people, `filename`
    and `element` (a BPMN/DMN id) let the modeler highlight it."""

    message: str
    filename: str | None = None
    element: str | None = None

    def __str__(self) -> str:
        return f"{self.filename}: {self.message}" if self.filename else self.message


@dataclass(frozen=True)
class UserTaskInfo:
    process_id: str
    bpmn_id: str
    name: str
    form_key: str | None
    lane: str | None


@dataclass(frozen=True)
class ProcessInfo:
    process_id: str
    name: str
    user_tasks: tuple[UserTaskInfo, ...]
    startable: bool  # not called by another process of the bundle: a case can start with it


def _decision_expression(filename: str, element: str, kind: str, code: str) -> list[Expression]:
    if kind in ("inputExpression", "outputEntry"):
        return [Expression(filename, element, code, "eval")]
    if kind != "inputEntry" or code == "-":
        return []
    if "?" in code:  # "? <= 200": the input value stands where the question mark is
        return [Expression(filename, element, code.replace("?", "dmninputexpr"), "eval")]
    try:  # a plain value is compared with ==; ">= 5" is appended to the input
        compile(code, "<entry>", "eval")
        return [Expression(filename, element, code, "eval")]
    except SyntaxError:
        return [Expression(filename, element, f"dmninputexpr {code}", "eval")]


def bundle_hash(files: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def read_directory(path: str | Path) -> dict[str, str]:
    """Every .bpmn and .dmn file below `path`, keyed by its path relative to it."""
    root = Path(path)
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.suffix in (".bpmn", ".dmn") and p.is_file()
    }


def parse_xml(filename: str, text: str) -> Any:
    raw = text.encode()
    if len(raw) > MAX_FILE_BYTES:
        raise WorkflowDefinitionError("文件过大 (file too large)", filename)
    if _DTD_PATTERN.search(raw):
        raise WorkflowDefinitionError("不允许 DTD 或实体声明 (DTD/entities refused)", filename)
    try:
        return etree.fromstring(raw, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkflowDefinitionError(f"XML 格式错误: {exc.msg}", filename, exc.lineno) from exc


BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NOT_FLOW_ELEMENTS = {
    "laneSet",
    "documentation",
    "extensionElements",
    "ioSpecification",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "textAnnotation",
    "association",
}


# (process or decision id, element id) -> (element name, SHA-256 of its canonical XML)
Fingerprints = dict[tuple[str, str], tuple[str, str]]
_LINKS = {"incoming", "outgoing"}  # restate the sequence flows, which are elements of their own


def element_fingerprints(files: Mapping[str, str]) -> Fingerprints:
    """A digest per element — every flow node, sequence flow and lane of each process, every
    rule and the input/output header of each decision table — for comparing two versions."""
    found: Fingerprints = {}
    for filename, text in sorted(files.items()):
        root = parse_xml(filename, text)
        for process in root.iter(f"{{{BPMN}}}process"):
            owner = process.get("id") or ""
            elements = [*process, *process.iter(f"{{{BPMN}}}lane")]
            for element in elements:
                key = element.get("id") if isinstance(element.tag, str) else None
                if key:
                    found[(owner, key)] = (element.get("name") or "", _digest(element))
        for decision in root.iter("{*}decision"):
            owner = decision.get("id") or ""
            for table in decision.iter("{*}decisionTable"):
                header = [c for c in table if etree.QName(c).localname in ("input", "output")]
                found[(owner, "表头")] = (
                    table.get("hitPolicy") or "UNIQUE",
                    hashlib.sha256(b"".join(_canonical(c) for c in header)).hexdigest(),
                )
                for rule in table.iter("{*}rule"):
                    found[(owner, rule.get("id") or "")] = ("", _digest(rule))
    return found


def _canonical(element: Any) -> bytes:
    copy = deepcopy(element)
    for child in list(copy):
        if isinstance(child.tag, str) and etree.QName(child).localname in _LINKS:
            copy.remove(child)
    for part in copy.iter():  # indentation is layout, not content: re-indented is not changed
        if part.text is not None and not part.text.strip():
            part.text = None
        if part.tail is not None and not part.tail.strip():
            part.tail = None
    copy.tail = None
    return bytes(etree.tostring(copy, method="c14n"))


def _digest(element: Any) -> str:
    return hashlib.sha256(_canonical(element)).hexdigest()


def _diagram_processes(files: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
    """(file name, <process> element) of every process of every diagram, in file order."""
    for filename, text in sorted(files.items()):
        if filename.endswith(".bpmn"):
            for process in parse_xml(filename, text).iter(f"{{{BPMN}}}process"):
                yield filename, process


def reference_problems(files: Mapping[str, str]) -> list[Problem]:
    """Call activities naming a process, and business rule tasks naming a decision, that the
    bundle does not have (named in Chinese, by element, before the parser stops at the first)."""
    processes = {process.get("id") for _, process in _diagram_processes(files)}
    decisions = {
        decision.get("id")
        for filename, text in files.items()
        if filename.endswith(".dmn")
        for decision in parse_xml(filename, text).iter("{*}decision")
    }
    decision_path = f"{{{BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId"
    problems = []
    for filename, process in _diagram_processes(files):
        for element in process.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if not element_id:
                continue
            tag = etree.QName(element).localname
            label = f"{process.get('id')}/{element_id}（{element.get('name') or tag}）"
            if tag == "callActivity" and element.get("calledElement") not in processes:
                message = f"{label}: 调用的流程 {element.get('calledElement')} 不存在"
            elif tag == "businessRuleTask" and (
                (element.findtext(decision_path) or "").strip() not in decisions
            ):
                message = f"{label}: 调用的决策表 {element.findtext(decision_path)} 不存在"
            else:
                continue
            problems.append(Problem(message, filename, element_id))
    return problems


def _flow_problems(filename: str, process: Any) -> list[Problem]:
    nodes: dict[str, Any] = {}
    following: dict[str, list[str]] = {}
    for element in process:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "sequenceFlow":
            following.setdefault(element.get("sourceRef"), []).append(element.get("targetRef"))
        elif tag and tag not in _NOT_FLOW_ELEMENTS and element.get("id"):
            nodes[element.get("id")] = element
    attached: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if etree.QName(node).localname == "boundaryEvent":
            attached.setdefault(node.get("attachedToRef"), []).append(node_id)
    starts = [i for i, n in nodes.items() if etree.QName(n).localname == "startEvent"]
    reached: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current in reached:
            continue
        reached.add(current)
        todo += following.get(current, []) + attached.get(current, [])
    pid = process.get("id")
    problems = []
    for node_id, node in nodes.items():
        where = f"{pid}/{node_id}（{node.get('name') or etree.QName(node).localname}）"
        if node_id not in reached:
            message = f"{where} 不可达：没有从开始事件通往它的顺序流"
        elif etree.QName(node).localname != "endEvent" and not following.get(node_id):
            message = f"{where} 是死路：没有流出的顺序流，也不是结束事件"
        else:
            continue
        problems.append(Problem(message, filename, node_id))
    return problems


@dataclass(frozen=True)
class Stage:
    """A call activity of a process: the stage and the process it calls."""

    element_id: str
    name: str
    called_process: str


TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


@dataclass(frozen=True)
class Expression:
    filename: str
    element: str  # the id of the element (or rule, entry) that holds the code
    source: str
    mode: str  # "eval" or "exec"
    timer: str | None = None  # for a timer: timeDate, timeDuration or timeCycle

    @property
    def where(self) -> str:
        return f"{self.filename}/{self.element}"


def form_key_of(task_spec: Any) -> str | None:
    properties = task_spec.extensions.get("properties") or {}
    value = properties.get("formKey")
    return str(value) if value else None


class _Parser(SpiffBpmnParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("parallelGateway"): (GatewayParser, ChangeMergingParallelGateway),
    }


class ParsedBundle:
    """All executable processes of one bundle, parsed once and shared read-only."""

    def __init__(self, files: Mapping[str, str]):
        self.hash = bundle_hash(files)
        self.files = dict(files)
        self._stages: dict[str, list[Stage]] = {}
        parser = _Parser(validator=VALIDATOR)
        try:
            for filename in sorted(files):
                root = parse_xml(filename, files[filename])
                if filename.endswith(".dmn"):
                    parser.add_dmn_xml(root, filename)
                elif filename.endswith(".bpmn"):
                    parser.add_bpmn_xml(etree.ElementTree(root), filename)
                else:
                    raise WorkflowDefinitionError("只接受 .bpmn 与 .dmn 文件", filename)
            self._specs = {
                pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid))
                for pid in parser.get_process_ids()
            }
            self._filenames = {pid: parser.get_process_parser(pid).filename for pid in self._specs}
        except ValidationException as exc:
            raise WorkflowDefinitionError(
                str(exc), exc.file_name or None, exc.line_number or None, exc.id or None
            ) from exc
        except SpiffWorkflowException as exc:
            raise WorkflowDefinitionError(str(exc)) from exc
        called = {name for _, subprocesses in self._specs.values() for name in subprocesses}
        self.processes = {pid: self._describe(pid, pid not in called) for pid in self._specs}
        self.decision_files = {
            decision_id: dmn_parser.filename
            for decision_id, dmn_parser in parser.dmn_parsers.items()
        }
        self.decisions = self._parse_decisions(parser, files)

    def spec(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        try:
            return self._specs[process_id]
        except KeyError:
            raise WorkflowDefinitionError(f"流程 {process_id} 不在此版本中") from None

    def stages(self, process_id: str) -> list[Stage]:
        """The process's call activities (its stages) in the order the file lists them (Spiff's
        own order follows the flows, which puts alternatives anywhere). Read once per bundle."""
        if process_id not in self._stages:
            self._stages[process_id] = self._read_stages(process_id)
        return self._stages[process_id]

    def _read_stages(self, process_id: str) -> list[Stage]:
        spec, _ = self.spec(process_id)
        calls = {
            task.bpmn_id: Stage(task.bpmn_id, task.bpmn_name or task.bpmn_id, task.spec)
            for task in spec.task_specs.values()
            if isinstance(task, CallActivityMixin)
        }
        root = parse_xml(self._filenames[process_id], self.source_of(process_id))
        return [calls[element.get("id")] for element in root.iter() if element.get("id") in calls]

    @staticmethod
    def _parse_decisions(parser: Any, files: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
        """Decision id → (its table, the SHA-256 of its file: the decision's version)."""
        decisions = {}
        for decision_id, dmn_parser in parser.dmn_parsers.items():
            try:
                dmn_parser.parse()
            except (ValidationException, SpiffWorkflowException, ValueError) as exc:
                raise WorkflowDefinitionError(str(exc), dmn_parser.filename) from exc
            text = files[dmn_parser.filename]
            decisions[decision_id] = (
                dmn_parser.decision.decisionTables[0],
                hashlib.sha256(text.encode()).hexdigest(),
            )
        return decisions

    def flow_elements(self) -> set[tuple[str, str]]:
        """Every flow node (by id) and sequence flow (as "source->target") of every process,
        in the form the engine reports executed elements."""
        elements: set[tuple[str, str]] = set()
        for _, process in _diagram_processes(self.files):
            pid = process.get("id")
            for element in process:
                tag = etree.QName(element).localname
                if tag in _NOT_FLOW_ELEMENTS or not isinstance(tag, str):
                    continue
                if tag == "sequenceFlow":
                    elements.add((pid, f"{element.get('sourceRef')}->{element.get('targetRef')}"))
                else:
                    elements.add((pid, element.get("id")))
        return elements

    def flow_problems(self) -> list[Problem]:
        """Flow nodes no start event leads to, and nodes that lead nowhere without being an end
        event: mistakes the parser accepts but that strand a case or never run."""
        problems: list[Problem] = []
        for filename, process in _diagram_processes(self.files):
            problems += _flow_problems(filename, process)
        return problems

    def expressions(self) -> list[Expression]:
        """Every piece of code in the bundle: conditions, scripts, timers, decision entries."""
        found: list[Expression] = []
        for filename, text in sorted(self.files.items()):
            root = parse_xml(filename, text)
            for element in root.iter():
                if not isinstance(element.tag, str):
                    continue
                tag = etree.QName(element).localname
                owner = element.getparent()
                while owner is not None and owner.get("id") is None:
                    owner = owner.getparent()
                where = owner.get("id") if owner is not None else "?"
                code = (element.text or "").strip()
                if not code:
                    continue
                if tag == "conditionExpression":
                    found.append(Expression(filename, where, code, "eval"))
                elif tag in TIMER_KINDS:
                    found.append(Expression(filename, where, code, "eval", timer=tag))
                elif tag in ("script", "preScript", "postScript"):
                    found.append(Expression(filename, where, code, "exec"))
                elif tag == "text" and owner is not None:
                    found.extend(
                        _decision_expression(
                            filename, where, etree.QName(element.getparent()).localname, code
                        )
                    )
        return found

    def filename_of(self, process_id: str) -> str:
        self.spec(process_id)
        return str(self._filenames[process_id])

    def source_of(self, process_id: str) -> str:
        """The XML of the file that defines the process (for the diagram viewer)."""
        self.spec(process_id)
        return self.files[self._filenames[process_id]]

    def _describe(self, process_id: str, startable: bool) -> ProcessInfo:
        spec, subprocess_specs = self._specs[process_id]
        tasks = [
            UserTaskInfo(s.name, ts.bpmn_id, ts.bpmn_name or ts.bpmn_id, form_key_of(ts), ts.lane)
            for s in (spec, *subprocess_specs.values())
            for ts in s.task_specs.values()
            if isinstance(ts, UserTaskMixin)
        ]
        return ProcessInfo(process_id, spec.description or process_id, tuple(tasks), startable)
