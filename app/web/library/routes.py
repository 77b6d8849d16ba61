"""The case library's pages: thin views over app/enforcement/library.py."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.enforcement import library as library_service
from app.web.auth.access import access, public, user
from app.web.htmx import redirect_to

from . import bp

READERS = tuple(sorted(library_service.READERS))
MARKERS = tuple(sorted(library_service.MARKERS))
PUBLISHERS = tuple(sorted(library_service.PUBLISHERS))


def _labels() -> dict[str, object]:
    return {"labels": library_service.LABELS, "region_label": library_service.region_label}


@bp.route("/library")
@access(*READERS)
def index() -> ResponseReturnValue:
    args = request.args
    return render_template(
        "library/index.html",
        found=library_service.search(user(), args),
        options=library_service.search_options(user()),
        args={k: args[k] for k in library_service.FILTERS if args.get(k)},
        **_labels(),
    )


@bp.route("/library/<id:entry_id>")
@access(*READERS)
def show(entry_id: int) -> ResponseReturnValue:
    view = library_service.entry_for_user(user(), entry_id)
    return render_template("library/entry.html", view=view, **_labels())


@bp.route("/library/<id:entry_id>/typical", methods=["POST"])
@access(*MARKERS)
def mark_typical(entry_id: int) -> ResponseReturnValue:
    # typical=0 takes the mark away; anything else (or nothing) sets it
    typical = request.form.get("typical", "1") != "0"
    library_service.set_typical(user(), entry_id, typical)
    return redirect_to(url_for("library.show", entry_id=entry_id))


@bp.route("/library/<id:entry_id>/publish")
@access(*PUBLISHERS)
def publish_preview(entry_id: int) -> ResponseReturnValue:
    """The text as the public page would show it, with the confirmation (its digest)."""
    view, text = library_service.publication_preview(user(), entry_id)
    return render_template("library/publish_preview.html", view=view, text=text, **_labels())


@bp.route("/library/<id:entry_id>/publish", methods=["POST"])
@access(*PUBLISHERS)
def publish(entry_id: int) -> ResponseReturnValue:
    published = request.form.get("publish", "1") != "0"
    digest = (request.form.get("digest") or "").strip()[:64]
    library_service.set_published(user(), entry_id, published, digest)
    return redirect_to(url_for("library.show", entry_id=entry_id))


@bp.route("/public/cases")
@public
def public_index() -> ResponseReturnValue:
    args = request.args
    return render_template(
        "library/public_index.html",
        found=library_service.published_entries(args),
        args={k: args[k] for k in ("q", "domain") if args.get(k)},
        **_labels(),
    )


@bp.route("/public/cases/<id:entry_id>")
@public
def public_show(entry_id: int) -> ResponseReturnValue:
    entry = library_service.published_entry(entry_id)
    return render_template("library/public_entry.html", entry=entry, **_labels())
