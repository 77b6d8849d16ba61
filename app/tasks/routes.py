from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

import forms
from app.auth.access import access, user
from app.htmx import redirect_to, render_fragment_or_page
from app.i18n import current_locale
from app.navigation import TASK_ROLES as TASK_ROLES_SET
from app.services import tasks as task_service

from . import bp

TASK_ROLES = tuple(sorted(TASK_ROLES_SET))


@bp.route("/")
@access(*TASK_ROLES)
def inbox() -> ResponseReturnValue:
    rows = task_service.inbox(user())
    return render_fragment_or_page("tasks/inbox.html", "tasks/_inbox_rows.html", tasks=rows)


@bp.route("/<id:task_id>")
@access(*TASK_ROLES)
def show(task_id: int) -> ResponseReturnValue:
    task = task_service.get_task_for_user(task_id, user())
    form_class = forms.form_class_for(task.form_key or "")
    form = form_class.from_task_data(task.submitted_data or {}, current_locale())
    return render_template("tasks/show.html", task=task, form=form)


@bp.route("/<id:task_id>", methods=["POST"])
@access(*TASK_ROLES)
def submit(task_id: int) -> ResponseReturnValue:
    task = task_service.get_task_for_user(task_id, user())
    form = forms.form_class_for(task.form_key or "")(
        request.form, meta={"locales": [current_locale()]}
    )
    if not form.validate():
        return render_fragment_or_page(
            "tasks/show.html", "tasks/_task_form.html", 422, task=task, form=form
        )
    next_task = task_service.complete_task(task, form.to_task_data(), user())
    if next_task is not None:
        return redirect_to(url_for("tasks.show", task_id=next_task.id))
    return redirect_to(url_for("cases.show", case_id=task.case_id, done=1))
