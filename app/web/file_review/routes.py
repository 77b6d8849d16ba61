"""案卷评查 screens: draw a sample, score its case files, read the per-unit report."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.clock import china_today
from app.i18n import current_locale
from app.platform import InvalidInput
from app.platform.regions import region_tree
from app.reference.roles import Role
from app.supervision import dashboard as dashboard_service
from app.supervision import file_review as review_service
from app.web.auth.access import access, user
from app.web.htmx import redirect_to
from forms.base import SelectChoice
from forms.file_review import DrawSampleForm

from . import bp

DRAWERS = (Role.SUPERVISOR, Role.AGENCY_HEAD)
REVIEWERS = (Role.SUPERVISOR, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER)


def _draw_form(data: Any = None) -> DrawSampleForm:
    form = DrawSampleForm(data, meta={"locales": [current_locale()], "today": china_today()})
    names = region_tree().names
    units = dashboard_service.parse_filters(user(), {}).units
    form.unit.choices = [SelectChoice("", "全部" if len(units) > 1 else names[units[0]])] + [
        SelectChoice(code, names[code]) for code in units
    ]
    if data is None:
        form.until.data = china_today()
        form.since.data = china_today().replace(month=1, day=1)
    return form


@bp.route("/")
@access(*REVIEWERS)
def index() -> ResponseReturnValue:
    return _index_page(_draw_form())


def _index_page(form: DrawSampleForm) -> str:
    return render_template(
        "file_review/index.html", form=form, samples=review_service.samples(user())
    )


@bp.route("/", methods=["POST"])
@access(*DRAWERS)
def draw() -> ResponseReturnValue:
    form = _draw_form(request.form)
    if form.validate():
        try:
            sample = review_service.draw(
                user(),
                unit=form.unit.data or None,
                since=form.since.data,  # type: ignore[arg-type]
                until=form.until.data,  # type: ignore[arg-type]
                size=form.size.data or 5,
                case_numbers=(form.case_numbers.data or "").splitlines(),
                note=form.note.data or "",
            )
            return redirect_to(url_for("file_review.sample", sample_id=sample.id))
        except InvalidInput as exc:
            form.case_numbers.errors = [str(exc)]
    return _index_page(form), 422


@bp.route("/<id:sample_id>")
@access(*REVIEWERS)
def sample(sample_id: int, errors: dict[str, Any] | None = None) -> str:
    found, items = review_service.get_sample(sample_id, user())
    return render_template(
        "file_review/sample.html",
        sample=found,
        items=items,
        report=review_service.unit_report(items),
        reproducible=review_service.reproduces(found, items),
        checklist=review_service.CHECKLIST,
        item_names={code: name for code, name, *_ in review_service.CHECKLIST},
        scores=review_service.SCORES,
        region_names=region_tree().names,
        errors=errors,
    )


@bp.route("/items/<id:item_id>", methods=["POST"])
@access(*REVIEWERS)
def score(item_id: int) -> ResponseReturnValue:
    try:
        item = review_service.score(item_id, request.form, request.form.get("findings", ""), user())
    except InvalidInput as exc:
        item = review_service.get_item(item_id, user())
        return sample(item.sample_id, {"item": item_id, "message": str(exc)}), 422
    return redirect_to(url_for("file_review.sample", sample_id=item.sample_id) + f"#item-{item.id}")
