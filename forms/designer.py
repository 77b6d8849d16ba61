"""The modeler's properties panel: what the engine needs of the selected BPMN element. The
route fills the choices (forms registry, lanes of the process, processes and decisions of the
bundle) and checks the code fields against the sandbox; which fields an element shows depends
on its type (`FIELDS_BY_TYPE`)."""

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, Regexp

from .base import N_, SelectChoice

TIMER_KINDS = [
    SelectChoice("timeDate", N_("到期时间（timeDate）")),
    SelectChoice("timeDuration", N_("持续时间（timeDuration）")),
    SelectChoice("timeCycle", N_("循环（timeCycle）")),
]

_TASK = ("name", "documentation", "lane", "pre_script", "post_script")
FIELDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "bpmn:UserTask": (*_TASK, "form_key", "instructions"),
    "bpmn:ManualTask": (*_TASK, "instructions"),
    "bpmn:ScriptTask": (*_TASK, "script"),
    "bpmn:BusinessRuleTask": (*_TASK, "called_decision"),
    "bpmn:CallActivity": (*_TASK, "called_element"),
    "bpmn:ServiceTask": _TASK,
    "bpmn:Task": _TASK,
    "bpmn:SequenceFlow": ("name", "condition"),
    "bpmn:ExclusiveGateway": ("name", "documentation", "lane"),
    "bpmn:InclusiveGateway": ("name", "documentation", "lane"),
    "bpmn:ParallelGateway": ("name", "lane"),
    "bpmn:EventBasedGateway": ("name", "lane"),
    "bpmn:Lane": ("name",),
    "bpmn:Process": ("name", "documentation"),
    "bpmn:Participant": ("name",),
}
_EVENT = ("name", "documentation", "lane")
for _event in (
    "StartEvent",
    "EndEvent",
    "IntermediateCatchEvent",
    "IntermediateThrowEvent",
    "BoundaryEvent",
):
    FIELDS_BY_TYPE[f"bpmn:{_event}"] = _EVENT
TIMER_FIELDS = ("timer_kind", "timer")  # added for events with a timer definition

_CODE = [Optional(), Length(max=20000)]


class ElementPropertiesForm(Form):
    element_id = HiddenField(
        validators=[Regexp(r"^[A-Za-z_][\w.\-]{0,200}$", message=N_("元素标识无效。"))]
    )
    element_type = HiddenField()
    has_timer = HiddenField()
    lanes = HiddenField()  # the lane names of the element's process, as the modeler sees them
    name = StringField(N_("名称"), validators=[Length(max=200)])
    documentation = TextAreaField(N_("说明（documentation）"), validators=[Length(max=5000)])
    form_key = SelectField(
        N_("表单（formKey）"),
        description=N_("从已注册的表单中选择；可预览表单。"),
    )
    instructions = TextAreaField(N_("办理指引"), validators=[Length(max=5000)])
    lane = SelectField(N_("泳道（角色）"))
    condition = TextAreaField(
        N_("条件表达式"),
        validators=_CODE,
        description=N_("Python 表达式，在沙箱中求值，例如 amount > 10000。"),
    )
    timer_kind = SelectField(N_("定时器类型"), choices=TIMER_KINDS)
    timer = StringField(
        N_("定时器表达式"),
        validators=_CODE,
        description=N_("ISO 8601 字符串（带引号），或用工作日函数计算，例如 end_of_day(due)。"),
    )
    called_element = SelectField(N_("调用的流程"))
    called_decision = SelectField(N_("调用的决策表"))
    script = TextAreaField(N_("脚本"), validators=_CODE)
    pre_script = TextAreaField(N_("前置脚本"), validators=_CODE)
    post_script = TextAreaField(N_("后置脚本"), validators=_CODE)

    def shown(self) -> tuple[str, ...]:
        """The fields that apply to the element being edited, in panel order."""
        fields = FIELDS_BY_TYPE.get(self.element_type.data or "", ())
        if self.has_timer.data == "true":
            fields = (*fields, *TIMER_FIELDS)
        return fields

    def keep_shown(self) -> None:
        """Drop the fields the element does not have: only its own are validated and shown."""
        keep = {*self.shown(), "element_id", "element_type", "has_timer", "lanes"}
        for name in [name for name in self._fields if name not in keep]:
            del self[name]


class RuleForm(Form):
    """One row of a decision table: entries in column order (an empty input means "any")."""

    id = HiddenField()
    inputs = FieldList(StringField(validators=[Length(max=2000)]), max_entries=50)
    outputs = FieldList(StringField(validators=[Length(max=2000)]), max_entries=50)
    annotation = StringField(N_("注释"), validators=[Length(max=500)])
    delete = BooleanField(N_("删除"))


class DecisionTableForm(Form):
    """Rules, entries, annotations and hit policy of one table; its columns are its public
    contract and are not edited here. Hit policies: those the engine evaluates."""

    hit_policy = SelectField(
        N_("命中策略"),
        choices=[
            SelectChoice("UNIQUE", N_("UNIQUE 唯一命中")),
            SelectChoice("COLLECT", N_("COLLECT 收集全部命中")),
        ],
    )
    rules = FieldList(FormField(RuleForm), max_entries=500)
    note = StringField(N_("版本说明"), validators=[Length(max=500)])


class TrialRunForm(Form):
    """A sandbox run of a process: data to start with and the answers per user task (by BPMN
    id; a list when the step repeats). The route checks that both are JSON objects."""

    start_data = TextAreaField(
        N_("起始数据（JSON）"), validators=[Length(max=100_000)], default="{}"
    )
    answers = TextAreaField(
        N_("各步骤提交的数据（JSON，按步骤标识）"),
        validators=[Length(max=200_000)],
        description=N_("未给出数据的步骤视为未按期办理：勾选下项时时间推进到其期限，走超期分支。"),
    )
    fire_timers = BooleanField(N_("到期时推进时间、触发定时器"), default=True)
