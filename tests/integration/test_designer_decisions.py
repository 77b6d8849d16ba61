"""The decision-table editor: rules, entries, annotations and hit policy edited in an HTML table,
checked within the whole bundle (problems marked on their cells) and deployed as a new version
that decides new cases, while the columns (the public contract) stay as they are."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.engine import read_table
from app.extensions import db
from app.modelling.process_library import active_bundle
from app.models import WorkflowBundle
from tests.conftest import login

THRESHOLD = '? <= param("SUMMARY_MAX_NATURAL")'


def table_form(page: str) -> dict[str, str]:
    """The editor's fields as the browser would post them (inputs and selected options)."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    for name in re.findall(r'<input[^>]*name="([^"]+)"(?![^>]*value=)[^>]*>', page):
        fields.setdefault(name, "")
    fields.pop("note", None)
    selected = re.search(r'name="hit_policy">.*?<option selected value="([^"]+)"', page)
    assert selected
    fields["hit_policy"] = selected.group(1)
    return {k: html.unescape(v) for k, v in fields.items() if not k.endswith("-delete")}


def procedure_table(app: Flask) -> tuple[str, str]:
    with app.app_context():
        bundle = active_bundle()
        assert bundle is not None
        return bundle.hash, bundle.files["decisions/procedure.dmn"]


def test_the_editor_shows_columns_and_rules(app: Flask, client: FlaskClient) -> None:
    login(client, "designer")
    page = client.get("/designer/decisions/procedure").get_data(as_text=True)
    assert "拟罚款数额" in page and "proposed_fine" in page  # columns with their expressions
    fields = table_form(page)
    assert fields["rules-1-inputs-3"] == THRESHOLD
    assert fields["rules-1-id"] == "procedure_r2"
    assert client.get("/designer/decisions/nonexistent").status_code == 404


def test_a_changed_threshold_is_deployed_as_a_new_version(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    old_hash, old_xml = procedure_table(app)
    fields = table_form(client.get("/designer/decisions/procedure").get_data(as_text=True))
    fields.update(
        {
            "csrf_token": token,
            "rules-1-inputs-3": "? <= 100",
            "rules-3-inputs-3": "? > 100",
            "rules-1-annotation": "试点：自然人简易程序上限 100 元",
            "note": "简易程序门槛试点",
            "action": "deploy",
        }
    )
    response = client.post("/designer/decisions/procedure", data=fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "已部署新版本" in response.get_data(as_text=True)
    new_hash, new_xml = procedure_table(app)
    assert new_hash != old_hash
    before, after = (read_table("p.dmn", x, "procedure") for x in (old_xml, new_xml))
    assert after.inputs == before.inputs and after.outputs == before.outputs  # the contract
    assert [r.id for r in after.rules] == [r.id for r in before.rules]
    assert after.rules[1].inputs[3].text == "? <= 100"
    assert after.rules[1].inputs[3].id == before.rules[1].inputs[3].id
    assert after.rules[1].annotation == "试点：自然人简易程序上限 100 元"
    assert after.rules[0] == before.rules[0]  # untouched rules stay as they were
    diff = client.get(f"/designer/diff/{old_hash}/{new_hash}").get_data(as_text=True)
    assert "procedure_r2" in diff and "procedure_r4" in diff and "procedure_r1<" not in diff


def test_added_and_deleted_rules(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    fields = table_form(client.get("/designer/decisions/procedure").get_data(as_text=True))
    rules = len({k.split("-")[1] for k in fields if k.startswith("rules-")})
    added = client.post(
        "/designer/decisions/procedure", data={**fields, "csrf_token": token, "action": "add"}
    )
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and f'name="rules-{rules}-inputs-0"' in page
    fields = table_form(page)
    fields.update({"csrf_token": token, "rules-0-delete": "y", "action": "check"})
    fields[f"rules-{rules}-inputs-1"] = '"REVOKE_LICENSE"'
    fields[f"rules-{rules}-outputs-0"] = '"ORDINARY"'
    checked = client.post("/designer/decisions/procedure", data=fields)
    assert checked.status_code == 200 and "校验通过" in checked.get_data(as_text=True)
    ids = re.findall(r'data-rule="([^"]*)"', checked.get_data(as_text=True))
    assert "procedure_r1" not in ids and len(ids) == rules and ids[-1].startswith("procedure_r")


def test_a_broken_entry_is_refused_and_marked_on_its_cell(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(WorkflowBundle)).scalar()
    fields = table_form(client.get("/designer/decisions/procedure").get_data(as_text=True))
    fields.update(
        {"csrf_token": token, "rules-1-inputs-3": "? <= __import__('os')", "action": "deploy"}
    )
    response = client.post("/designer/decisions/procedure", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "procedure_r2_i4" in page and "__import__" in page
    assert re.search(r'<td class="has-error"><input[^>]*name="rules-1-inputs-3"', page)
    fields["hit_policy"] = "FIRST"  # not one the engine evaluates
    assert client.post("/designer/decisions/procedure", data=fields).status_code == 422
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(WorkflowBundle)).scalar() == (
            before
        )


def test_only_designers_and_admins_edit_tables(app: Flask, client: FlaskClient) -> None:
    token = login(client, "supervisor")
    page = client.get("/designer/decisions/procedure").get_data(as_text=True)
    assert 'value="deploy"' not in page and "readonly" in page
    fields = {**table_form(page), "csrf_token": token, "action": "deploy"}
    assert client.post("/designer/decisions/procedure", data=fields).status_code == 403
