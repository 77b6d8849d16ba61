"""The prevention side: complaint imports and hotspots (before any case exists)."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.auth.access import access, user
from app.clock import china_today
from app.extensions import db
from app.htmx import redirect_to
from app.models import ComplaintImport
from app.reference.roles import Role
from app.services import InvalidInput, NotFound, demo_complaints
from app.services import complaints as complaint_service
from app.services import hotspots as hotspot_service
from app.services.regions import region_tree

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
        demo_complaints.sample_csv(china_today()).encode("utf-8-sig"),
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
    days = _period()
    designer_roles = {Role.DESIGNER.value, Role.ADMIN.value, Role.SUPERVISOR.value}
    return render_template(
        "prevention/risks.html",
        risks=hotspot_service.risk_list(user(), china_today(), days),
        days=days,
        periods=hotspot_service.PERIODS,
        sees_rule=bool(user().role_names & designer_roles),
    )
