"""Changing a configuration key: a value from an effective date on, with its provenance and the
reason. Key choices come from the route (the keys of workflows/parameters.toml)."""

from wtforms import DateField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from .base import N_, SelectChoice, today_of

PROVENANCE = [
    SelectChoice("V", N_("V 已核实")),
    SelectChoice("P", N_("P 部分核实")),
    SelectChoice("U", N_("U 未核实")),
    SelectChoice("D", N_("D 设计默认")),
]


class _NotBeforeToday:
    """A rule already applied to a case is not rewritten afterwards: changes start today or
    later."""

    def __call__(self, form: Form, field: DateField) -> None:
        if field.data and field.data < today_of(form):
            raise ValidationError(N_("生效日期不能早于今天。"))


class ParameterChangeForm(Form):
    class Meta:
        locales = ("zh_Hans",)
        today = None

    key = SelectField(N_("配置项"), validators=[InputRequired(message=N_("请选择。"))])
    value = StringField(
        N_("新值"),
        validators=[Length(max=200)],
        description=N_("数字、true/false（是/否），留空表示不设置。"),
    )
    effective_from = DateField(
        N_("生效日期"),
        validators=[InputRequired(message=N_("请填写日期。")), _NotBeforeToday()],
    )
    tag = SelectField(N_("来源标记"), choices=PROVENANCE)
    note = TextAreaField(
        N_("依据或理由"),
        validators=[DataRequired(message=N_("此项必填。")), Length(max=500)],
    )
