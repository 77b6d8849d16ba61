"""Starting a case. Choices come from the database and are passed in by the route."""

from wtforms import Form, SelectField, StringField
from wtforms.validators import DataRequired, Length

from .base import N_


class StartCaseForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    process_id = SelectField(N_("流程"), validators=[DataRequired()])
    enterprise_id = SelectField(N_("经营主体"), coerce=int, validators=[DataRequired()])
    title = StringField(
        N_("案由/事项"),
        validators=[DataRequired(message=N_("请填写事项名称。")), Length(max=200)],
    )
