"""案卷评查: drawing a sample. Choices of 盟市 come from the route (the viewer's scope)."""

from wtforms import DateField, Form, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .base import N_


class DrawSampleForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    unit = SelectField(N_("盟市"), validators=[Optional()])
    since = DateField(N_("结案日期自"), validators=[InputRequired(message=N_("请填写日期。"))])
    until = DateField(N_("结案日期至"), validators=[InputRequired(message=N_("请填写日期。"))])
    size = IntegerField(
        N_("随机抽取件数"),
        default=5,
        validators=[
            Optional(),
            NumberRange(min=1, max=200, message=N_("抽取数量应在 1 至 200 件之间。")),
        ],
        description=N_("随机抽取时使用；记录随机种子，任何人可复现。"),
    )
    case_numbers = TextAreaField(
        N_("指定案件编号（定向评查）"),
        validators=[Optional(), Length(max=4000)],
        description=N_("每行一个案件编号；填写后按所列案件评查，不再随机抽取。"),
    )
    note = TextAreaField(N_("说明"), validators=[Optional(), Length(max=1000)])
