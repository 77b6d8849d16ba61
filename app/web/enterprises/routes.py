from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.enforcement import enterprises as enterprise_service
from app.enforcement import violation_types
from app.i18n import current_locale
from app.reference.enterprise import DOMAIN_LABELS, PARTY_TYPE_LABELS
from app.reference.provinces import PROVINCES
from app.reference.roles import ENTERPRISE_KEEPERS, Role
from app.web.auth.access import access, user
from app.web.htmx import redirect_to
from forms.base import SelectChoice
from forms.enterprise import EnterpriseDetailsForm

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
        provinces=PROVINCES,
        may_edit=bool(user().role_names & {role.value for role in ENTERPRISE_KEEPERS}),
        violation_types={
            entry.code: entry.name for entry in violation_types.catalogue(active_only=False)
        },
    )


@bp.route("/<id:enterprise_id>/edit", methods=["GET", "POST"])
@access(*ENTERPRISE_KEEPERS)
def edit(enterprise_id: int) -> ResponseReturnValue:
    """The registration details (登记地, 住所, 法定代表人); a refusal re-renders with 422."""
    enterprise = enterprise_service.get_enterprise_for_user(enterprise_id, user())
    form = EnterpriseDetailsForm(
        request.form if request.method == "POST" else None,
        obj=enterprise,
        meta={"locales": [current_locale()]},
    )
    form.registration_province.choices = [SelectChoice(c, n) for c, n in PROVINCES.items()]
    if request.method == "POST":
        if form.validate():
            enterprise_service.update_enterprise(enterprise_id, user(), form.data)
            return redirect_to(url_for("enterprises.show", enterprise_id=enterprise_id))
        return render_template("enterprises/edit.html", enterprise=enterprise, form=form), 422
    return render_template("enterprises/edit.html", enterprise=enterprise, form=form)
