"""The README's quick start is what a new user reads first: it must name every demo account and
ask for no system package."""

from __future__ import annotations

import re
from pathlib import Path

from app.demo.gallery import TEAM_ROLES, team_accounts
from app.demo.seed import DEMO_ACCOUNTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_demo_account_is_named() -> None:
    named = set(re.findall(r"`([a-z_]+)`", README))
    missing = [username for username, *_ in DEMO_ACCOUNTS if username not in named]
    assert not missing, f"README lacks {missing}"
    # the regional teams are named by one team's accounts, every role of it
    team = {username for username, *_ in team_accounts() if username.endswith("_es")}
    assert len(team) == len(TEAM_ROLES) and team <= named, team - named


def test_the_quick_start_needs_no_system_package() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    assert "pip install -e ." in quick_start and "serve --demo" in quick_start
    assert not re.search(r"\b(apt|apt-get|sudo|dpkg)\b", quick_start)
