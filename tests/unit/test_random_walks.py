"""Random walks through the process library on the real engine: at every step a random ready
task is completed with random data that its own screen accepts, or the clock jumps ahead and
the due timers fire. Every walk must end or wait — never fail; a step the diagram refuses under
a statutory rule (`require`) changes nothing — and the legal invariants hold all along:

- no penalty decision is drawn up before the 行政处罚告知书 was served;
- a red-line case never gets a discretionary exemption (首违不罚 / 轻微不罚);
- a waiting deadline never moves to an earlier time;
- a penalty decision is always served together with its credit-repair notice (两书同达) before
  enforcement begins or the case closes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.validators import NumberRange

import forms
from app.engine import RuleBroken
from app.reference.documents import DOCUMENT_TYPES
from tests.figures import count
from tests.unit.process_driver import Case

WALKS = 80
MAX_STEPS = 70
DRAWS_PER_SCREEN = 40  # attempts at data the screen accepts (cross-field checks refuse some)
ENFORCEMENT_STARTS = ("h_payment", "h_deferral", "h_urge", "j_report")


def _value(draw: st.DrawFn, field: Any, today: dt.date) -> Any:
    """A value of the field's own kind and range; optional fields are sometimes left empty."""
    if not field.flags.required and draw(st.integers(0, 3)) == 0:
        return None
    kind = field.type
    if kind == "RadioField":
        return draw(st.booleans())
    if kind == "BooleanField":
        return True if field.flags.required else draw(st.booleans())
    if kind == "DateField":
        return (today - dt.timedelta(days=draw(st.integers(0, 15)))).isoformat()
    if kind in ("DecimalField", "MoneyField", "IntegerField"):
        limits = next(v for v in field.validators if isinstance(v, NumberRange))
        low = int(limits.min or 0)
        high = int(min(limits.max if limits.max is not None else 10**6, low + 200_000))
        return draw(st.sampled_from(sorted({low, high, (low + high) // 2, min(low + 5, high)})))
    if kind == "SelectField":
        return draw(st.sampled_from([value for value, *_ in field.iter_choices()]))
    if kind == "AccountsField":  # which accounts may be chosen is the service's to judge
        return [1, 2]
    if kind == "SelectMultipleField":
        options = [value for value, *_ in field.iter_choices()]
        return draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
    if field.name.endswith(("inspectors", "participants", "members")):
        return "张三、李四"
    return draw(st.sampled_from(["经核实，情况属实。", "当事人已按要求整改。", "见附件材料"]))


def _screen_data(
    draw: st.DrawFn, form_key: str, today: dt.date, known: dict[str, Any]
) -> dict[str, Any]:
    """Data the screen accepts and the case too (the service's date-order rule)."""
    form_class = forms.form_class_for(form_key)
    errors: dict[str, Any] = {}
    for _ in range(DRAWS_PER_SCREEN):
        data = {field.name: _value(draw, field, today) for field in form_class()}
        data = {name: value for name, value in data.items() if value is not None}
        form = form_class.from_json(data, today)
        in_order = all(
            not (field in data and earlier in known and data[field] < known[earlier])
            for field, (earlier, _) in form_class.not_before.items()
        )
        if form.validate() and in_order:
            return data
        errors = form.errors
    raise AssertionError(f"no random data passes {form_key}: {errors}")


class Invariants:
    def __init__(self) -> None:
        self.done: list[str] = []
        self.dues: dict[str, list[dt.datetime]] = {}

    def check(self, case: Case) -> None:
        ready = set(case.ready)
        data = case.data
        if "g_penalty_decision" in ready:
            assert "f_serve_notice" in self.done, "penalty decision before the notice was served"
        if data.get("red_line") is True:
            assert data.get("outcome") != "MAY_NOT_PUNISH", "exemption offered in a red-line case"
            if "g_no_penalty_decision" in ready:
                assert data.get("outcome") == "MUST_NOT_PUNISH", "red-line case let off"
        if "g_penalty_decision" in self.done and (
            ready & set(ENFORCEMENT_STARTS) or case.result.completed
        ):
            assert "g_serve_two" in self.done, "penalty enforced without the repair notice served"
        # per element its waiting deadlines, soonest first (parallel branches — two seizures in
        # custody — wait on the same element); compared while their number stays the same
        waiting: dict[str, list[dt.datetime]] = {}
        for event in case.result.waiting:
            if event.due is not None:
                waiting.setdefault(event.bpmn_id, []).append(event.due)
        for bpmn_id, dues in waiting.items():
            before = self.dues.get(bpmn_id, [])
            if len(before) == len(dues):
                moved_back = any(
                    now < then for now, then in zip(sorted(dues), sorted(before), strict=True)
                )
                assert not moved_back, f"deadline {bpmn_id} moved back"
        self.dues = waiting


@st.composite
def walk(draw: st.DrawFn) -> tuple[int, bool]:
    entry = draw(st.sampled_from(["CLUE", "WARNING", "INSPECTION"]))
    party = draw(st.sampled_from(["LEGAL_PERSON", "INDIVIDUAL_BIZ", "NATURAL"]))
    domain = draw(st.sampled_from(["FOOD", "PRICE", "DRUG", "SPECIAL_EQUIP"]))
    case = Case(entry=entry, party_type=party, domain=domain)
    invariants = Invariants()
    invariants.check(case)
    steps = 0
    while steps < MAX_STEPS and not case.result.completed:
        timer = case.result.next_timer
        if case.ready and (timer is None or draw(st.integers(0, 4)) > 0):
            bpmn_id = draw(st.sampled_from(sorted(case.ready)))
            task = next(t for t in case.result.ready_tasks if t.bpmn_id == bpmn_id)
            screen = _screen_data(draw, task.form_key or "", case.context.today(), case.data)
            state = case.result.state
            try:
                case.do(bpmn_id, **screen)
            except RuleBroken:  # a statutory refusal (a second extension, …): nothing changes
                assert case.result.state == state
            else:
                invariants.done.append(bpmn_id)
        elif timer is not None:  # a clock move: to just past the next timer, or further
            case.advance(to=timer + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 20]))))
        else:
            break  # waits for a message from outside: a walk may stop there
        steps += 1
        invariants.check(case)
    return steps, case.result.completed


@given(walk())
@settings(
    max_examples=WALKS,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_random_walks_end_or_wait_and_keep_the_invariants(outcome: tuple[int, bool]) -> None:
    steps, _ = outcome
    assert steps > 0
    count("random_walks")
    count("random_walk_steps", steps)


def test_a_penalty_decision_document_carries_its_repair_notice() -> None:
    assert "REPAIR_NOTICE" in DOCUMENT_TYPES["PENALTY_DECISION"].companions
