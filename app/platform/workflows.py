"""Deploying the BPMN/DMN files of workflows/ and checking them before they run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

import forms
from app.engine import (
    ParsedBundle,
    Problem,
    WorkflowDefinitionError,
    WorkflowEngine,
    bundle_hash,
    read_directory,
    reference_problems,
)
from app.extensions import db
from app.models import ProcessVersion, User, WorkflowBundle
from app.platform import InvalidInput
from app.platform.audit import record
from app.reference.roles import LANES

MAIN_PROCESS = "enforcement_case"  # the enforcement loop: its stages call the others


def engine() -> WorkflowEngine:
    """The process-wide engine; bundles it has not parsed yet are read from the database."""
    instance: WorkflowEngine | None = current_app.extensions.get("tijian_engine")
    if instance is None:
        instance = WorkflowEngine(_load_bundle)
        current_app.extensions["tijian_engine"] = instance
    return instance


def parse_active_bundles() -> list[str]:
    """Parse the bundles of the active process versions into the engine now. The server does
    this before it forks its workers, which then share them: otherwise each worker's first step
    on a process parses its bundle in the middle of a request (a quarter of a second)."""
    hashes = db.session.execute(
        select(ProcessVersion.bundle_hash).where(ProcessVersion.is_active.is_(True)).distinct()
    ).scalars()
    return [engine().bundle(bundle_hash).hash for bundle_hash in hashes]


def _load_bundle(hash_: str) -> Mapping[str, str]:
    bundle = db.session.get(WorkflowBundle, hash_)
    if bundle is None:
        raise WorkflowDefinitionError(f"未部署的流程版本 {hash_}")
    return bundle.files


def directory_files(path: str | None = None) -> dict[str, str]:
    """The BPMN/DMN files of the workflows directory (or of `path`)."""
    return read_directory(path or current_app.config["WORKFLOWS_DIR"])


@dataclass(frozen=True)
class CheckReport:
    bundle: ParsedBundle | None
    problems: tuple[Problem, ...]

    def summary(self) -> str:
        return "；".join(str(problem) for problem in self.problems)


def check_bundle(files: Mapping[str, str]) -> CheckReport:
    """Parse and validate; every user task needs a registered formKey and a lane that is a role."""
    try:
        missing = reference_problems(files)
        if missing:  # the parser would stop at the first, in English
            return CheckReport(None, tuple(missing))
        bundle = ParsedBundle(files)
    except WorkflowDefinitionError as exc:
        return CheckReport(None, (Problem(str(exc), element=exc.element),))
    problems = engine().expression_problems(bundle) + bundle.flow_problems()
    known_forms = forms.registered_form_keys()
    # A called process's tasks are listed under every process that calls it: check each once.
    user_tasks = {
        (t.process_id, t.bpmn_id): t for p in bundle.processes.values() for t in p.user_tasks
    }
    for task in user_tasks.values():
        where = f"{task.process_id}/{task.bpmn_id}"
        found = []
        if not task.form_key:
            found.append(f"{where}: 用户任务缺少 formKey")
        elif task.form_key not in known_forms:
            found.append(f"{where}: formKey {task.form_key} 未在 forms/ 中注册")
        if task.lane not in LANES:
            found.append(f"{where}: 泳道 {task.lane!r} 不是已知角色")
        filename = bundle.filename_of(task.process_id)
        problems += [Problem(message, filename, task.bpmn_id) for message in found]
    return CheckReport(bundle, tuple(problems))


def element_coverage(
    bundle: ParsedBundle, executed: set[tuple[str, str]]
) -> tuple[int, int, list[str]]:
    """(covered, total, the uncovered elements) over every flow node and sequence flow."""
    elements = bundle.flow_elements()
    missing = sorted(f"{process}/{element}" for process, element in elements - executed)
    return len(elements) - len(missing), len(elements), missing


def deploy(files: Mapping[str, str], actor: User | None, note: str | None = None) -> str:
    """Store the bundle and make its processes the active versions; returns the bundle hash.

    Deploying the same content again changes nothing."""
    report = check_bundle(files)
    if report.bundle is None or report.problems:
        raise InvalidInput(report.summary())
    hash_ = bundle_hash(files)
    if db.session.get(WorkflowBundle, hash_) is None:
        db.session.add(
            WorkflowBundle(
                hash=hash_, files=dict(files), note=note, created_by_id=actor.id if actor else None
            )
        )
    for process in report.bundle.processes.values():
        existing = db.session.execute(
            select(ProcessVersion).where(
                ProcessVersion.process_id == process.process_id,
                ProcessVersion.bundle_hash == hash_,
            )
        ).scalar_one_or_none()
        if existing is not None and existing.is_active:
            continue
        db.session.execute(
            update(ProcessVersion)
            .where(ProcessVersion.process_id == process.process_id)
            .values(is_active=False)
        )
        if existing is None:
            db.session.add(
                ProcessVersion(process_id=process.process_id, name=process.name, bundle_hash=hash_)
            )
        else:
            existing.is_active = True
        record(
            "deploy_process",
            "process",
            process.process_id,
            actor=actor,
            actor_name=None if actor else "cli",
            bundle=hash_,
        )
    db.session.commit()
    return hash_


def startable_versions() -> list[ProcessVersion]:
    """The active versions a case can start with (not the stages other processes call)."""
    versions = db.session.execute(
        select(ProcessVersion)
        .where(ProcessVersion.is_active.is_(True))
        .order_by(ProcessVersion.process_id)
    ).scalars()
    return [v for v in versions if engine().bundle(v.bundle_hash).processes[v.process_id].startable]
