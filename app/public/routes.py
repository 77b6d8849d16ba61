"""Public pages: no login, read-only."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.auth.access import public
from app.reference.enterprise import DOMAIN_LABELS
from app.services import guidance

from . import bp


@bp.route("/guidance")
@public
def guidance_list() -> ResponseReturnValue:
    domain = request.args.get("domain") or None
    if domain not in {d.value for d in DOMAIN_LABELS}:
        domain = None
    groups = guidance.by_domain(guidance.items(published_only=True, domain=domain))
    domains = [(d.value, label) for d, label in DOMAIN_LABELS.items()]
    return render_template("public/guidance.html", groups=groups, domains=domains, domain=domain)
