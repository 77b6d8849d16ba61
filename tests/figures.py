"""Counts the adversarial tests report as they run; at the end of a run that passed and produced
every one of them, `tests/conftest.py` writes them to docs/reliability.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

FIGURES: Counter[str] = Counter()

REPORT = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"

# name -> (what it counts, where it comes from)
LABELS = {
    "requests_under_load": (
        "请求：真实服务器并发/故障注入下处理的请求 requests served under load",
        "tests/reliability (two gunicorn servers, SIGKILL run)",
    ),
    "conflicts_answered_409": (
        "同一任务同时办理：按预期答复 409 已被他人处理 same-task races answered 409",
        "tests/reliability/test_concurrency.py",
    ),
    "faults_injected": (
        "故障注入：SIGKILL 服务器或后台进程 faults injected (SIGKILL web server or worker)",
        "tests/reliability/test_crash.py",
    ),
    "acknowledged_submissions_checked": (
        "已答复成功的提交，事后逐一核对 acknowledged submissions checked afterwards",
        "tests/reliability/test_crash.py",
    ),
    "data_lost": (
        "丢失的数据（必须为 0）data lost (must be 0)",
        "tests/reliability/test_crash.py",
    ),
    "bad_inputs_tried": (
        "尝试的错误输入（模式驱动模糊测试 + 表单模糊测试）bad inputs tried",
        "tests/integration/test_api_fuzz.py, tests/integration/test_form_fuzz.py",
    ),
    "denials_checked": (
        "访问矩阵中核对的拒绝（路由 × 岗位 × 本/外地区）denials checked",
        "tests/integration/test_access_matrix.py",
    ),
    "random_walks": (
        "随机路径：随机数据与时钟跳转走遍流程库 random walks through the process library",
        "tests/unit/test_random_walks.py",
    ),
    "random_walk_steps": (
        "随机路径中的步骤（办理或计时器触发），每步核对不变量 steps, invariants checked at each",
        "tests/unit/test_random_walks.py",
    ),
    "allowances_checked": (
        "访问矩阵中核对的允许 allowances checked",
        "tests/integration/test_access_matrix.py",
    ),
}


def count(name: str, amount: int = 1) -> None:
    if name not in LABELS:
        raise KeyError(f"unknown reliability figure {name!r}")
    FIGURES[name] += amount


def complete() -> bool:
    return set(LABELS) <= set(FIGURES)


def write_report() -> None:
    lines = [
        "# Reliability figures",
        "",
        "Written by the test suite (`tests/figures.py`) at the end of a full run that passed;",
        "the suite regenerates it on every such run, in CI too. Integration tests run on SQLite",
        "and on PostgreSQL, so their counts cover both; the reliability tests run on PostgreSQL",
        "with real `tijian serve` and `tijian worker` processes.",
        "",
        f"Last run: {dt.date.today().isoformat()}",
        "",
        "| 指标 figure | 数量 count | 来源 source |",
        "|---|---:|---|",
    ]
    for name, (label, source) in LABELS.items():
        lines.append(f"| {label} | {FIGURES[name]:,} | {source} |")
    lines.append("")
    REPORT.write_text("\n".join(lines), encoding="utf-8")
