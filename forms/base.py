"""The base class of every task screen and the field builders they share."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

__all__ = [
    "N_",
    "SelectChoice",
    "AccountsField",
    "TaskForm",
    "accounts",
    "check_box",
    "choice",
    "confirm",
    "count",
    "day",
    "money",
    "names",
    "several",
    "text",
    "yes_no",
]

MAX_YUAN = 100_000_000_000


def N_(text: str) -> str:  # noqa: N802 - the gettext marker convention
    """Marks a label or help text for translation; the template translates it when rendering."""
    return text


class TaskForm(Form):
    form_key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    # field -> case-data name it starts from; explicit so a reviewer's 是/否 is never carried
    # over from an earlier, unrelated approval
    prefill: ClassVar[Mapping[str, str]] = {}
    # field -> (case-data date it may not precede, the message): checked against the case when
    # the task is completed (a test report received before the sample was sent, say)
    not_before: ClassVar[Mapping[str, tuple[str, str]]] = {}

    class Meta:
        locales = ("zh_Hans",)
        today: dt.date | None = None  # the screen's "today"; None: the real date

    def to_task_data(self) -> dict[str, Any]:
        """Field data as JSON-safe task data: dates as ISO strings, money as numbers."""
        return {field.name: _json_safe(field.data) for field in self}

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], today: dt.date, locale: str = "zh_Hans"
    ) -> TaskForm:
        """The form as if a browser had posted `data` (JSON values: booleans for 是/否 and
        check boxes, lists for several choices, numbers, ISO dates). Unknown names are ignored
        by WTForms; callers that must refuse them compare with `field_names()`."""
        kinds = {field.name: field.type for field in cls()}
        posted = _Posted()
        for name, value in data.items():
            kind = kinds.get(name)
            if kind is None or value is None or (kind == "BooleanField" and value is False):
                continue
            if kind == "RadioField" and isinstance(value, bool):
                posted.add(name, "yes" if value else "no")
            elif kind == "BooleanField":
                posted.add(name, "y" if value is True else str(value))
            elif isinstance(value, list):
                for item in value:
                    posted.add(name, str(item))
            else:
                posted.add(name, str(value))
        return cls(posted, meta={"today": today, "locales": [locale]})

    @classmethod
    def from_case_data(cls, data: Mapping[str, Any], locale: str = "zh_Hans") -> TaskForm:
        """A fresh screen: the fields named in `prefill` take their values from the case."""
        return cls.from_task_data(
            {field: data[name] for field, name in cls.prefill.items() if name in data}, locale
        )

    @classmethod
    def from_draft(cls, draft: Mapping[str, list[str]], locale: str = "zh_Hans") -> TaskForm:
        """The form exactly as it was when its draft was saved (raw strings, unvalidated)."""
        posted = _Posted()
        for name, values in draft.items():
            for value in values:
                posted.add(name, value)
        return cls(posted, meta={"locales": [locale]})

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(field.name for field in cls())

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """A machine-readable description of the screen (for the API)."""
        described = []
        for field in cls():
            entry: dict[str, Any] = {
                "name": field.name,
                "type": _API_TYPES.get(field.type, "string"),
                "required": bool(field.flags.required),
                "label": field.label.text,
                "description": field.description or "",
            }
            if isinstance(field, SelectField | SelectMultipleField):
                entry["choices"] = [
                    {"value": value, "label": label} for value, label, *_ in field.iter_choices()
                ]
            described.append(entry)
        return described

    @classmethod
    def from_task_data(cls, data: Mapping[str, Any], locale: str = "zh_Hans") -> TaskForm:
        """A form pre-filled from task data (ISO strings back to dates where a field wants one)."""
        form = cls(meta={"locales": [locale]})
        for field in form:
            if field.name in data:
                field.process_data(_from_json(field, data[field.name]))
        return form


class _Posted(dict[str, list[str]]):
    """Form data as WTForms reads it (a multi-dict with getlist), without a web framework."""

    def add(self, name: str, value: str) -> None:
        self.setdefault(name, []).append(value)

    def getlist(self, name: str) -> list[str]:
        return list(self.get(name, []))


_API_TYPES = {
    "RadioField": "boolean",
    "BooleanField": "boolean",
    "DateField": "date",
    "DecimalField": "number",
    "MoneyField": "number",
    "IntegerField": "integer",
    "SelectField": "choice",
    "SelectMultipleField": "choices",
    "AccountsField": "accounts",
    "CatalogueField": "choice",
}


def today_of(form: Form) -> dt.date:
    """The day in China, which the caller passes as meta `today`: the server's own date is a
    different day for eight hours of every day."""
    today: dt.date | None = getattr(form.meta, "today", None)
    if today is None:
        raise RuntimeError("form validated without meta today")
    return today


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():  # "Infinity", "NaN": refused by the field, never task data
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _from_json(field: Any, value: Any) -> Any:
    if isinstance(value, str) and field.type == "DateField":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value


# ---------------------------------------------------------------- field builders


def _bool(value: Any) -> bool | None:
    if value in (True, "yes"):
        return True
    if value in (False, "no"):
        return False
    return None


def yes_no(label: str, description: str = "") -> RadioField:
    """A decision the process branches on: 是 / 否, one must be chosen."""
    return RadioField(
        label,
        choices=[SelectChoice("yes", N_("是")), SelectChoice("no", N_("否"))],
        coerce=_bool,
        validators=[InputRequired(message=N_("请选择“是”或“否”。"))],
        description=description,
    )


def check_box(label: str, description: str = "") -> BooleanField:
    """A circumstance that applies or not (unticked = no)."""
    return BooleanField(label, description=description)


def confirm(label: str, message: str, description: str = "") -> BooleanField:
    """A step the law requires; the screen cannot be submitted without it."""
    return BooleanField(label, validators=[DataRequired(message=message)], description=description)


class _NotAfterToday:
    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data > today_of(form):
            raise ValidationError(N_("日期不能晚于今天。"))


class RequiredWhen:
    """An optional field that one answer of another field makes required (the date of a payment
    only when it was paid). It runs before Optional, which ends the checks of an empty field."""

    def __init__(self, other: str, answer: object, message: str) -> None:
        self.other, self.answer, self.message = other, answer, message

    def __call__(self, form: Form, field: Field) -> None:
        empty = not field.raw_data or not str(field.raw_data[0]).strip()
        if empty and form[self.other].data == self.answer:
            field.errors = []  # "not a valid choice" of the empty value says less than this
            raise StopValidation(self.message)


def day(
    label: str,
    required: bool = True,
    past: bool = True,
    description: str = "",
    required_when: RequiredWhen | None = None,
) -> DateField:
    checks: list[Any] = [InputRequired(message=N_("请填写日期。")) if required else Optional()]
    if required_when is not None:
        checks.insert(0, required_when)
    if past:
        checks.append(_NotAfterToday())
    return DateField(label, validators=checks, description=description)


class MoneyField(DecimalField):
    """A DecimalField that refuses Infinity and NaN (Decimal parses them; comparing a signalling
    NaN then raises inside the range check)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(N_("请填写有效的金额。"))


def money(label: str, required: bool = True, description: str = "") -> DecimalField:
    return MoneyField(
        label,
        places=2,
        validators=[
            InputRequired(message=N_("请填写金额。")) if required else Optional(),
            NumberRange(min=0, max=MAX_YUAN, message=N_("金额应在 0 至 1000 亿元之间。")),
        ],
        description=description,
    )


def deviation_reason() -> Field:
    """Required by the service, not the form: only the case's similar cases tell whether the
    fine deviates far enough from their median to need it."""
    return text(
        N_("偏离类案中位数的理由"),
        required=False,
        description=N_("拟罚款数额偏离同类案件中位数超过规定比例的，须书面说明理由。"),
    )


def count(
    label: str, low: int, high: int, default: int | None = None, description: str = ""
) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message=N_("请填写数字。")),
            NumberRange(min=low, max=high, message=N_("超出允许范围。")),
        ],
        description=description,
    )


def text(
    label: str,
    required: bool = True,
    long: bool = True,
    description: str = "",
    required_when: RequiredWhen | None = None,
) -> Field:
    checks: list[Any] = [
        DataRequired(message=N_("此项必填。")) if required else Optional(),
        Length(max=4000 if long else 200, message=N_("内容过长。")),
    ]
    if required_when is not None:
        checks.insert(0, required_when)
    kind = TextAreaField if long else StringField
    return kind(label, validators=checks, description=description)


def choice(
    label: str,
    options: Sequence[tuple[str, str]],
    description: str = "",
    required_when: RequiredWhen | None = None,
) -> SelectField:
    """A required choice, or with `required_when` one that only that answer requires."""
    checks: list[Any] = (
        [InputRequired(message=N_("请选择。"))]
        if required_when is None
        else [required_when, Optional()]
    )
    return SelectField(
        label,
        choices=[SelectChoice(code, name) for code, name in options],
        validators=checks,
        description=description,
    )


class AtLeastOne:
    """Like DataRequired, but without the `required` flag: on a list of checkboxes the browser
    would otherwise demand that every box be ticked."""

    def __init__(self, message: str = N_("请至少选择一项。")) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            raise StopValidation(field.gettext(self.message))


def several(
    label: str, options: Sequence[tuple[str, str]], required: bool = False, description: str = ""
) -> SelectMultipleField:
    checks: list[Any] = [DataRequired(message=N_("请至少选择一项。"))] if required else []
    return SelectMultipleField(
        label,
        choices=[SelectChoice(code, name) for code, name in options],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=checks,
        description=description,
    )


_NAME_SEPARATORS = re.compile(r"[、，,;；\s]+")


class _AtLeastTwo:
    def __call__(self, form: Form, field: Field) -> None:
        if len([n for n in _NAME_SEPARATORS.split(field.data or "") if n]) < 2:
            raise ValidationError(N_("执法人员不少于两人。"))


def names(label: str, description: str = "") -> StringField:
    """Two or more enforcement officers (《行政处罚法》第四十二条)."""
    return StringField(
        label,
        validators=[DataRequired(message=N_("请填写人员姓名。")), Length(max=200), _AtLeastTwo()],
        description=description or N_("不少于两人，用顿号分隔（《行政处罚法》第四十二条）。"),
    )


class AccountsField(SelectMultipleField):
    """People chosen from the system's accounts, posted as account ids. The choices (the accounts
    that may be chosen) are the caller's to set for the screen; whether an id may be chosen is
    the service's to judge, with a reason per account, so the field does not limit them."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            self.data = list(dict.fromkeys(int(value) for value in valuelist))
        except ValueError:
            self.data = []
            raise ValueError(N_("请从列表中选择人员。")) from None


class _AtLeastTwoAccounts:
    def __call__(self, form: Form, field: Field) -> None:
        if field.process_errors:  # not a list of accounts: that message says it
            raise StopValidation()
        if len(field.data or []) < 2:
            raise StopValidation(field.gettext(N_("执法人员不少于两人。")))


def accounts(label: str, description: str = "") -> AccountsField:
    """Two or more enforcement officers chosen from the accounts (《行政处罚法》第四十二条)."""
    return AccountsField(
        label,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[_AtLeastTwoAccounts()],
        description=description,
    )


class CatalogueField(SelectField):
    """One entry of a catalogue the administrators keep (the 违法行为目录), posted as its code.
    The caller sets the choices for the screen; whether a code exists is the service's to judge."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, validate_choice=False, **kwargs)


def catalogue(label: str, description: str = "") -> CatalogueField:
    return CatalogueField(label, validators=[Optional()], description=description)
