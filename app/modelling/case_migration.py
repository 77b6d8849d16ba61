"""Moving running cases from an old process version onto the active one: a dry run first that
says, per case, whether SpiffWorkflow's diff allows it (and why not), then the move of every case
that may move, in one transaction with an audit entry per case. Cases that may not move stay on
their version untouched."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.enforcement.cases import apply_run_result, lock_instance
from app.extensions import db
from app.models import Case, HumanTask, ProcessVersion, User, WorkflowInstance
from app.platform import InvalidInput, NotFound
from app.platform.audit import record
from app.platform.parameters import run_context
from app.platform.regions import scope_of
from app.platform.workflows import engine
from forms.base import N_

MAX_CASES = 200  # per run: each case is loaded and re-run; larger populations take several runs


@dataclass(frozen=True)
class CaseMove:
    case_id: int
    case_no: str
    title: str
    stage: str | None
    refusals: tuple[str, ...]  # empty: the case can move

    @property
    def movable(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class MigrationReport:
    old_hash: str
    new_hash: str
    cases: list[CaseMove]
    more: bool  # more running cases than one run handles
    moved: int = 0  # after a real run: how many moved

    @property
    def movable(self) -> int:
        return sum(1 for move in self.cases if move.movable)


def _versions(old_hash: str, new_hash: str) -> dict[int, ProcessVersion]:
    """Old version id → the active version of the same process in the new bundle."""
    old = db.session.execute(
        select(ProcessVersion).where(ProcessVersion.bundle_hash == old_hash)
    ).scalars()
    new = {
        version.process_id: version
        for version in db.session.execute(
            select(ProcessVersion).where(
                ProcessVersion.bundle_hash == new_hash, ProcessVersion.is_active.is_(True)
            )
        ).scalars()
    }
    if not new:
        raise NotFound(N_("目标版本不存在或不是当前版本。"))
    pairs = {version.id: new[version.process_id] for version in old if version.process_id in new}
    if not pairs or old_hash == new_hash:
        raise InvalidInput(N_("原版本与目标版本没有共同的流程，或两者相同。"))
    return pairs


def _running(
    pairs: dict[int, ProcessVersion], user: User
) -> tuple[list[tuple[Case, WorkflowInstance]], bool]:
    """The running cases on the old versions within the user's regions."""
    query = (
        select(Case, WorkflowInstance)
        .join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
        .where(Case.process_version_id.in_(pairs), Case.status == "OPEN")
    )
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Case.region_code.in_(scope))
    rows = db.session.execute(query.order_by(Case.id).limit(MAX_CASES + 1)).all()
    cases = [(case, instance) for case, instance in rows]
    return cases[:MAX_CASES], len(cases) > MAX_CASES


def dry_run(old_hash: str, new_hash: str, user: User) -> MigrationReport:
    """What a migration would do, case by case; nothing is written."""
    pairs = _versions(old_hash, new_hash)
    cases, more = _running(pairs, user)
    context = run_context()
    moves = [
        CaseMove(
            case.id,
            case.case_no,
            case.title,
            case.stage,
            engine().migrate(instance.state, new_hash, context).refusals,
        )
        for case, instance in cases
    ]
    return MigrationReport(old_hash, new_hash, moves, more)


def migrate(old_hash: str, new_hash: str, actor: User) -> MigrationReport:
    """Move every case that may move (checked again under its row lock); one transaction."""
    pairs = _versions(old_hash, new_hash)
    cases, more = _running(pairs, actor)
    context = run_context()
    moves: list[CaseMove] = []
    moved = 0
    for case, found in cases:
        instance = lock_instance(found.id)
        migration = engine().migrate(instance.state, new_hash, context)
        moves.append(CaseMove(case.id, case.case_no, case.title, case.stage, migration.refusals))
        if migration.result is None:
            continue
        before = _open_tasks(instance.id)
        apply_run_result(case, instance, migration.result)
        _carry_over(before, _open_tasks(instance.id))
        record(
            "migrate_case",
            "case",
            case.id,
            actor=actor,
            region_code=case.region_code,
            from_bundle=old_hash,
            to_bundle=new_hash,
        )
        case.process_version_id = instance.process_version_id = pairs[case.process_version_id].id
        moved += 1
    db.session.commit()
    return MigrationReport(old_hash, new_hash, moves, more, moved)


def _open_tasks(instance_id: int) -> dict[str, HumanTask]:
    rows = db.session.execute(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "READY")
    ).scalars()
    return {row.bpmn_id: row for row in rows}


def _carry_over(before: dict[str, HumanTask], after: dict[str, HumanTask]) -> None:
    """The engine re-arms pending steps on the new diagram (new task ids): the officer who
    claimed a step, the saved draft and the follow-up date stay with the step."""
    for bpmn_id, row in after.items():
        old = before.get(bpmn_id)
        if old is not None and old is not row:
            row.assignee_id, row.draft, row.follow_up_on = (
                old.assignee_id,
                old.draft,
                old.follow_up_on,
            )
