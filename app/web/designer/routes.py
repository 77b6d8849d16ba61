"""The process library (versions of every process and decision, downloads, uploads) and the
configuration keys."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

import forms
from app.clock import china_today
from app.engine import DecisionTable, Entry, Rule
from app.i18n import current_locale
from app.modelling import case_migration
from app.modelling import process_library as library_service
from app.platform import InvalidInput, NotFound
from app.platform import parameters as parameter_service
from app.reference.roles import Role
from app.web.auth.access import access, user
from app.web.htmx import redirect_to
from app.web.security import allow_inline_styles
from forms.base import N_, SelectChoice
from forms.designer import DecisionTableForm, ElementPropertiesForm, TrialRunForm
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
            parameter_service.parse_value(form.value.data or "", form.key.data),
            form.effective_from.data,  # type: ignore[arg-type]  # validated: required
            user(),
            note=form.note.data,
            tag=form.tag.data,
        )
    except InvalidInput as exc:
        form.value.errors = [*form.value.errors, str(exc)]
        return _parameters_page(form, exc.status)
    return redirect_to(url_for("designer.parameters") + f"#{form.key.data}")


@bp.route("/processes/<process_id>/model")
@access(*READERS)
@allow_inline_styles
def modeler(process_id: str) -> ResponseReturnValue:
    model = library_service.model_of(process_id)
    return render_template(
        "designer/modeler.html", model=model, process_id=process_id, can_change=_can_change()
    )


@bp.route("/new-model")
@access(*CHANGERS)
@allow_inline_styles
def new_model() -> ResponseReturnValue:
    return render_template("designer/modeler.html", model=None, can_change=True)


def _problems(problems: Any, status: int, deployed: str | None = None) -> ResponseReturnValue:
    page = render_template(
        "designer/_problems.html",
        problems=problems,
        filename=request.form.get("filename", ""),
        deployed=deployed,
    )
    return page, status


@bp.route("/model/check", methods=["POST"])
@access(*CHANGERS)
def check_model() -> ResponseReturnValue:
    """Validate the modeler's XML within the active bundle; nothing is saved."""
    try:
        report = library_service.check_model(
            request.form.get("filename", ""), request.form.get("xml", "")
        )
    except InvalidInput as exc:
        return _problems([str(exc)], exc.status)
    return _problems(report.problems, 422 if report.problems else 200)


@bp.route("/model/deploy", methods=["POST"])
@access(*CHANGERS)
def deploy_model() -> ResponseReturnValue:
    try:
        hash_ = library_service.deploy_model(
            request.form.get("filename", ""),
            request.form.get("xml", ""),
            request.form.get("note", "")[:500],
            user(),
        )
    except library_service.InvalidModel as exc:
        return _problems(exc.problems, exc.status)
    except InvalidInput as exc:
        return _problems([str(exc)], exc.status)
    return _problems([], 200, deployed=hash_)


def _properties_form() -> ElementPropertiesForm:
    form = ElementPropertiesForm(request.form, meta={"locales": [current_locale()]})
    form.keep_shown()
    choices = library_service.model_choices()
    unset = [SelectChoice("", N_("（未设置）"))]
    if form.form_key is not None:
        form.form_key.choices = unset + [
            SelectChoice(key, f"{key} {title}") for key, title in choices.forms
        ]
    if form.called_element is not None:
        form.called_element.choices = unset + [SelectChoice(p, p) for p in choices.processes]
    if form.called_decision is not None:
        form.called_decision.choices = unset + [SelectChoice(d, d) for d in choices.decisions]
    if form.lane is not None:
        lanes = [lane for lane in (form.lanes.data or "").split("\n") if lane]
        if lanes:
            form.lane.choices = unset + [SelectChoice(lane, lane) for lane in lanes]
        else:
            del form["lane"]
    return form


def _properties_panel(form: ElementPropertiesForm, applied: bool = False) -> str:
    return render_template(
        "designer/_properties.html",
        form=form,
        can_change=_can_change(),
        applied=applied,
        helpers=library_service.helper_names(),
    )


@bp.route("/properties", methods=["POST"])
@access(*READERS)
def properties() -> ResponseReturnValue:
    """The panel for the element the modeler selected, filled with its current values."""
    return _properties_panel(_properties_form())


CODE_FIELDS = {"condition": "eval", "timer": "eval", "script": "exec"}
CODE_FIELDS |= {"pre_script": "exec", "post_script": "exec"}


@bp.route("/properties/apply", methods=["POST"])
@access(*CHANGERS)
def apply_properties() -> ResponseReturnValue:
    """Check the panel's values (the code against the sandbox); when they are fine the modeler
    writes them into the diagram (the HX-Trigger event), else they come back with the errors."""
    form = _properties_form()
    valid = form.validate()
    for name, mode in CODE_FIELDS.items():
        field = form[name] if name in form else None
        if field is None or not field.data:
            continue
        timer = form.timer_kind.data if name == "timer" and form.timer_kind else None
        refusal = library_service.expression_refusal(field.data, mode, timer)
        if refusal:
            field.errors = [*field.errors, refusal]
            valid = False
    if not valid:
        return _properties_panel(form), 422
    values = {field.name: field.data or "" for field in form if field.type != "HiddenField"}
    values["element_id"] = form.element_id.data or ""
    return Response(
        _properties_panel(form, applied=True),
        headers={"HX-Trigger": json.dumps({"tj-apply-properties": values})},
    )


@bp.route("/forms/<form_key>")
@access(*READERS)
def form_preview(form_key: str) -> ResponseReturnValue:
    if form_key not in forms.registered_form_keys():
        raise NotFound("表单不存在。")
    form = forms.form_class_for(form_key).from_case_data({}, current_locale())
    return render_template("designer/form_preview.html", form=form, form_key=form_key)


def _table_form(table: DecisionTable) -> DecisionTableForm:
    data = {
        "hit_policy": table.hit_policy,
        "rules": [
            {
                "id": rule.id,
                "inputs": [entry.text for entry in rule.inputs],
                "outputs": [entry.text for entry in rule.outputs],
                "annotation": rule.annotation,
            }
            for rule in table.rules
        ],
    }
    return DecisionTableForm(data=data, meta={"locales": [current_locale()]})


def _table_page(
    edit: library_service.TableEdit,
    form: DecisionTableForm,
    status: int = 200,
    deployed: str | None = None,
    checked: bool = False,
) -> ResponseReturnValue:
    page = render_template(
        "designer/decision_table.html",
        edit=edit,
        table=edit.table,
        form=form,
        marked={problem.element for problem in edit.problems if problem.element},
        can_change=_can_change(),
        deployed=deployed,
        checked=checked,
    )
    return page, status


@bp.route("/decisions/<decision_id>")
@access(*READERS)
def decision_table(decision_id: str) -> ResponseReturnValue:
    edit = library_service.decision_table(decision_id)
    return _table_page(edit, _table_form(edit.table))


@bp.route("/decisions/<decision_id>", methods=["POST"])
@access(*CHANGERS)
def edit_decision(decision_id: str) -> ResponseReturnValue:
    """Add a row (nothing saved), check the edited table within the bundle, or deploy it."""
    current = library_service.decision_table(decision_id)
    form = DecisionTableForm(request.form, meta={"locales": [current_locale()]})
    if not form.validate():
        return _table_page(current, form, 422)
    hit_policy = form.hit_policy.data or ""
    rules = [
        Rule(
            row.form.id.data or "",
            tuple(Entry("", text or "") for text in row.form.inputs.data),
            tuple(Entry("", text or "") for text in row.form.outputs.data),
            row.form.annotation.data or "",
        )
        for row in form.rules
        if not row.form.delete.data
    ]
    action = request.form.get("action", "check")
    if action == "add":
        blank = Rule(
            "",
            tuple(Entry("", "") for _ in current.table.inputs),
            tuple(Entry("", "") for _ in current.table.outputs),
            "",
        )
        table = dataclasses.replace(current.table, hit_policy=hit_policy, rules=(*rules, blank))
        return _table_page(dataclasses.replace(current, table=table), _table_form(table))
    try:
        edit = library_service.check_decision(decision_id, hit_policy, rules)
    except InvalidInput as exc:
        form.hit_policy.errors = [*form.hit_policy.errors, str(exc)]
        return _table_page(current, form, exc.status)
    edited = _table_form(edit.table)
    edited.note.data = form.note.data
    if edit.problems or action != "deploy":
        return _table_page(edit, edited, 422 if edit.problems else 200, checked=True)
    hash_ = library_service.deploy_decision(
        decision_id, hit_policy, rules, form.note.data or "", user()
    )
    return _table_page(edit, edited, deployed=hash_)


@bp.route("/migrate/<old_hash>/<new_hash>")
@access(*READERS)
def migration(old_hash: str, new_hash: str) -> ResponseReturnValue:
    """The dry run: which running cases could move to the new version, and why others not."""
    report = case_migration.dry_run(old_hash, new_hash, user())
    return render_template("designer/migrate.html", report=report, can_change=_can_change())


@bp.route("/migrate/<old_hash>/<new_hash>", methods=["POST"])
@access(*CHANGERS)
def migrate(old_hash: str, new_hash: str) -> ResponseReturnValue:
    report = case_migration.migrate(old_hash, new_hash, user())
    return render_template("designer/migrate.html", report=report, can_change=True, done=True)


def _trial_page(
    process_id: str,
    form: TrialRunForm,
    sandbox: library_service.SandboxRun | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    states = sandbox.run.element_states.get(process_id, {}) if sandbox else {}
    page = render_template(
        "designer/trial_run.html",
        process_id=process_id,
        model=sandbox.model if sandbox else library_service.model_of(process_id),
        form=form,
        sandbox=sandbox,
        states=json.dumps(states),
        data=json.dumps(sandbox.run.data, ensure_ascii=False, indent=2, default=str)
        if sandbox
        else "",
    )
    return page, status


@bp.route("/processes/<process_id>/trial")
@access(*READERS)
def trial_run(process_id: str) -> ResponseReturnValue:
    form = TrialRunForm(meta={"locales": [current_locale()]})
    form.answers.data = library_service.answers_template(process_id)
    return _trial_page(process_id, form)


@bp.route("/processes/<process_id>/trial", methods=["POST"])
@access(*READERS)
def run_trial(process_id: str) -> ResponseReturnValue:
    """A sandbox run: nothing is stored, so whoever may read the models may try them."""
    form = TrialRunForm(request.form, meta={"locales": [current_locale()]})
    if not form.validate():
        return _trial_page(process_id, form, status=422)
    try:
        sandbox = library_service.trial_run(
            process_id, form.start_data.data or "", form.answers.data or "", form.fire_timers.data
        )
    except InvalidInput as exc:
        form.answers.errors = [*form.answers.errors, str(exc)]
        return _trial_page(process_id, form, status=exc.status)
    return _trial_page(process_id, form, sandbox)
