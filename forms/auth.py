"""Login and account forms."""

from wtforms import Form, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .base import N_


class LoginForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    username = StringField(N_("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(N_("密码"), validators=[DataRequired(), Length(max=200)])
