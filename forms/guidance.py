"""One item of the 合规指引清单 (DOMAIN.md C2). The route passes the domain choices; the
exemption lists are those of DMN-P1's on_exempt_list."""

from wtforms import BooleanField, Form, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .base import N_, choice
from .choices import EXEMPT_LISTS

_TEXT = [DataRequired(message=N_("此项必填。")), Length(max=5000)]


class ComplianceItemForm(Form):
    domain = SelectField(N_("领域"))
    matter = StringField(
        N_("事项"), validators=[DataRequired(message=N_("此项必填。")), Length(max=200)]
    )
    legal_basis = TextAreaField(N_("法律依据"), validators=_TEXT)
    requirement = TextAreaField(N_("合规要求"), validators=_TEXT)
    common_violations = TextAreaField(N_("常见违法表现"), validators=_TEXT)
    penalty = TextAreaField(N_("罚则"), validators=_TEXT)
    self_check = TextAreaField(N_("自查方法"), validators=_TEXT)
    exemption = choice(
        N_("相关不予处罚清单"),
        EXEMPT_LISTS,
        description=N_("属于首违不罚、轻微免罚或内蒙古不予处罚清单事项的，选择所属清单。"),
    )
    sort_order = IntegerField(
        N_("排序"), validators=[Optional(), NumberRange(min=0, max=9999)], default=0
    )
    published = BooleanField(N_("在公开页面发布"))
