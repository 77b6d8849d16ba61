from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.enforcement import enterprises as enterprise_service
from app.enforcement import violation_types
from app.reference.enterprise import DOMAIN_LABELS, PARTY_TYPE_LABELS
from app.reference.roles import Role
from app.web.auth.access import access, user

from . import bp


@bp.route("/<id:enterprise_id>")
@access(*Role)
def show(enterprise_id: int) -> ResponseReturnValue:
    record = enterprise_service.health_record(enterprise_id, user(), request.args)
    return render_template(
        "enterprises/show.html",
        record=record,
        party_types=PARTY_TYPE_LABELS,
        domains=DOMAIN_LABELS,
        violation_types={
            entry.code: entry.name for entry in violation_types.catalogue(active_only=False)
        },
    )
