"""The prevention side: complaint imports and hotspots (before any case exists)."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.clock import china_today
from app.extensions import db
from app.i18n import current_locale
from app.models import ComplaintImport
from app.platform import InvalidInput, NotFound
from app.platform.regions import region_tree
from app.platform.row_ids import row_id
from app.prevention import complaints as complaint_service
from app.prevention import guidance as guidance_service
from app.prevention import hotspots as hotspot_service
from app.prevention import sampling, work_order_sample
from app.prevention import warning_batches as warning_service
from app.reference.enterprise import DOMAIN_LABELS, Domain
from app.reference.roles import Role
from app.web.auth.access import access, user
from app.web.htmx import redirect_to
from forms.base import SelectChoice
from forms.choices import EXEMPT_LISTS, INSPECTION_RESULTS
from forms.guidance import ComplianceItemForm
from forms.prevention import (
    ConflictForm,
    InspectionItemForm,
    SamplingDrawForm,
    WarningBatchForm,
)

from . import bp

IMPORTERS = (Role.CREDIT_OFFICER, Role.ADMIN)
READERS = (Role.CREDIT_OFFICER, Role.SUPERVISOR, Role.UNIT_HEAD, Role.AGENCY_HEAD, Role.ADMIN)


def _imports_page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "prevention/complaints.html",
        imports=complaint_service.recent_imports(user()),
        error=error,
    )
    return page, status


@bp.route("/complaints")
@access(*IMPORTERS)
def complaints() -> ResponseReturnValue:
    return _imports_page()


@bp.route("/complaints", methods=["POST"])
@access(*IMPORTERS)
def import_complaints() -> ResponseReturnValue:
    part = request.files.get("file")
    if part is None or not part.filename:
        return _imports_page("请选择要导入的 CSV 或 XLSX 文件。", 422)
    try:
        content = part.read(complaint_service.MAX_BYTES + 1)
    finally:
        part.close()
    try:
        report = complaint_service.import_file(part.filename, content, user())
    except InvalidInput as exc:
        return _imports_page(str(exc), exc.status)
    return redirect_to(url_for("prevention.import_report", import_id=report.import_id))


@bp.route("/complaints/sample.csv")
@access(*IMPORTERS)
def sample() -> ResponseReturnValue:
    """A 呼和浩特 export dated up to today, with a few rows the import refuses."""
    return Response(
        work_order_sample.sample_csv(china_today()).encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="work-orders-sample.csv"'},
    )


@bp.route("/complaints/imports/<id:import_id>")
@access(*IMPORTERS)
def import_report(import_id: int) -> ResponseReturnValue:
    batch = db.session.execute(
        select(ComplaintImport).where(
            ComplaintImport.id == import_id,
            ComplaintImport.id.in_(complaint_service.visible_imports(user())),
        )
    ).scalar_one_or_none()
    if batch is None:
        raise NotFound("导入记录不存在。")
    return render_template("prevention/import_report.html", batch=batch)


def _period() -> int:
    """The ?days= of the hotspot pages, one of PERIODS (90 by default)."""
    days = request.args.get("days", type=int)
    return days if days in hotspot_service.PERIODS else 90


@bp.route("/hotspots")
@access(*READERS)
def hotspots() -> ResponseReturnValue:
    days = _period()
    tree = region_tree()
    unit = request.args.get("unit") or None
    if unit not in tree.units:
        unit = None
    report = hotspot_service.hotspots(user(), china_today(), days, unit)
    units = [(code, tree.names[code]) for code in tree.units]
    return render_template(
        "prevention/hotspots.html",
        report=report,
        days=days,
        periods=hotspot_service.PERIODS,
        units=units,
        unit=unit,
        can_import=bool(user().role_names & {r.value for r in IMPORTERS}),
    )


@bp.route("/risks")
@access(*READERS)
def risks() -> ResponseReturnValue:
    """违法风险预警分级清单, graded by the designer-editable table risk_grade."""
    form = _batch_form()
    form.served_on.data = china_today()
    return _risks_page(form)


def _risks_page(
    form: WarningBatchForm, status: int = 200, error: str | None = None
) -> ResponseReturnValue:
    days = _period()
    designer_roles = {Role.DESIGNER.value, Role.ADMIN.value, Role.SUPERVISOR.value}
    page = render_template(
        "prevention/risks.html",
        risks=hotspot_service.risk_list(user(), china_today(), days),
        days=days,
        periods=hotspot_service.PERIODS,
        sees_rule=bool(user().role_names & designer_roles),
        form=form,
        can_publish=bool(user().role_names & {r.value for r in IMPORTERS}),
        error=error,
    )
    return page, status


GUIDANCE_EDITORS = (Role.CREDIT_OFFICER, Role.ADMIN)


def _guidance_form(data: Any = None, obj: Any = None) -> ComplianceItemForm:
    form = ComplianceItemForm(data, obj=obj, meta={"locales": [current_locale()]})
    form.domain.choices = [SelectChoice(d.value, label) for d, label in DOMAIN_LABELS.items()]
    return form


def _guidance_page(
    form: ComplianceItemForm, item_id: int | None, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "prevention/guidance.html",
        items=guidance_service.items(published_only=False),
        exemption_labels=dict(EXEMPT_LISTS),
        form=form,
        item_id=item_id,
    )
    return page, status


@bp.route("/guidance")
@access(*GUIDANCE_EDITORS)
def guidance() -> ResponseReturnValue:
    """合规指引清单 maintenance: every item (published or not) and the form for a new one."""
    item_id = request.args.get("item", type=row_id)
    item = guidance_service.get(item_id) if item_id is not None else None
    return _guidance_page(_guidance_form(obj=item), item_id)


@bp.route("/guidance", methods=["POST"])
@access(*GUIDANCE_EDITORS)
def save_guidance() -> ResponseReturnValue:
    item_id = request.args.get("item", type=row_id)
    if item_id is not None:
        guidance_service.get(item_id)  # 404 before validating a form for nothing
    form = _guidance_form(request.form)
    if not form.validate():
        return _guidance_page(form, item_id, 422)
    item = guidance_service.save(item_id, form.data, user())
    return redirect_to(url_for("prevention.guidance") + f"#item-{item.id}")


def _batch_form(data: Any = None) -> WarningBatchForm:
    form = WarningBatchForm(data, meta={"locales": [current_locale()], "today": china_today()})
    # the rows are checked by the service against the list as it stands when publishing; the
    # page renders the boxes from that list itself
    form.risks.validate_choice = False
    return form


@bp.route("/warnings/preview", methods=["POST"])
@access(*IMPORTERS)
def preview_warnings() -> ResponseReturnValue:
    """Who a batch of the ticked rows would reach (htmx fragment)."""
    keys = request.form.getlist("risks")
    try:
        found = warning_service.preview(user(), keys, _period())
    except InvalidInput as exc:
        return render_template("prevention/_recipients.html", error=str(exc)), exc.status
    return render_template("prevention/_recipients.html", recipients=found)


@bp.route("/warnings", methods=["POST"])
@access(*IMPORTERS)
def publish_warnings() -> ResponseReturnValue:
    form = _batch_form(request.form)
    if not form.validate():
        return _risks_page(form, 422)
    try:
        batch = warning_service.publish(
            user(),
            form.risks.data or [],
            _period(),
            form.served_on.data,  # type: ignore[arg-type]  # validated: required
        )
    except InvalidInput as exc:
        return _risks_page(form, exc.status, str(exc))
    return redirect_to(url_for("prevention.warning_batch", batch_id=batch.id))


@bp.route("/warnings")
@access(*READERS)
def warnings() -> ResponseReturnValue:
    return render_template("prevention/warnings.html", batches=warning_service.batches(user()))


@bp.route("/warnings/<id:batch_id>")
@access(*READERS)
def warning_batch(batch_id: int) -> ResponseReturnValue:
    batch, recipients = warning_service.batch_for_user(batch_id, user())
    return render_template("prevention/warning_batch.html", batch=batch, recipients=recipients)


DRAWERS = (Role.CREDIT_OFFICER, Role.ADMIN)
DRAW_READERS = (*READERS, Role.OFFICER)


def _draw_form(data: Any = None) -> SamplingDrawForm:
    form = SamplingDrawForm(data, meta={"locales": [current_locale()]})
    form.unit_code.choices = [SelectChoice(code, name) for code, name in sampling.units(user())]
    form.domain.choices = [SelectChoice(d.value, label) for d, label in DOMAIN_LABELS.items()]
    return form


def _draws_page(
    form: SamplingDrawForm, status: int = 200, error: str | None = None
) -> ResponseReturnValue:
    units = dict(sampling.units(user()))
    unit = form.unit_code.data if form.unit_code.data in units else next(iter(units), None)
    domain = form.domain.data or Domain.FOOD.value
    form.unit_code.data, form.domain.data = unit, domain
    form.items.choices = [
        SelectChoice(i.code, f"{i.code} {i.name}（{i.method}）") for i in sampling.items(domain)
    ]
    found = sampling.pools(unit, domain) if unit else None
    plan = (
        sampling.ratios({c: len(p) for c, p in found.enterprises.items()}, bool(form.trigger.data))[
            0
        ]
        if found
        else {}
    )
    conflict_form = ConflictForm(meta={"locales": [current_locale()]})
    if found:
        conflict_form.user_id.choices = [
            SelectChoice(u.id, u.display_name) for u in found.inspectors
        ]
        conflict_form.enterprise_id.choices = [
            SelectChoice(e.id, e.name) for p in found.enterprises.values() for e in p
        ]
    page = render_template(
        "prevention/draws.html",
        form=form,
        conflict_form=conflict_form,
        pools=found,
        plan=plan,
        draws=sampling.draws(user()),
        can_draw=bool(user().role_names & {r.value for r in DRAWERS}),
        lenient=sampling.lenient,
        error=error,
    )
    return page, status


@bp.route("/draws")
@access(*DRAW_READERS)
def draws() -> ResponseReturnValue:
    return _draws_page(_draw_form(request.args))


@bp.route("/draws", methods=["POST"])
@access(*DRAWERS)
def make_draw() -> ResponseReturnValue:
    form = _draw_form(request.form)
    form.items.choices = [SelectChoice(i.code, i.name) for i in sampling.items(form.domain.data)]
    if not form.validate():
        return _draws_page(form, 422)
    try:
        draw = sampling.make_draw(
            user(),
            form.unit_code.data or "",
            form.domain.data or "",
            form.items.data or [],
            bool(form.trigger.data),
        )
    except InvalidInput as exc:
        return _draws_page(form, exc.status, str(exc))
    return redirect_to(url_for("prevention.draw", draw_id=draw.id))


@bp.route("/draws/<id:draw_id>")
@access(*DRAW_READERS)
def draw(draw_id: int) -> ResponseReturnValue:
    found, targets = sampling.draw_for_user(draw_id, user())
    return render_template(
        "prevention/draw.html",
        draw=found,
        targets=targets,
        check=sampling.verify(found),
        results=dict(INSPECTION_RESULTS),
        unit=region_tree().names[found.unit_code],
    )


@bp.route("/conflicts", methods=["POST"])
@access(*DRAWERS)
def declare_conflict() -> ResponseReturnValue:
    """回避: an officer declared to have an interest in an enterprise is never drawn for it."""
    form = ConflictForm(request.form, meta={"locales": [current_locale()]})
    form.user_id.choices = form.enterprise_id.choices = None  # ids checked by the service
    form.user_id.validate_choice = form.enterprise_id.validate_choice = False
    back = _draw_form(request.args)
    if not form.validate():
        return _draws_page(back, 422, "；".join(e for errs in form.errors.values() for e in errs))
    sampling.declare_conflict(
        user(), form.user_id.data, form.enterprise_id.data, form.reason.data or ""
    )
    return redirect_to(
        url_for("prevention.draws", unit_code=back.unit_code.data, domain=back.domain.data)
    )


def _item_form(data: Any = None, obj: Any = None) -> InspectionItemForm:
    form = InspectionItemForm(data, obj=obj, meta={"locales": [current_locale()]})
    form.domain.choices = [SelectChoice(d.value, label) for d, label in DOMAIN_LABELS.items()]
    return form


def _items_page(
    form: InspectionItemForm, item_id: int | None, status: int = 200, error: str | None = None
) -> ResponseReturnValue:
    page = render_template(
        "prevention/items.html",
        items=sampling.all_items(),
        form=form,
        item_id=item_id,
        can_edit=bool(user().role_names & {r.value for r in DRAWERS}),
        error=error,
    )
    return page, status


@bp.route("/items")
@access(*DRAW_READERS)
def items() -> ResponseReturnValue:
    """抽查事项清单: every item, in use or retired, and the form to add or change one."""
    item_id = request.args.get("item", type=row_id)
    item = sampling.get_item(item_id) if item_id is not None else None
    return _items_page(_item_form(obj=item), item_id)


@bp.route("/items", methods=["POST"])
@access(*DRAWERS)
def save_item() -> ResponseReturnValue:
    item_id = request.args.get("item", type=row_id)
    if item_id is not None:
        sampling.get_item(item_id)  # 404 before validating a form for nothing
    form = _item_form(request.form)
    if not form.validate():
        return _items_page(form, item_id, 422)
    try:
        item = sampling.save_item(item_id, form.data, user())
    except InvalidInput as exc:
        return _items_page(form, item_id, exc.status, str(exc))
    return redirect_to(url_for("prevention.items") + f"#item-{item.id}")
