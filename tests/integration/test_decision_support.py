"""Decision support on the penalty screens: outcomes, matched rules, fine band, live updates."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from app.clock import china_today
from app.extensions import db
from app.models import Case, CaseLibraryEntry, HumanTask
from app.platform.auth import create_user
from app.platform.parameters import set_parameter
from app.platform.workflows import deploy, directory_files
from tests.conftest import login
from tests.integration.cases import investigated_case, ready

FORM = {
    "facts": "销售超过保质期的乳制品",
    "legal_basis": "《中华人民共和国食品安全法》第三十四条",
    "sanctions": "FINE",
    "proposed_fine": "8000",
    "confiscation_value": "0",
    "fine_min": "5000",
    "fine_max": "100000",
    "harm": "GENERAL",
    "on_exempt_list": "NONE",
    "adopt_exemption": "yes",
    "discretion_reason": "情节一般",
}


def level(panel: str) -> str:
    found = re.search(r'<dd data-output="level">([^<]*)</dd>', panel)
    assert found, panel
    return found.group(1)


def report_task(app: Flask) -> int:
    with app.app_context():
        case_id = investigated_case()
        task_id = next(t.id for t in ready(case_id) if t.bpmn_id == "e_report")
        db.session.commit()
        return task_id


def test_report_screen_explains_the_tables_and_updates_as_the_officer_types(
    app: Flask, client: FlaskClient
) -> None:
    task_id = report_task(app)
    token = login(client, "officer")
    screen = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="decision-support"' in screen and "是否处罚（DMN-P1）" in screen
    assert 'id="support-waiting"' in screen  # no statutory range yet: no band

    ordinary = client.post(
        f"/tasks/{task_id}/support",
        data={"csrf_token": token, **FORM},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "应予处罚" in ordinary and "一般处罚" in ordinary
    assert 'id="fine-band"' in ordinary and "support-waiting" not in ordinary
    assert 'id="fine-outside-band"' in ordinary  # 8 000 yuan is below the ordinary band
    assert "<code>" in ordinary  # the matched rules are named

    lighter = client.post(
        f"/tasks/{task_id}/support",
        data={"csrf_token": token, **FORM, "mitigating_optional": "COOPERATIVE"},
    ).get_data(as_text=True)
    exempt = client.post(
        f"/tasks/{task_id}/support",
        data={
            "csrf_token": token,
            **FORM,
            "first_offense_2y": "y",
            "corrected": "y",
            "harm": "SLIGHT",
        },
    ).get_data(as_text=True)
    assert "可以不予处罚" in exempt
    assert level(ordinary) == "一般处罚" and level(lighter) == "从轻处罚"
    assert level(exempt) == "不予处罚"

    # nothing was saved by asking
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None and task.state == "READY" and task.draft is None


def test_support_is_only_for_the_task_holders(app: Flask, client: FlaskClient) -> None:
    task_id = report_task(app)
    with app.app_context():
        create_user("baotou", "long enough pw", "包头执法", "150200", ["officer"])
    token = login(client, "baotou", "long enough pw")
    response = client.post(f"/tasks/{task_id}/support", data={"csrf_token": token, **FORM})
    assert response.status_code == 403
    assert client.post(f"/tasks/{task_id}/support", data=FORM).status_code == 400  # no CSRF


# chosen from the catalogue: the similar cases are those filed under its name
EXPIRED_FOOD = {"violation_code": "FOOD-EXPIRED", "violated_on": "2026-03-01"}


def test_similar_cases_median_and_the_required_justification(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        for fine in (40000, 60000, 50000):
            catalogued = investigated_case()
            case = db.session.get(Case, catalogued)
            assert case is not None
            db.session.add(
                CaseLibraryEntry(
                    case_id=catalogued,
                    region_code=case.region_code,
                    violation_type="销售超过保质期的食品",
                    level="NORMAL",
                    fine=fine,
                    decided_on=dt.date(2026, 3, 1),
                )
            )
        db.session.commit()
    task_id = report_task(app)
    token = login(client, "officer")
    typed = {**FORM, "csrf_token": token, **EXPIRED_FOOD}

    far = client.post(f"/tasks/{task_id}/support", data=typed).get_data(as_text=True)
    assert "同类型、同裁量阶次的已罚款案件 3 件" in far and "¥50,000.00" in far
    assert "本案罚款偏离中位数 84%" in far and 'id="justification-required"' in far
    near = client.post(
        f"/tasks/{task_id}/support", data={**typed, "proposed_fine": "45000"}
    ).get_data(as_text=True)
    assert "偏离中位数 10%" in near and "justification-required" not in near

    refused = client.post(f"/tasks/{task_id}", data=typed)
    assert refused.status_code == 422
    assert "罚款数额偏离类案中位数超过规定比例" in refused.get_data(as_text=True)
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None and task.state == "READY"

    accepted = client.post(
        f"/tasks/{task_id}", data={**typed, "deviation_reason": "当事人系初次经营，违法所得极少"}
    )
    assert accepted.status_code == 303
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None and task.state == "COMPLETED"


def test_the_justification_share_is_configurable(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        set_parameter("FINE_DEVIATION_JUSTIFY", 0.9, china_today(), None, "放宽")
        for fine in (40000, 60000, 50000):
            catalogued = investigated_case()
            db.session.add(
                CaseLibraryEntry(
                    case_id=catalogued,
                    region_code="150102",
                    violation_type="销售超过保质期的食品",
                    level="NORMAL",
                    fine=fine,
                )
            )
        db.session.commit()
    task_id = report_task(app)
    token = login(client, "officer")
    typed = {**FORM, "csrf_token": token, **EXPIRED_FOOD}
    assert client.post(f"/tasks/{task_id}", data=typed).status_code == 303  # 84% < 90%


def test_a_case_is_advised_by_the_tables_of_its_own_version(
    app: Flask, client: FlaskClient
) -> None:
    old_task = report_task(app)
    with app.app_context():  # a designer rewords a rule; cases opened from now on use it
        files = directory_files()
        name = next(n for n in files if n.endswith("discretion_level.dmn"))
        files[name] = files[name].replace(
            "没有从轻、减轻或从重情节：一般处罚", "无任何裁量情节：一般处罚（新版）"
        )
        deploy(files, None, "reworded")
    new_task = report_task(app)
    token = login(client, "officer")
    panels = {
        task_id: client.post(
            f"/tasks/{task_id}/support", data={"csrf_token": token, **FORM}
        ).get_data(as_text=True)
        for task_id in (old_task, new_task)
    }
    assert "没有从轻、减轻或从重情节：一般处罚" in panels[old_task]
    assert "（新版）" not in panels[old_task]
    assert "无任何裁量情节：一般处罚（新版）" in panels[new_task]


def test_script_in_a_designer_dmn_output_renders_escaped(app: Flask, client: FlaskClient) -> None:
    """Issue 31 item 6: a DMN output reached the page through `_()`, which does not escape."""
    script = "<script>alert(1)</script>"
    with app.app_context():
        files = directory_files()
        name = next(n for n in files if n.endswith("discretion_level.dmn"))
        files[name] = files[name].replace(
            '<outputEntry id="discretion_level_r7_o1"><text>"NORMAL"</text>',
            '<outputEntry id="discretion_level_r7_o1"><text>"&lt;script&gt;alert(1)&lt;/script&gt;"'
            "</text>",
        )
        assert script not in files[name] and "alert(1)" in files[name]
        deploy(files, None, "a designer's output with a script")
    task_id = report_task(app)
    token = login(client, "officer")
    panel = client.post(f"/tasks/{task_id}/support", data={"csrf_token": token, **FORM}).get_data(
        as_text=True
    )
    assert level(panel) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert script not in panel
