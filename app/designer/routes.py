"""The process library: versions of every process and decision, downloads, uploads."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth.access import access, user
from app.htmx import redirect_to
from app.reference.roles import Role
from app.services import InvalidInput
from app.services import process_library as library_service

from . import bp

READERS = (Role.DESIGNER, Role.ADMIN, Role.SUPERVISOR)
CHANGERS = (Role.DESIGNER, Role.ADMIN)


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    can_change = bool(user().role_names & {r.value for r in CHANGERS})
    library = library_service.overview()
    return (
        render_template(
            "designer/library.html", library=library, can_change=can_change, error=error
        ),
        status,
    )


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
