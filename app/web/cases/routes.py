from __future__ import annotations

from flask import Response, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from app.clock import china_today
from app.enforcement import attachments as attachment_service
from app.enforcement import case_clock, investigators, payments, rectification, relief
from app.enforcement import case_search as search_service
from app.enforcement import cases as case_service
from app.enforcement import documents as document_service
from app.enforcement import inbox as inbox_service
from app.i18n import current_locale
from app.integration import events as event_service
from app.models import Case
from app.platform import InvalidInput
from app.platform.row_ids import row_id
from app.platform.workflows import startable_versions
from app.reference.provinces import PROVINCES
from app.reference.roles import Role
from app.web.auth.access import access, user
from app.web.htmx import redirect_to, render_fragment_or_page
from app.web.security import with_own_styles
from forms.base import SelectChoice
from forms.cases import (
    AttachmentForm,
    CommentForm,
    DocumentChangeForm,
    ExtensionRequestForm,
    PartyRequestForm,
    StartCaseForm,
)
from forms.inspection import RectificationOrderForm

from . import bp

CASE_READERS = tuple(Role)


@bp.route("/")
@access(*CASE_READERS)
def index() -> ResponseReturnValue:
    """Case search; `?filter=<id>` applies one of the user's saved filters."""
    args = request.args
    saved_filter = row_id(args.get("filter"))
    if saved_filter:
        args = MultiDict(search_service.saved_args(user(), saved_filter))
    return render_fragment_or_page(
        "cases/index.html",
        "cases/_rows.html",
        found=search_service.search(user(), args),
        args=args,
        saved=search_service.filters_of(user()),
        stages=inbox_service.filter_choices(user()).stages,
    )


@bp.route("/filters", methods=["POST"])
@access(*CASE_READERS)
def save_filter() -> ResponseReturnValue:
    saved = search_service.save_filter(user(), request.form.get("name", ""), request.form)
    return redirect_to(url_for("cases.index", filter=saved.id))


@bp.route("/filters/<id:filter_id>/delete", methods=["POST"])
@access(*CASE_READERS)
def delete_filter(filter_id: int) -> ResponseReturnValue:
    search_service.delete_filter(user(), filter_id)
    return redirect_to(url_for("cases.index"))


@bp.route("/new", methods=["GET", "POST"])
@access(Role.OFFICER)
def new() -> ResponseReturnValue:
    form = StartCaseForm(request.form, meta={"locales": [current_locale()]})
    form.process_id.choices = [SelectChoice(v.process_id, v.name) for v in startable_versions()]
    form.enterprise_id.choices = [
        SelectChoice(e.id, f"{e.name}（{e.credit_code}）")
        for e in case_service.startable_enterprises(user())
    ]
    if request.method == "POST":
        if form.validate():
            case = case_service.start_case(
                user(),
                form.process_id.data,
                form.enterprise_id.data,
                form.title.data or "",
                form.entry.data or "CLUE",
            )
            return redirect_to(url_for("cases.show", case_id=case.id))
        return render_template("cases/new.html", form=form), 422
    return render_template("cases/new.html", form=form)


@bp.route("/<id:case_id>")
@access(*CASE_READERS)
def show(case_id: int) -> ResponseReturnValue:
    """The case file; `?process=` shows the diagram of the process a stage calls."""
    case = case_service.get_case_for_user(case_id, user())
    return _case_page(case)


@bp.route("/<id:case_id>/comments", methods=["POST"])
@access(*CASE_READERS)
def add_comment(case_id: int) -> ResponseReturnValue:
    case = case_service.get_case_for_user(case_id, user())
    form = CommentForm(request.form, meta={"locales": [current_locale()]})
    if not form.validate():
        return _case_page(case, form), 422
    case_service.add_comment(case.id, form.body.data or "", user())
    return redirect_to(url_for("cases.show", case_id=case.id) + "#comments")


@bp.route("/<id:case_id>/attachments", methods=["POST"])
@access(Role.OFFICER)
def add_attachment(case_id: int) -> ResponseReturnValue:
    case = case_service.get_case_for_user(case_id, user())
    form = AttachmentForm(
        CombinedMultiDict([request.files, request.form]), meta={"locales": [current_locale()]}
    )
    if form.validate():
        try:
            attachment_service.add_attachment(
                case.id, form.file.data.filename or "", form.file.data.stream, user()
            )
            return redirect_to(url_for("cases.show", case_id=case.id) + "#attachments")
        except InvalidInput as exc:  # type, size: known only once the bytes are read
            form.file.errors = [str(exc)]
    return _case_page(case, attachment_form=form), 422


@bp.route("/<id:case_id>/party-requests", methods=["POST"])
@access(Role.OFFICER)
def add_party_request(case_id: int) -> ResponseReturnValue:
    case = case_service.get_case_for_user(case_id, user())
    form = PartyRequestForm(request.form, meta={"locales": [current_locale()]})
    if not form.validate():
        return _case_page(case, party_form=form), 422
    event_service.record_party_request(case.id, form.kind.data, form.summary.data or "", user())
    return redirect_to(url_for("cases.show", case_id=case.id))


@bp.route("/<id:case_id>/extension", methods=["POST"])
@access(Role.OFFICER)
def request_extension(case_id: int) -> ResponseReturnValue:
    case = case_service.get_case_for_user(case_id, user())
    form = ExtensionRequestForm(request.form, meta={"locales": [current_locale()]})
    if not form.validate():
        return _case_page(case, extension_form=form), 422
    event_service.request_extension(case.id, form.reason.data or "", user())
    return redirect_to(url_for("cases.show", case_id=case.id))


@bp.route("/<id:case_id>/rectification-order", methods=["POST"])
@access(Role.OFFICER)
def order_rectification(case_id: int) -> ResponseReturnValue:
    """责令改正 from filing to the decision (《行政处罚法》第二十八条): the 责令改正通知书."""
    case = case_service.get_case_for_user(case_id, user())
    form = RectificationOrderForm(
        request.form, meta={"locales": [current_locale()], "today": china_today()}
    )
    if not form.validate():
        return _case_page(case, rectification_form=form), 422
    event_service.order_rectification(case.id, form.to_task_data(), user())
    return redirect_to(url_for("cases.show", case_id=case.id) + "#documents")


@bp.route("/attachments/<id:attachment_id>")
@access(*CASE_READERS)
def attachment(attachment_id: int) -> ResponseReturnValue:
    found, path = attachment_service.open_attachment(attachment_id, user())
    return send_file(
        path, mimetype=found.content_type, as_attachment=True, download_name=found.filename
    )


def _case_page(
    case: Case,
    comment_form: CommentForm | None = None,
    attachment_form: AttachmentForm | None = None,
    party_form: PartyRequestForm | None = None,
    extension_form: ExtensionRequestForm | None = None,
    rectification_form: RectificationOrderForm | None = None,
) -> str:
    locale = {"locales": [current_locale()]}
    stages = case_service.stage_progress(case)
    shown = request.args.get("process")
    return render_template(
        "cases/show.html",
        case=case,
        documents=document_service.documents_of(case),
        issuable=document_service.issuable(case) if "officer" in user().role_names else [],
        tasks=case_service.case_tasks(case),
        officers=investigators.officers_of(case.id),
        typed_investigators=investigators.typed_investigators(case),
        linked=rectification.linked_cases(case),
        timeline=case_service.case_timeline(case),
        stages=stages,
        shown_stage=next((s for s in stages if s.called_process == shown), None),
        clocks=case_service.case_clocks(case),
        comments=case_service.case_comments(case),
        comment_form=comment_form or CommentForm(meta=locale),
        attachments=attachment_service.attachments_of(case),
        attachment_form=attachment_form or AttachmentForm(meta=locale),
        party_form=party_form or PartyRequestForm(meta=locale),
        extension_form=extension_form or ExtensionRequestForm(meta=locale),
        rectification_form=rectification_form or RectificationOrderForm(meta=locale),
        decision_clock=case_clock.current(case),
        clock_entries=case_clock.entries_of(case.id),
        clock_states=case_clock.STATES,
        clock_kinds=case_clock.KINDS,
        clock_causes=case_clock.CAUSES,
        awaits_party=case_service.awaits_party(case),
        enforcement=payments.overview(case, case_service.case_data(case)),
        relief=relief.overview(case.id),
        due_class=inbox_service.due_class,
        just_completed=request.args.get("done") == "1",
        provinces=PROVINCES,
    )


@bp.route("/<id:case_id>/diagram")
@access(*CASE_READERS)
def diagram(case_id: int) -> ResponseReturnValue:
    case = case_service.get_case_for_user(case_id, user())
    xml, states = case_service.case_diagram(case, request.args.get("process") or None)
    if request.args.get("format") == "states":
        return states
    return Response(xml, mimetype="application/xml")


@bp.route("/<id:case_id>/documents/<code>/preview")
@access(*CASE_READERS)
def document_preview(case_id: int, code: str) -> ResponseReturnValue:
    return with_own_styles(document_service.preview(case_id, code, user()))


@bp.route("/<id:case_id>/documents/<code>", methods=["POST"])
@access(Role.OFFICER)
def issue_document(case_id: int, code: str) -> ResponseReturnValue:
    """Issue; with `action` (and the confirmation screen's `confirm`), correct or revoke."""
    action = request.form.get("action")
    change = (
        document_service.Change(
            action, request.form.get("reason", ""), request.form.get("confirm") == "1"
        )
        if action
        else None
    )
    document_service.issue(case_id, code, user(), change)
    return redirect_to(url_for("cases.show", case_id=case_id) + "#documents")


@bp.route("/<id:case_id>/documents/<code>/change", methods=["GET", "POST"])
@access(Role.OFFICER)
def change_document(case_id: int, code: str) -> ResponseReturnValue:
    """更正 or 撤销: the reason (GET, or POST with errors), then what will happen (POST), which
    the officer confirms (the form posts to issue_document with confirm=1)."""
    case = case_service.get_case_for_user(case_id, user())
    live = document_service.live_document(case, code)
    form = DocumentChangeForm(request.form, meta={"locales": [current_locale()]})
    context = {"case": case, "code": code, "live": live, "form": form}
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("cases/document_change.html", **context), status
    change = document_service.Change(form.action.data or "", form.reason.data or "")
    plan = document_service.plan_change(case_id, code, user(), change)
    return render_template("cases/document_change.html", plan=plan, **context)


@bp.route("/documents/<id:document_id>.pdf")
@access(*CASE_READERS)
def document_pdf(document_id: int) -> ResponseReturnValue:
    document = document_service.get_document_for_user(document_id, user())
    return Response(
        document.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=document-{document.id}.pdf"},
    )
