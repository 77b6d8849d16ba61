"""The `tijian` command line, run through Click's runner against a real database."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.cli import main
from app.extensions import db
from app.models import ApiToken, ProcessVersion, User
from app.platform import Unauthorized
from app.platform import workflows as workflow_service
from app.platform.auth import authenticate_token


def run(app: Flask, *args: str, input: str | None = None) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_certificates_are_recorded_where_accounts_are_administered(app: Flask) -> None:
    code, output = run(
        app,
        "create-user",
        "officer_cli",
        "--name",
        "命令行执法",
        "--region",
        "150102",
        "--role",
        "officer",
        "--cert",
        "15010299001",
        input="a-long-password\na-long-password\n",
    )
    assert code == 0, output
    code, output = run(app, "set-certificate", "inspector_chen", "15010299001")
    assert code != 0 and "已登记在其他账号上" in output
    code, output = run(app, "set-certificate", "inspector_chen", "证号")
    assert code != 0 and "执法证号应为" in output
    assert run(app, "set-certificate", "inspector_chen")[0] == 0  # withdrawn
    assert run(app, "set-certificate", "inspector_yang", "15010299002")[0] == 0
    with app.app_context():
        numbers = dict(
            db.session.execute(
                select(User.username, User.cert_no).where(
                    User.username.in_(["officer_cli", "inspector_chen", "inspector_yang"])
                )
            ).all()
        )
    assert numbers == {
        "officer_cli": "15010299001",
        "inspector_chen": None,
        "inspector_yang": "15010299002",
    }


def test_create_user_then_token(app: Flask) -> None:
    code, output = run(
        app,
        "create-user",
        "zhangsan",
        "--name",
        "张三",
        "--region",
        "150200",
        "--role",
        "officer",
        "--role",
        "unit_head",
        input="correct horse 1\ncorrect horse 1\n",
    )
    assert code == 0, output
    code, output = run(app, "create-token", "zhangsan")
    assert code == 0, output
    token = output.strip().splitlines()[-1]
    assert token.startswith("tjn_") and len(token) > 40
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "zhangsan")).scalar_one()
        assert user.role_names == {"officer", "unit_head"} and user.region_code == "150200"
        stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # only the hash is kept
        with app.test_request_context():
            found, use = authenticate_token(token, "127.0.0.1")
            assert found.username == "zhangsan" and use.creator == "cli"
            with pytest.raises(Unauthorized):
                authenticate_token(token + "x", "127.0.0.1")


def test_create_user_refuses_bad_input_and_stores_nothing(app: Flask) -> None:
    for args in (
        ("--region", "999999", "--role", "officer"),
        ("--region", "150100", "--role", "astronaut"),
    ):
        code, output = run(
            app,
            "create-user",
            "lisi",
            "--name",
            "李四",
            *args,
            input="long enough pw\nlong enough pw\n",
        )
        assert code != 0 and ("未知" in output)
    code, output = run(
        app,
        "create-user",
        "lisi",
        "--name",
        "李四",
        "--region",
        "150100",
        "--role",
        "officer",
        input="short\nshort\n",
    )
    assert code != 0 and "密码至少" in output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "lisi")).first() is None


def test_create_token_for_unknown_user_fails(app: Flask) -> None:
    code, output = run(app, "create-token", "ghost")
    assert code != 0 and "无此用户" in output


def test_check_workflows_passes_on_the_shipped_diagrams(app: Flask) -> None:
    code, output = run(app, "check-workflows")
    assert code == 0, output
    assert "walking_skeleton" in output and "0 problem(s)" in output


def test_check_workflows_reports_unregistered_form_keys(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path
    source = Path(app.config["WORKFLOWS_DIR"]) / "walking_skeleton.bpmn"
    broken = (
        source.read_text(encoding="utf-8")
        .replace("inspection.record", "skeleton.no_such_form")
        .replace('name="officer"', 'name="astronaut"')
    )
    (folder / "broken.bpmn").write_text(broken, encoding="utf-8")
    code, output = run(app, "check-workflows", "--dir", str(folder))
    assert code == 1
    assert "skeleton.no_such_form" in output and "astronaut" in output


def test_check_workflows_coverage_says_it_needs_the_test_extra(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a plain `pip install -e .` has no pytest: the spec lookup is what the command asks
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "pytest" else real_find_spec(name, *rest),
    )
    code, output = run(app, "check-workflows", "--coverage")
    assert code == 1
    assert "pip install -e '.[test]'" in output and "测试依赖" in output


def test_seed_demo_refuses_outside_demo_mode(app: Flask) -> None:
    app.config["TIJIAN_DEMO"] = False
    code, output = run(app, "seed-demo")
    assert code != 0 and "演示模式" in output


def test_serve_refuses_the_default_secret_key(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "TIJIAN_SECRET_KEY" in result.stderr


def test_serve_parses_the_active_bundles_before_forking_its_workers(app: Flask) -> None:
    with app.app_context():
        app.extensions.pop("tijian_engine", None)  # a server process starting afresh
        active = set(
            db.session.execute(
                select(ProcessVersion.bundle_hash).where(ProcessVersion.is_active.is_(True))
            ).scalars()
        )
        assert active
        assert not any(workflow_service.engine().parsed(h) for h in active)
        assert set(workflow_service.parse_active_bundles()) == active
        assert all(workflow_service.engine().parsed(h) for h in active)


def test_bench_generates_cases_and_measures_every_figure(app: Flask, tmp_path: Path) -> None:
    """The benchmark at a smoke-test size: every figure measured through the real stack (a
    gunicorn server of its own on SQLite), none asserted against its target here."""
    report = tmp_path / "bench.json"
    code, output = run(
        app, "bench", "--generate", "60", "--rounds", "3", "--timers", "20", "--report", str(report)
    )
    assert code == 0, output
    table = re.findall(
        r"^\| (.+?) \| ([\d.]+) (\S+) \| ([\d.]*) \| (.*?) \| ([✓✗–]) \|$", output, re.M
    )
    pages = {
        "inbox",
        "inbox search",
        "task screen",
        "case file",
        "enterprise record",
        "decision API",
        "case search",
        "dashboard",
        "heatmap",
        "audit log",
    }
    figures = json.loads(report.read_text())
    names = {f["name"] for f in figures["figures"]}
    assert {name for name, *_ in table} == names
    assert pages < names
    assert {
        "engine floor: load, complete, run, save (in process)",
        "HTTP task completion, 1 client",
        "HTTP completion ÷ engine floor (medians)",
        "start a case + complete 3 tasks over HTTP",
        "task completions per second, 8 clients",
        "resident memory per web worker after the load",
        "PDF of a 行政处罚决定书",
        "database bytes per closed case",
        "database read into memory before timing",  # SQLite: the file, read through
        "20 due timers fired, 1 worker",  # two workers only on PostgreSQL
    } == names - pages
    assert figures["generated"]["cases"] == 60
    # the demo's cases, the generated ones, and those the stack figures opened to complete
    assert figures["cases"] > 60 + 33
    for figure in figures["figures"]:
        assert figure["median"] > 0, figure
        assert figure["p95"] is None or figure["p95"] >= figure["median"], figure
    floor = next(f for f in figures["figures"] if f["name"].startswith("engine floor"))
    http = next(f for f in figures["figures"] if f["name"].startswith("HTTP task"))
    ratio = next(f for f in figures["figures"] if f["name"].startswith("HTTP completion ÷"))
    assert abs(ratio["median"] - http["median"] / floor["median"]) < 1e-9
