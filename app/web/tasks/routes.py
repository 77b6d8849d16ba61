from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectField

import forms
from app.clock import china_today
from app.enforcement import case_clock, investigators, violation_types
from app.enforcement import inbox as inbox_service
from app.enforcement import tasks as task_service
from app.enforcement.decision_support import PENALTY_FORMS, PenaltySupport, penalty_support
from app.i18n import current_locale
from app.models import HumanTask
from app.platform import InvalidFields, InvalidInput
from app.platform.row_ids import row_id
from app.web.auth.access import access, user
from app.web.htmx import redirect_to, render_fragment_or_page
from app.web.navigation import TASK_ROLES as TASK_ROLES_SET
from forms.base import N_, AccountsField, CatalogueField, SelectChoice

from . import bp

TASK_ROLES = tuple(sorted(TASK_ROLES_SET))


@bp.route("/")
@access(*TASK_ROLES)
def inbox() -> ResponseReturnValue:
    result = inbox_service.page(user(), request.args)
    return render_fragment_or_page(
        "tasks/inbox.html",
        "tasks/_inbox_rows.html",
        inbox=result,
        choices=inbox_service.filter_choices(user()),
        args=request.args,
        view=request.args.get("view") or "group",
        due_class=inbox_service.due_class,
    )


@bp.route("/<id:task_id>/claim", methods=["POST"])
@access(*TASK_ROLES)
def claim(task_id: int) -> ResponseReturnValue:
    inbox_service.claim(task_id, user())
    return redirect_to(request.referrer or url_for("tasks.inbox"))


@bp.route("/<id:task_id>/unclaim", methods=["POST"])
@access(*TASK_ROLES)
def unclaim(task_id: int) -> ResponseReturnValue:
    inbox_service.unclaim(task_id, user())
    return redirect_to(request.referrer or url_for("tasks.inbox"))


@bp.route("/<id:task_id>/follow-up", methods=["POST"])
@access(*TASK_ROLES)
def follow_up(task_id: int) -> ResponseReturnValue:
    raw = request.form.get("follow_up_on", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput("跟进日期格式应为 YYYY-MM-DD。") from None
    inbox_service.set_follow_up(task_id, day, user())
    return redirect_to(request.referrer or url_for("tasks.inbox"))


@bp.route("/bulk", methods=["POST"])
@access(*TASK_ROLES)
def bulk() -> ResponseReturnValue:
    ids = [i for i in map(row_id, request.form.getlist("task_id")) if i]
    if not ids:
        raise InvalidInput("请先勾选任务。")
    if request.form.get("action") == "assign":
        inbox_service.assign(ids, request.form.get("username", ""), user())
    else:
        inbox_service.claim_many(ids, user())
    return redirect_to(request.referrer or url_for("tasks.inbox"))


@bp.route("/<id:task_id>")
@access(*TASK_ROLES)
def show(task_id: int) -> ResponseReturnValue:
    task = task_service.get_task_for_user(task_id, user())
    form_class = forms.form_class_for(task.form_key or "")
    data = task_service.screen_data(task, form_class.prefill.values())
    if task.draft:
        form = form_class.from_draft(task.draft, current_locale())
    else:
        form = form_class.from_case_data(data, current_locale())
    return render_template(
        "tasks/show.html",
        task=task,
        form=_offered(task, form),
        support=_support(task, form, data),
        answers=task_service.party_answers(task.form_key, data),
    )


def _offered(task: HumanTask, form: forms.TaskForm) -> forms.TaskForm:
    """The screen with what the case offers: the accounts that may be chosen, and a drawn
    inspection's inspectors and draw shown as fixed (the service refuses other values)."""
    for field in form:
        if isinstance(field, CatalogueField):
            field.choices = [SelectChoice("", N_("（请选择）"))] + [
                SelectChoice(entry.code, entry.name) for entry in violation_types.catalogue()
            ]
        if isinstance(field, AccountsField):
            field.choices = [
                SelectChoice(u.id, investigators.label(u))
                for u in investigators.candidates(task.case)
            ]
    action = form["next_action"] if task.form_key == case_clock.EVIDENCE_FORM else None
    if isinstance(action, SelectField) and not case_clock.local_extension(task.case):
        # the investigation's own extension request: only on diagrams that still have it
        kept: list[Any] = [  # SelectChoice objects (the stubs predate them)
            choice
            for choice in action.choices or []
            if getattr(choice, "value", None) != case_clock.LOCAL_EXTENSION_ACTION
        ]
        action.choices = kept
    if task.form_key == investigators.INSPECTION_FORM and investigators.officers_of(
        task.case_id, investigators.INSPECTOR
    ):
        for name in ("inspectors", "draw_id"):
            form[name].render_kw = {"readonly": True}
    return form


@bp.route("/<id:task_id>/support", methods=["POST"])
@access(*TASK_ROLES)
def support(task_id: int) -> ResponseReturnValue:
    """The decision-support panel again, for what the screen holds now (htmx, on change)."""
    task = task_service.get_task_for_user(task_id, user())
    form = forms.form_class_for(task.form_key or "")(request.form, meta=_posted_meta())
    data = task_service.screen_data(task, ())
    return render_template("tasks/_support.html", task=task, support=_support(task, form, data))


def _posted_meta() -> dict[str, Any]:
    return {"today": china_today(), "locales": [current_locale()]}


def _refused(task: HumanTask, form: forms.TaskForm) -> ResponseReturnValue:
    """The screen again with its messages, 422; nothing was saved."""
    return render_fragment_or_page(
        "tasks/show.html",
        "tasks/_task_form.html",
        422,
        task=task,
        form=_offered(task, form),
        support=_support(task, form),
    )


def _support(
    task: HumanTask, form: forms.TaskForm, data: dict[str, Any] | None = None
) -> PenaltySupport | None:
    if task.form_key not in PENALTY_FORMS:
        return None
    if data is None:
        data = task_service.screen_data(task, ())
    # what the officer typed, except values the form refused: the panel reads valid data only
    entered = {
        name: value
        for name, value in form.to_task_data().items()
        if value is not None and not form[name].errors
    }
    return penalty_support({**data, **entered}, task.case_id, task.form_key)


@bp.route("/<id:task_id>", methods=["POST"])
@access(*TASK_ROLES)
def submit(task_id: int) -> ResponseReturnValue:
    task = task_service.get_task_for_user(task_id, user())
    task_service.ensure_can_complete(task, user())
    form_class = forms.form_class_for(task.form_key or "")
    form = form_class(request.form, meta=_posted_meta())
    if request.form.get("action") == "draft":
        draft = {name: request.form.getlist(name) for name in form_class.field_names()}
        task_service.save_draft(task, draft, user())
        return render_fragment_or_page(
            "tasks/show.html",
            "tasks/_task_form.html",
            task=task,
            form=_offered(task, form),
            saved=True,
        )
    if not form.validate():
        return _refused(task, form)
    case_id = task.case_id  # read now: the commit expires the task
    try:
        ready = task_service.complete_task(task, form.to_task_data(), user())
    except InvalidFields as exc:  # the case refuses what the form accepted
        for name, message in exc.details.items():
            form[name].errors = [*form[name].errors, message]
        return _refused(task, form)
    next_task = task_service.next_task_for(user(), ready)
    if next_task is not None:
        return redirect_to(url_for("tasks.show", task_id=next_task.id))
    return redirect_to(url_for("cases.show", case_id=case_id, done=1))
