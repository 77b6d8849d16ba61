"""Migration of running cases to a new version: a dry run first, then only the cases
SpiffWorkflow's diff allows move (with their claims and drafts, an audit entry each); a case
whose finished steps changed, or whose running deadline would come earlier, stays."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.enforcement.consistency import verify
from app.extensions import db
from app.integration.events import request_extension
from app.modelling.process_library import active_bundle, deploy_model
from app.models import AuditEvent, Case, HumanTask, Job, ProcessVersion, WorkflowInstance
from app.platform import Conflict, InvalidFields
from tests.conftest import login
from tests.integration.cases import (
    account,
    case_at_filing,
    complete,
    investigator_ids,
    ready,
    warning_case,
)

STAGE_A = "processes/stage_a_warning.bpmn"
TIMER = "end_of_day(self_check_due)"


def deploy_stage_a(change: tuple[str, str], note: str) -> tuple[str, str]:
    """Deploy stage A with one text replaced; returns (old bundle, new bundle)."""
    old = active_bundle()
    assert old is not None
    text = old.files[STAGE_A]
    assert change[0] in text
    new = deploy_model(STAGE_A, text.replace(*change), note, account("designer"))
    return old.hash, new


def bundle_of(case_id: int) -> str:
    return db.session.execute(
        select(ProcessVersion.bundle_hash)
        .join(Case, Case.process_version_id == ProcessVersion.id)
        .where(Case.id == case_id)
    ).scalar_one()


def waiting_task(case_id: int) -> HumanTask:
    return db.session.execute(
        select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "READY")
    ).scalar_one()


def test_a_later_deadline_moves_running_cases_after_a_dry_run(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = warning_case()
        task = waiting_task(case_id)
        task.assignee_id = account("officer").id
        task.draft = {"feedback": ["已整改一半"]}
        due_before = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar()
        db.session.commit()
        old, new = deploy_stage_a(
            (TIMER, "end_of_day(add_working_days(self_check_due, 2))"), "宽限两个工作日"
        )
        assert bundle_of(case_id) == old
    token = login(client, "designer")
    library = client.get("/designer/").get_data(as_text=True)
    assert f"/designer/migrate/{old}/{new}" in library
    dry = client.get(f"/designer/migrate/{old}/{new}").get_data(as_text=True)
    assert "可以迁移" in dry and 'id="migrate-form"' in dry
    with app.app_context():
        assert bundle_of(case_id) == old  # the dry run wrote nothing
    done = client.post(f"/designer/migrate/{old}/{new}", data={"csrf_token": token})
    assert done.status_code == 200 and "已迁移" in done.get_data(as_text=True)
    with app.app_context():
        assert bundle_of(case_id) == new
        instance = db.session.execute(
            select(WorkflowInstance).where(WorkflowInstance.case_id == case_id)
        ).scalar_one()
        case = db.session.get(Case, case_id)
        assert case is not None and instance.process_version_id == case.process_version_id
        assert verify().ok, verify().problems
        moved = waiting_task(case_id)
        # the step is still the officer's, with the draft (whether or not the engine re-armed it)
        assert moved.assignee_id == account("officer").id
        assert moved.draft == {"feedback": ["已整改一半"]}
        due_after = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar()
        assert due_before is not None and due_after is not None and due_after > due_before
        audit = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "migrate_case", AuditEvent.object_id == str(case_id)
            )
        ).scalar_one()
        assert audit.detail["from_bundle"] == old and audit.detail["to_bundle"] == new


def test_cases_whose_done_steps_changed_or_deadline_would_come_earlier_stay(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = warning_case()  # the assessment (a_assess) is done
        case_no = db.session.get(Case, case_id).case_no  # type: ignore[union-attr]
        db.session.commit()
        old, earlier = deploy_stage_a((TIMER, "start_of_day(self_check_due)"), "提前")
    token = login(client, "designer")
    row = f'<tr data-case="{case_no}" class="refused">'
    page = client.get(f"/designer/migrate/{old}/{earlier}").get_data(as_text=True)
    assert row in page and "期限将从" in page and "提前到" in page
    response = client.post(f"/designer/migrate/{old}/{earlier}", data={"csrf_token": token})
    assert row in response.get_data(as_text=True)
    with app.app_context():
        _, renamed = deploy_stage_a(('name="研判风险并选择指导措施"', 'name="研判风险"'), "改名")
    page = client.get(f"/designer/migrate/{old}/{renamed}").get_data(as_text=True)
    assert row in page
    assert "a_assess（研判风险并选择指导措施）: 已办理的步骤在新版本中被修改或删除" in page
    with app.app_context():
        assert bundle_of(case_id) == old
        assert not db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "migrate_case", AuditEvent.object_id == str(case_id)
            )
        ).first()


def test_only_designers_and_admins_migrate(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        warning_case()
        db.session.commit()
        old, new = deploy_stage_a((TIMER, "end_of_day(add_working_days(self_check_due, 1))"), "")
    token = login(client, "supervisor")
    page = client.get(f"/designer/migrate/{old}/{new}").get_data(as_text=True)
    assert "可以迁移" in page and 'id="migrate-form"' not in page
    assert client.post(
        f"/designer/migrate/{old}/{new}", data={"csrf_token": token}
    ).status_code == (403)
    login(client, "designer")
    assert client.get(f"/designer/migrate/{new}/{old}").status_code == 404  # not the active one


STAGE_D = "processes/stage_d_investigation.bpmn"
# What stage D had before the case-level clock (bundles up to 3e7a2a5), reduced to the route
# the server must keep: 调查取证's 下一步 EXTEND leads to the stage's own 提请延长办案期限.
LOCAL_EXTENSION = (
    '<bpmn:userTask id="d_extension_request" name="提请延长办案期限"><bpmn:extensionElements>'
    "<spiffworkflow:properties>"
    '<spiffworkflow:property name="formKey" value="investigation.extension_request" />'
    "</spiffworkflow:properties></bpmn:extensionElements>"
    "<bpmn:incoming>flow_d_gw_action_to_d_extension_request</bpmn:incoming>"
    "<bpmn:outgoing>flow_d_extension_request_to_d_merge</bpmn:outgoing></bpmn:userTask>"
    '<bpmn:sequenceFlow id="flow_d_gw_action_to_d_extension_request" sourceRef="d_gw_action" '
    'targetRef="d_extension_request"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
    'next_action == "EXTEND"</bpmn:conditionExpression></bpmn:sequenceFlow>'
    '<bpmn:sequenceFlow id="flow_d_extension_request_to_d_merge" '
    'sourceRef="d_extension_request" targetRef="d_merge" />'
)


def with_local_extension(text: str) -> str:
    for anchor, added in (
        (
            "<bpmn:flowNodeRef>d_gw_action</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>d_extension_request</bpmn:flowNodeRef>",
        ),
        (
            "<bpmn:incoming>flow_d_investigate_to_d_gw_action</bpmn:incoming>",
            "<bpmn:outgoing>flow_d_gw_action_to_d_extension_request</bpmn:outgoing>",
        ),
        (
            "<bpmn:incoming>flow_d_start_to_d_merge</bpmn:incoming>",
            "<bpmn:incoming>flow_d_extension_request_to_d_merge</bpmn:incoming>",
        ),
        (
            '<bpmn:sequenceFlow id="flow_d_merge_to_d_investigate" sourceRef="d_merge" '
            'targetRef="d_investigate" />',
            LOCAL_EXTENSION,
        ),
    ):
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, anchor + added)
    return text


def filed_case(title: str) -> int:
    case_id = case_at_filing(title)
    complete(case_id, "c_assign", "unit_head", case_officers=investigator_ids())
    return case_id


def test_a_case_on_a_diagram_whose_investigation_asks_for_the_extension_keeps_that_route(
    app: Flask, client: FlaskClient
) -> None:
    """Cases that stay on a version from before the case-level clock (every filed case of the
    demo gallery) ask for more time in 调查取证: the screen offers it to them alone, the legacy
    screen opens, and the case page's request names that route instead of refusing it as if
    the case were not filed. A case on the current diagram cannot choose it (its gateway would
    take it for 调查终结)."""
    with app.app_context():
        current = active_bundle()
        assert current is not None
        text = current.files[STAGE_D]
        assert 'id="d_extension_request"' not in text
        deploy_model(
            STAGE_D, with_local_extension(text), "原版本：调查中提请延期", account("designer")
        )
        old_case = filed_case("原版本案件")
        deploy_model(STAGE_D, text, "当前版本", account("designer"))
        new_case = filed_case("新版本案件")
        assert bundle_of(old_case) != bundle_of(new_case) == current.hash
        old_task, new_task = ready(old_case)[0].id, ready(new_case)[0].id
        db.session.commit()
    login(client, "officer")
    assert 'value="EXTEND"' in client.get(f"/tasks/{old_task}").get_data(as_text=True)
    new_screen = client.get(f"/tasks/{new_task}").get_data(as_text=True)
    assert 'value="EXTEND"' not in new_screen and 'value="CONCLUDE"' in new_screen
    with app.app_context():
        with pytest.raises(InvalidFields) as refused:
            complete(
                new_case, "d_investigate", "officer", evidence_summary="", next_action="EXTEND"
            )
        assert "在案件页面提请" in str(refused.value.details["next_action"])
        assert [t.bpmn_id for t in ready(new_case)] == ["d_investigate"]
        with pytest.raises(Conflict, match="「调查取证」的下一步选择「申请延长办案期限」"):
            request_extension(old_case, "案情复杂", account("officer"))
        complete(old_case, "d_investigate", "officer", evidence_summary="", next_action="EXTEND")
        (asked,) = ready(old_case)
        assert (asked.bpmn_id, asked.form_key) == (
            "d_extension_request",
            "investigation.extension_request",
        )
        asked_id = asked.id
        db.session.commit()
    assert client.get(f"/tasks/{asked_id}").status_code == 200
    with app.app_context():
        complete(old_case, "d_extension_request", "officer", extension_reason="需要补充鉴定")
        assert [t.bpmn_id for t in ready(old_case)] == ["d_investigate"]
