"""The process library (versions of every process and decision, downloads, uploads) and the
configuration keys."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth.access import access, user
from app.clock import china_today
from app.htmx import redirect_to
from app.i18n import current_locale
from app.reference.roles import Role
from app.services import InvalidInput
from app.services import parameters as parameter_service
from app.services import process_library as library_service
from forms.base import SelectChoice
from forms.parameters import ParameterChangeForm

from . import bp

READERS = (Role.DESIGNER, Role.ADMIN, Role.SUPERVISOR)
CHANGERS = (Role.DESIGNER, Role.ADMIN)


def _can_change() -> bool:
    return bool(user().role_names & {r.value for r in CHANGERS})


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    library = library_service.overview()
    page = render_template(
        "designer/library.html", library=library, can_change=_can_change(), error=error
    )
    return page, status


@bp.route("/")
@access(*READERS)
def library() -> ResponseReturnValue:
    return _page()


@bp.route("/bundles/<bundle_hash>/<path:filename>")
@access(*READERS)
def download(bundle_hash: str, filename: str) -> ResponseReturnValue:
    text = library_service.bundle_file(bundle_hash, filename)
    name = filename.rsplit("/", 1)[-1]
    return Response(
        text,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/diff/<old_hash>/<new_hash>")
@access(*READERS)
def diff(old_hash: str, new_hash: str) -> ResponseReturnValue:
    return render_template("designer/diff.html", diff=library_service.diff(old_hash, new_hash))


@bp.route("/upload", methods=["POST"])
@access(*CHANGERS)
def upload() -> ResponseReturnValue:
    uploaded = {}
    for part in request.files.getlist("files"):
        try:
            if part.filename:
                uploaded[part.filename] = part.read()
        finally:
            part.close()  # large parts are spooled to temporary files
    try:
        library_service.upload(uploaded, request.form.get("note", "")[:500], user())
    except InvalidInput as exc:
        return _page(error=str(exc), status=exc.status)
    return redirect_to(url_for("designer.library") + "#processes")


def _parameters_page(form: ParameterChangeForm, status: int = 200) -> ResponseReturnValue:
    rows = parameter_service.overview(china_today())
    page = render_template(
        "designer/parameters.html", rows=rows, form=form, can_change=_can_change()
    )
    return page, status


def _parameter_form(data: Any = None) -> ParameterChangeForm:
    form = ParameterChangeForm(data, meta={"locales": [current_locale()], "today": china_today()})
    form.key.choices = [
        SelectChoice(key, f"{key} {definition.label}")
        for key, definition in parameter_service.definitions().items()
    ]
    return form


@bp.route("/parameters")
@access(*READERS)
def parameters() -> ResponseReturnValue:
    form = _parameter_form()
    form.effective_from.data = china_today()
    return _parameters_page(form)


@bp.route("/parameters", methods=["POST"])
@access(*CHANGERS)
def change_parameter() -> ResponseReturnValue:
    form = _parameter_form(request.form)
    if not form.validate():
        return _parameters_page(form, 422)
    try:
        parameter_service.set_parameter(
            form.key.data or "",
            parameter_service.parse_value(form.value.data or ""),
            form.effective_from.data,  # type: ignore[arg-type]  # validated: required
            user(),
            note=form.note.data,
            tag=form.tag.data,
        )
    except InvalidInput as exc:
        form.value.errors = [*form.value.errors, str(exc)]
        return _parameters_page(form, exc.status)
    return redirect_to(url_for("designer.parameters") + f"#{form.key.data}")
