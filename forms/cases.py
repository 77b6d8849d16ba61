"""Starting a case. Choices come from the database and are passed in by the route."""

from wtforms import Field, FileField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from .base import N_, choice


class StartCaseForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    process_id = SelectField(N_("流程"), validators=[DataRequired()])
    enterprise_id = SelectField(N_("经营主体"), coerce=int, validators=[DataRequired()])
    entry = choice(
        N_("从哪一环节开始"),
        (
            ("CLUE", N_("线索核查与立案")),
            ("INSPECTION", N_("检查")),
            ("WARNING", N_("风险预警与行政指导")),
        ),
        description=N_("仅对体检式监管执法案件流程有效。"),
    )
    title = StringField(
        N_("案由/事项"),
        validators=[DataRequired(message=N_("请填写事项名称。")), Length(max=200)],
    )


class CommentForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    body = TextAreaField(
        N_("意见"),
        validators=[
            DataRequired(message=N_("请填写意见内容。")),
            Length(max=2000, message=N_("意见不得超过 2000 字。")),
        ],
    )


def uploaded_file(_form: Form, field: Field) -> None:
    """A file part of the request, not a text field that happens to carry the same name."""
    if not hasattr(field.data, "filename") or not hasattr(field.data, "stream"):
        raise StopValidation(field.gettext(N_("请选择文件。")))


class AttachmentForm(Form):
    class Meta:
        locales = ("zh_Hans",)

    file = FileField(
        N_("证据文件"),
        validators=[InputRequired(message=N_("请选择文件。")), uploaded_file],
        description=N_("PDF、PNG 或 JPEG，单个文件不超过 10 MB。"),
    )


class PartyRequestForm(Form):
    """What the party handed in after the 行政处罚告知书 (paper, in person, by post)."""

    class Meta:
        locales = ("zh_Hans",)

    kind = choice(
        N_("当事人意见"),
        (
            ("statement", N_("陈述、申辩")),
            ("hearing_request", N_("要求听证")),
            ("waiver", N_("书面放弃陈述、申辩和听证权利")),
        ),
        description=N_(
            "《行政处罚法》第四十五条、第六十四条；陈述申辩、听证申请期为告知后五个工作日，"
            "期间收到的每一份意见都记录；只有当事人书面放弃的，期满前才可以进入下一步。"
        ),
    )
    summary = TextAreaField(
        N_("内容摘要"),
        validators=[
            DataRequired(message=N_("请填写当事人意见的内容。")),
            Length(max=2000, message=N_("内容不得超过 2000 字。")),
        ],
    )


class ExtensionRequestForm(Form):
    """The officer asks for more time to decide (程序规定第六十四条): from investigation to the
    decision; the head approves (the first time) or the heads discuss it (after that)."""

    class Meta:
        locales = ("zh_Hans",)

    reason = TextAreaField(
        N_("延期理由"),
        validators=[
            DataRequired(message=N_("请填写延长办案期限的理由。")),
            Length(max=2000, message=N_("内容不得超过 2000 字。")),
        ],
        description=N_("案情复杂，不能在办案期限内作出处理决定的，说明理由。"),
    )


class DocumentChangeForm(Form):
    """更正 or 撤销 of a document already issued: what, and why (then a confirmation screen)."""

    class Meta:
        locales = ("zh_Hans",)

    action = choice(
        N_("处理方式"),
        (
            (
                "CORRECT",
                N_("更正：出具更正后的文书，沿用原文号并注明“更正”，原文书保留并标明已更正"),
            ),
            ("REVOKE", N_("撤销：原文书标明已撤销，不再有效；需要时另行出具新文书")),
        ),
    )
    reason = TextAreaField(
        N_("理由"),
        validators=[
            DataRequired(message=N_("更正或撤销文书须写明理由。")),
            Length(max=500, message=N_("理由不得超过 500 字。")),
        ],
    )
