"""The process library for designers: every process and decision with its versions, the files
behind them, and the upload of changed .bpmn/.dmn files as a new version."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select

import forms
from app.engine import (
    MAX_FILE_BYTES,
    DecisionTable,
    ParsedBundle,
    Problem,
    Rule,
    TrialRun,
    WorkflowDefinitionError,
    element_fingerprints,
    read_table,
    write_table,
)
from app.extensions import db
from app.models import Case, ProcessVersion, User, WorkflowBundle
from app.platform import InvalidInput, NotFound
from app.platform.isolation import TookTooLong, run_isolated
from app.platform.parameters import run_context
from app.platform.workflows import MAIN_PROCESS, CheckReport, check_bundle, deploy, engine
from forms.base import N_

KINDS = {".bpmn": "processes", ".dmn": "decisions"}  # where a new file goes in the bundle


@dataclass(frozen=True)
class Version:
    number: int  # 1 for the first deployment of the process
    bundle_hash: str
    deployed_at: datetime
    author: str
    note: str
    active: bool
    open_cases: int


@dataclass(frozen=True)
class Process:
    process_id: str
    name: str
    versions: list[Version]  # newest first


@dataclass(frozen=True)
class Decision:
    decision_id: str
    filename: str
    content_hash: str  # the SHA-256 of its file: the decision's own version


@dataclass(frozen=True)
class Library:
    processes: list[Process]
    decisions: list[Decision]  # those of the active main bundle
    active_bundle: str | None
    files: list[str]  # the active main bundle's files


def overview() -> Library:
    rows = db.session.execute(
        select(ProcessVersion, WorkflowBundle.note, User.display_name)
        .join(WorkflowBundle, WorkflowBundle.hash == ProcessVersion.bundle_hash)
        .outerjoin(User, User.id == WorkflowBundle.created_by_id)
        .order_by(ProcessVersion.process_id, ProcessVersion.deployed_at, ProcessVersion.id)
    ).all()
    # one index seek per version (the version leads the index), not a scan of every case
    open_cases = dict(
        db.session.execute(
            select(Case.process_version_id, func.count(Case.id))
            .where(
                Case.process_version_id.in_([version.id for version, _, _ in rows]),
                Case.status == "OPEN",
            )
            .group_by(Case.process_version_id)
        ).all()
    )
    grouped: dict[str, list[tuple[ProcessVersion, str | None, str | None]]] = {}
    for version, note, author in rows:
        grouped.setdefault(version.process_id, []).append((version, note, author))
    processes = [
        Process(
            process_id,
            versions[-1][0].name,
            [
                Version(
                    number,
                    version.bundle_hash,
                    version.deployed_at,
                    author or "命令行",
                    note or "",
                    version.is_active,
                    int(open_cases.get(version.id, 0)),
                )
                for number, (version, note, author) in reversed(list(enumerate(versions, start=1)))
            ],
        )
        for process_id, versions in grouped.items()
    ]
    active = active_bundle()
    decisions: list[Decision] = []
    files: list[str] = []
    if active is not None:
        parsed = engine().bundle(active.hash)
        files = sorted(active.files)
        decisions = [
            Decision(decision_id, parsed.decision_files[decision_id], content_hash)
            for decision_id, (_, content_hash) in sorted(parsed.decisions.items())
        ]
    return Library(processes, decisions, active.hash if active else None, files)


def active_bundle() -> WorkflowBundle | None:
    """The bundle of the active main process: the one an upload changes."""
    return db.session.execute(
        select(WorkflowBundle)
        .join(ProcessVersion, ProcessVersion.bundle_hash == WorkflowBundle.hash)
        .where(ProcessVersion.process_id == MAIN_PROCESS, ProcessVersion.is_active.is_(True))
    ).scalar_one_or_none()


def bundle_file(bundle_hash: str, filename: str) -> str:
    bundle = db.session.get(WorkflowBundle, bundle_hash)
    if bundle is None or filename not in bundle.files:
        raise NotFound(N_("文件不存在。"))
    return bundle.files[filename]


def upload(uploaded: Mapping[str, bytes], note: str, actor: User) -> str:
    """Put the uploaded files in place of the active bundle's files of the same name (or add
    them), validate the whole bundle and deploy it as a new version. Returns its hash; refuses
    with every problem named, and then nothing changes."""
    active = active_bundle()
    files = dict(active.files) if active else {}
    problems: list[str] = []
    if not uploaded:
        raise InvalidInput(N_("请选择要上传的 .bpmn 或 .dmn 文件。"))
    for name, content in uploaded.items():
        base = PurePosixPath(name.replace("\\", "/")).name
        suffix = PurePosixPath(base).suffix.lower()
        if suffix not in KINDS or base != name:
            problems.append(f"{name}: 只接受 .bpmn 或 .dmn 文件，文件名不能含路径")
            continue
        if len(content) > MAX_FILE_BYTES:
            problems.append(f"{name}: 文件超过 5 MB")
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{name}: 不是 UTF-8 编码的文本")
            continue
        same = [existing for existing in files if PurePosixPath(existing).name == base]
        files[same[0] if same else f"{KINDS[suffix]}/{base}"] = text
    if problems:
        raise InvalidInput("；".join(problems))
    return _deploy_checked(files, note, actor)


class InvalidModel(InvalidInput):
    """A bundle validation refused: every problem, each with its file and element."""

    def __init__(self, report: CheckReport):
        super().__init__(report.summary())
        self.problems = report.problems


def _deploy_checked(files: Mapping[str, str], note: str, actor: User) -> str:
    report = check_bundle(files)
    if report.problems:
        raise InvalidModel(report)
    return deploy(files, actor, note=note.strip() or None)


@dataclass(frozen=True)
class ModelChoices:
    forms: list[tuple[str, str]]  # (formKey, title) of every registered task screen
    processes: list[str]  # of the active bundle, for call activities
    decisions: list[str]  # of the active bundle, for business rule tasks


def model_choices() -> ModelChoices:
    active = active_bundle()
    parsed = engine().bundle(active.hash) if active else None
    return ModelChoices(
        [(key, forms.form_class_for(key).title) for key in sorted(forms.registered_form_keys())],
        sorted(parsed.processes) if parsed else [],
        sorted(parsed.decisions) if parsed else [],
    )


# A diagram made in the modeler goes under processes/ with a plain file name.
_NEW_DIAGRAM = re.compile(r"processes/[a-z][a-z0-9_]{0,60}\.bpmn")


@dataclass(frozen=True)
class Model:
    bundle_hash: str
    filename: str
    xml: str


def _active_parsed() -> tuple[WorkflowBundle, ParsedBundle]:
    active = active_bundle()
    if active is None:
        raise NotFound(N_("尚未部署流程。"))
    return active, engine().bundle(active.hash)


def model_of(process_id: str) -> Model:
    """The diagram file that defines a process in the active bundle."""
    active, parsed = _active_parsed()
    if process_id not in parsed.processes:
        raise NotFound(N_("流程不存在。"))
    filename = parsed.filename_of(process_id)
    return Model(active.hash, filename, active.files[filename])


def _with_file(filename: str, text: str) -> dict[str, str]:
    """The active bundle with one diagram replaced (or added under processes/)."""
    active = active_bundle()
    files = dict(active.files) if active else {}
    if filename not in files and not _NEW_DIAGRAM.fullmatch(filename):
        raise InvalidInput(
            N_("新流程图的文件名应为 processes/名称.bpmn（小写字母、数字和下划线）。")
        )
    if not filename.endswith(".bpmn") or not text.strip():
        raise InvalidInput(N_("请提交流程图的 XML。"))
    files[filename] = text
    return files


def check_model(filename: str, text: str) -> CheckReport:
    """Validate the active bundle as it would be with this diagram in it (nothing is saved)."""
    return check_bundle(_with_file(filename, text))


def deploy_model(filename: str, text: str, note: str, actor: User) -> str:
    return _deploy_checked(_with_file(filename, text), note, actor)


@dataclass(frozen=True)
class SandboxRun:
    model: Model
    run: TrialRun


def answers_template(process_id: str) -> str:
    """A starting point for a test run's answers: every user task of the process, empty."""
    process = _active_parsed()[1].processes.get(process_id)
    if process is None:
        raise NotFound(N_("流程不存在。"))
    return json.dumps({task.bpmn_id: {} for task in process.user_tasks}, ensure_ascii=False)


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError as exc:
        raise InvalidInput(f"{what}不是有效的 JSON：{exc}") from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{what}应为 JSON 对象")
    return value


# A trial run runs where production would not: in a web request. Bounded as a whole, in a child
# process (app/platform/isolation.py), beyond the sandbox's limit on each expression.
TRIAL_RUN_SECONDS = 10
TRIAL_RUN_MEMORY = 512 * 2**20


def trial_run(process_id: str, start_data: str, answers: str, fire_timers: bool) -> SandboxRun:
    """Play the active version of a process in memory with the given data: no case, no task,
    no document, no audit entry is written."""
    model = model_of(process_id)
    start = _json_object(start_data, "起始数据")
    given = _json_object(answers, "各步骤的数据")
    workflows = engine()
    workflows.bundle(model.bundle_hash)  # parsed here: the child reads no database
    try:
        run = run_isolated(
            workflows.trial_run,
            model.bundle_hash,
            process_id,
            start,
            given,
            run_context(),
            fire_timers,
            seconds=TRIAL_RUN_SECONDS,
            extra_memory=TRIAL_RUN_MEMORY,
        )
    except TookTooLong as exc:
        raise InvalidInput(
            f"试运行超过 {TRIAL_RUN_SECONDS} 秒仍未结束，已停止：请检查流程中的脚本和条件。"
        ) from exc
    except MemoryError as exc:
        raise InvalidInput("试运行占用内存过多，已停止：请检查流程中的脚本和条件。") from exc
    return SandboxRun(model, run)


def expression_refusal(source: str, mode: str, timer: str | None = None) -> str | None:
    return engine().expression_refusal(source, mode, timer)


def helper_names() -> list[str]:
    return engine().helper_names()


@dataclass(frozen=True)
class TableEdit:
    filename: str
    table: DecisionTable  # as it reads after the edit (new rules have their ids)
    problems: tuple[Problem, ...]


def _decision_file(decision_id: str) -> tuple[dict[str, str], str]:
    active, parsed = _active_parsed()
    filename = parsed.decision_files.get(decision_id)
    if filename is None:
        raise NotFound(N_("决策表不存在。"))
    return dict(active.files), filename


def decision_table(decision_id: str) -> TableEdit:
    files, filename = _decision_file(decision_id)
    return TableEdit(filename, read_table(filename, files[filename], decision_id), ())


def _edited(
    decision_id: str, hit_policy: str, rules: list[Rule]
) -> tuple[dict[str, str], TableEdit, CheckReport]:
    files, filename = _decision_file(decision_id)
    try:
        text = write_table(filename, files[filename], decision_id, hit_policy, rules)
    except WorkflowDefinitionError as exc:
        raise InvalidInput(str(exc)) from exc
    files[filename] = text
    report = check_bundle(files)
    edit = TableEdit(filename, read_table(filename, text, decision_id), report.problems)
    return files, edit, report


def check_decision(decision_id: str, hit_policy: str, rules: list[Rule]) -> TableEdit:
    """The table as the edit would make it, and what validation of the whole bundle says."""
    return _edited(decision_id, hit_policy, rules)[1]


def deploy_decision(
    decision_id: str, hit_policy: str, rules: list[Rule], note: str, actor: User
) -> str:
    files, _, report = _edited(decision_id, hit_policy, rules)
    if report.problems:
        raise InvalidModel(report)
    return deploy(files, actor, note=note.strip() or None)


@dataclass(frozen=True)
class Change:
    owner: str  # process or decision id
    element: str
    name: str


@dataclass(frozen=True)
class Diff:
    old: str
    new: str
    added: list[Change]
    removed: list[Change]
    changed: list[Change]


def diff(old_hash: str, new_hash: str) -> Diff:
    """Elements added, removed and changed between two deployed bundles (diagram layout and the
    restated links of a node are left out: only what the engine runs)."""
    old, new = db.session.get(WorkflowBundle, old_hash), db.session.get(WorkflowBundle, new_hash)
    if old is None or new is None:
        raise NotFound(N_("版本不存在。"))
    before, after = element_fingerprints(old.files), element_fingerprints(new.files)

    def listed(
        keys: set[tuple[str, str]], source: Mapping[tuple[str, str], tuple[str, str]]
    ) -> list[Change]:
        return [
            Change(owner, element, source[(owner, element)][0]) for owner, element in sorted(keys)
        ]

    return Diff(
        old_hash,
        new_hash,
        listed(after.keys() - before.keys(), after),
        listed(before.keys() - after.keys(), before),
        listed({k for k in before.keys() & after.keys() if before[k][1] != after[k][1]}, after),
    )
