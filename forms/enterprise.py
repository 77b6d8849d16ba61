"""Correcting an enterprise's registration details. The province choices (登记地) come from the
route (app/reference/provinces.py)."""

from wtforms import Form, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from .base import N_


class EnterpriseDetailsForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    registration_province = SelectField(
        N_("登记地"),
        validators=[InputRequired(message=N_("请选择登记地。"))],
        description=N_(
            "登记机关所在省份。在外省登记的，处罚信息经自治区局推送至登记地公示"
            "（《市场监督管理行政处罚信息公示规定》第十条）。"
        ),
    )
    address = StringField(
        N_("住所"), validators=[Optional(), Length(max=300, message=N_("内容过长。"))]
    )
    legal_representative = StringField(
        N_("法定代表人（负责人）"),
        validators=[Optional(), Length(max=100, message=N_("内容过长。"))],
    )
