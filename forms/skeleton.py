"""Forms of the walking-skeleton process (replaced by the process library)."""

from __future__ import annotations

import datetime as dt
import re

from wtforms import DateField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from . import task_form
from .base import N_, SelectChoice, TaskForm

_NAME_SEPARATORS = re.compile(r"[、，,;；\s]+")


@task_form("skeleton.inspection_record")
class InspectionRecordForm(TaskForm):
    title = N_("现场检查记录")

    inspection_date = DateField(
        N_("检查日期"),
        validators=[DataRequired(message=N_("请填写检查日期。"))],
        description=N_("不得晚于今天。"),
    )
    inspectors = StringField(
        N_("检查人员"),
        validators=[DataRequired(message=N_("请填写检查人员。")), Length(max=200)],
        description=N_("执法人员不少于两人，用顿号分隔（《行政处罚法》第四十二条）。"),
    )
    location = StringField(
        N_("检查地点"),
        validators=[DataRequired(message=N_("请填写检查地点。")), Length(max=200)],
    )
    findings = TextAreaField(
        N_("检查情况"),
        validators=[DataRequired(message=N_("请填写检查情况。")), Length(max=4000)],
    )
    result = SelectField(
        N_("检查结果"),
        choices=[
            SelectChoice("COMPLIANT", N_("未发现问题")),
            SelectChoice("RECTIFY", N_("发现问题，责令整改")),
            SelectChoice("CLUE", N_("发现违法线索，移交立案")),
        ],
        validators=[DataRequired(message=N_("请选择检查结果。"))],
    )

    def validate_inspection_date(self, field: DateField) -> None:
        if field.data and field.data > dt.date.today():
            raise ValidationError(N_("检查日期不能晚于今天。"))

    def validate_inspectors(self, field: StringField) -> None:
        names = [n for n in _NAME_SEPARATORS.split(field.data or "") if n]
        if len(names) < 2:
            raise ValidationError(N_("执法人员不少于两人。"))
