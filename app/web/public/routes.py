"""Public pages: no login, read-only."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.prevention import guidance, sampling
from app.prevention import warning_batches as warning_service
from app.reference.enterprise import DOMAIN_LABELS
from app.web.auth.access import public
from forms.choices import EXEMPT_LISTS, INSPECTION_RESULTS

from . import bp


@bp.route("/guidance")
@public
def guidance_list() -> ResponseReturnValue:
    domain = request.args.get("domain") or None
    if domain not in {d.value for d in DOMAIN_LABELS}:
        domain = None
    groups = guidance.by_domain(guidance.items(published_only=True, domain=domain))
    domains = [(d.value, label) for d, label in DOMAIN_LABELS.items()]
    return render_template(
        "public/guidance.html",
        groups=groups,
        domains=domains,
        domain=domain,
        exemption_labels=dict(EXEMPT_LISTS),
    )


@bp.route("/warnings")
@public
def warnings() -> ResponseReturnValue:
    """违法风险预警 of the levels the rule marks public: region, domain, level, description."""
    return render_template("public/warnings.html", postings=warning_service.public_postings())


@bp.route("/inspections")
@public
def inspections() -> ResponseReturnValue:
    """双随机抽查结果公示: drawn enterprises whose inspection result is recorded."""
    return render_template(
        "public/inspections.html",
        rows=sampling.published_results(),
        results=dict(INSPECTION_RESULTS),
    )
