"""Prevention-side screens: publishing a warning batch, making a 双随机 draw, declaring a
conflict of interest, keeping the 抽查事项清单. Choices come from the database and are passed
in by the route."""

from wtforms import (
    BooleanField,
    Form,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .base import N_, AtLeastOne, choice, day


class WarningBatchForm(Form):
    risks = SelectMultipleField(
        N_("发布的风险"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[AtLeastOne(N_("请至少选择一项风险。"))],
    )
    served_on = day(
        N_("送达日期"), description=N_("提醒书通过电子送达或现场送达的日期；自查整改期限由此起算。")
    )


class SamplingDrawForm(Form):
    unit_code = SelectField(N_("抽查单位（盟市）"), validators=[DataRequired()])
    domain = SelectField(N_("领域"), validators=[DataRequired()])
    items = SelectMultipleField(
        N_("抽查事项"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[AtLeastOne(N_("请至少选择一项抽查事项。"))],
    )
    trigger = BooleanField(
        N_("触发式检查（A 类企业一并抽取）"),
        description=N_("仅在投诉举报、转办交办或监测发现问题触发时勾选；否则 A 类企业不抽查。"),
    )


class ConflictForm(Form):
    user_id = SelectField(N_("检查人员"), coerce=int, validators=[DataRequired()])
    enterprise_id = SelectField(N_("经营主体"), coerce=int, validators=[DataRequired()])
    reason = StringField(
        N_("利害关系"),
        validators=[DataRequired(message=N_("请填写利害关系。")), Length(max=200)],
    )


class InspectionItemForm(Form):
    code = StringField(
        N_("事项编码"),
        validators=[DataRequired(message=N_("此项必填。")), Length(max=40)],
    )
    domain = SelectField(N_("领域"), validators=[DataRequired()])
    name = StringField(
        N_("抽查事项"), validators=[DataRequired(message=N_("此项必填。")), Length(max=200)]
    )
    basis = TextAreaField(
        N_("检查依据"), validators=[DataRequired(message=N_("此项必填。")), Length(max=5000)]
    )
    method = choice(
        N_("抽查方式"),
        (
            ("现场检查", N_("现场检查")),
            ("书面检查", N_("书面检查")),
            ("网络监测", N_("网络监测")),
        ),
    )
    content = TextAreaField(
        N_("检查内容"), validators=[DataRequired(message=N_("此项必填。")), Length(max=5000)]
    )
    active = BooleanField(N_("在用"), default=True)
