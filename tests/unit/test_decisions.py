"""Every rule of every decision table, against DOMAIN.md §b and the DECISIONS.md contract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import DecisionResult, ParsedBundle, RunContext, WorkflowEngine, read_directory
from app.reference.decision_contract import CONTRACT, INTERNAL, Input, InputError, prepare_inputs
from app.reference.parameters import defaults

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
FILES = read_directory(WORKFLOWS)
BUNDLE = ParsedBundle(FILES)
ENGINE = WorkflowEngine(lambda _hash: FILES)
PARAMETERS = defaults(WORKFLOWS / "parameters.toml")
TODAY = dt.date(2026, 11, 24)


def decide(decision: str, inputs: dict[str, Any], **overrides: Any) -> DecisionResult:
    context = RunContext(parameters={**PARAMETERS, **overrides})
    prepared = prepare_inputs(decision, inputs, TODAY)
    return ENGINE.evaluate_decision(BUNDLE.hash, decision, prepared, context)


# (decision, inputs, expected outputs, rule number, parameter overrides)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], int, dict[str, Any]]] = [
    # 违法风险预警分级 (internal: the prevention side's graded risk list)
    ("risk_grade", {"complaints": 25}, {"level": 3, "public": True}, 1, {}),
    ("risk_grade", {"complaints": 12, "previous": 6}, {"level": 3, "public": True}, 2, {}),
    ("risk_grade", {"complaints": 12, "previous": 10}, {"level": 2, "public": True}, 3, {}),
    ("risk_grade", {"complaints": 3, "findings": 4}, {"level": 2, "public": True}, 4, {}),
    ("risk_grade", {"complaints": 7, "previous": 1}, {"level": 1, "public": False}, 5, {}),
    ("risk_grade", {"complaints": 4, "findings": 2}, {"level": 0, "public": False}, 6, {}),
    # DMN-P0 程序选择
    (
        "procedure",
        {"sanctions": ["WARNING"], "party_type": "LEGAL_PERSON"},
        {"procedure": "SUMMARY"},
        1,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "NATURAL", "proposed_fine": 200},
        {"procedure": "SUMMARY"},
        2,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "INDIVIDUAL_BIZ", "proposed_fine": 150},
        {"procedure": "SUMMARY"},
        2,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "LEGAL_PERSON", "proposed_fine": 3000},
        {"procedure": "SUMMARY"},
        3,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "INDIVIDUAL_BIZ", "proposed_fine": 1000},
        {"procedure": "SUMMARY"},
        3,
        {"INDIVIDUAL_BIZ_AS_NATURAL": False},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "NATURAL", "proposed_fine": 200.01},
        {"procedure": "ORDINARY"},
        4,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE"], "party_type": "OTHER_ORG", "proposed_fine": 3001},
        {"procedure": "ORDINARY"},
        5,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE", "CONFISCATE_INCOME"], "party_type": "NATURAL", "proposed_fine": 50},
        {"procedure": "ORDINARY"},
        6,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["FINE", "WARNING"], "party_type": "NATURAL", "proposed_fine": 50},
        {"procedure": "ORDINARY"},
        6,
        {},
    ),
    (
        "procedure",
        {"sanctions": ["WARNING"], "party_type": "NATURAL", "facts_clear": False},
        {"procedure": "ORDINARY"},
        7,
        {},
    ),
    # DMN-P1 是否处罚
    (
        "punish_or_not",
        {"age": 13, "minor": True, "corrected": True, "harm": "NONE"},
        {"outcome": "MUST_NOT_PUNISH", "reason_code": "MINOR_AGE"},
        1,
        {},
    ),
    (
        "punish_or_not",
        {"mental_incapacity": True},
        {"outcome": "MUST_NOT_PUNISH", "reason_code": "MENTAL_INCAPACITY"},
        2,
        {},
    ),
    (
        "punish_or_not",
        {"limitation_expired": True, "red_line": True},
        {"outcome": "MUST_NOT_PUNISH", "reason_code": "LIMITATION"},
        3,
        {},
    ),
    (
        "punish_or_not",
        {"no_fault_proven": True},
        {"outcome": "MUST_NOT_PUNISH", "reason_code": "NO_FAULT"},
        4,
        {},
    ),
    (
        "punish_or_not",
        {"red_line": True, "minor": True, "corrected": True, "harm": "NONE"},
        {"outcome": "MANUAL_REVIEW", "reason_code": "RED_LINE_OR_EMERGENCY"},
        5,
        {},
    ),
    (
        "punish_or_not",
        {"emergency": True, "first_offense_2y": True, "corrected": True, "harm": "SLIGHT"},
        {"outcome": "PUNISH", "reason_code": "RED_LINE_OR_EMERGENCY"},
        6,
        {},
    ),
    (
        "punish_or_not",
        {"minor": True, "corrected": True, "harm": "NONE", "age": 40},
        {"outcome": "MUST_NOT_PUNISH", "reason_code": "MINOR_CORRECTED_NO_HARM"},
        7,
        {},
    ),
    (
        "punish_or_not",
        {
            "first_offense_2y": True,
            "corrected": True,
            "harm": "SLIGHT",
            "on_exempt_list": "IM_LIST",
        },
        {"outcome": "MAY_NOT_PUNISH", "reason_code": "FIRST_OFFENSE"},
        8,
        {},
    ),
    (
        "punish_or_not",
        {"first_offense_2y": True, "corrected": True, "harm": "NONE", "minor": False},
        {"outcome": "MAY_NOT_PUNISH", "reason_code": "FIRST_OFFENSE"},
        9,
        {},
    ),
    ("punish_or_not", {}, {"outcome": "PUNISH", "reason_code": "OTHER"}, 10, {}),
    (
        "punish_or_not",
        {"age": 14, "first_offense_2y": True, "corrected": False, "harm": "SLIGHT"},
        {"outcome": "PUNISH", "reason_code": "OTHER"},
        10,
        {},
    ),
    # DMN-P2 裁量阶次
    (
        "discretion_level",
        {"outcome": "MUST_NOT_PUNISH", "aggravating": ["拒不改正"]},
        {"level": "NO_PENALTY"},
        1,
        {},
    ),
    ("discretion_level", {"outcome": "MAY_NOT_PUNISH"}, {"level": "NO_PENALTY"}, 2, {}),
    (
        "discretion_level",
        {"mitigating_mandatory": ["主动消除危害后果"], "significant_mitigation": True},
        {"level": "REDUCE"},
        3,
        {},
    ),
    (
        "discretion_level",
        {"mitigating_mandatory": ["受他人胁迫"], "aggravating": ["妨碍调查"]},
        {"level": "LIGHTER"},
        4,
        {},
    ),
    (
        "discretion_level",
        {
            "outcome": "MAY_NOT_PUNISH",
            "adopt_exemption": False,
            "mitigating_optional": ["积极配合调查"],
        },
        {"level": "LIGHTER"},
        5,
        {},
    ),
    ("discretion_level", {"aggravating": ["一年内两次以上同种违法"]}, {"level": "HEAVIER"}, 6, {}),
    ("discretion_level", {}, {"level": "NORMAL"}, 7, {}),
    ("discretion_level", {"outcome": "MANUAL_REVIEW"}, {"level": "NORMAL"}, 7, {}),
    # DMN-P3 罚款幅度 (Δ = 90 000)
    (
        "fine_band",
        {"level": "LIGHTER", "fine_min": 10000, "fine_max": 100000},
        {"band_min": 10000, "band_max": 37000},
        1,
        {},
    ),
    ("fine_band", {"level": "LIGHTER", "fine_max": 5000}, {"band_min": 0, "band_max": 1500}, 1, {}),
    (
        "fine_band",
        {"level": "NORMAL", "fine_min": 10000, "fine_max": 100000},
        {"band_min": 37000, "band_max": 73000},
        2,
        {},
    ),
    (
        "fine_band",
        {"level": "HEAVIER", "fine_min": 10000, "fine_max": 100000},
        {"band_min": 73000, "band_max": 100000},
        3,
        {},
    ),
    (
        "fine_band",
        {"level": "HEAVIER", "fine_min": 10000, "fine_max": 100000},
        {"band_min": 82000, "band_max": 100000},
        3,
        {"HEAVIER_BAND": 0.2},
    ),
    (
        "fine_band",
        {"level": "REDUCE", "fine_min": 10000, "fine_max": 100000},
        {"band_min": 0, "band_max": 10000},
        4,
        {},
    ),
    (
        "fine_band",
        {"level": "NO_PENALTY", "fine_max": 100000},
        {"band_min": 0, "band_max": 0},
        5,
        {},
    ),
    # DMN-R1 听证权
    (
        "hearing_right",
        {"party_type": "NATURAL", "sanctions": ["REVOKE_LICENSE"]},
        {"hearing_right": True},
        1,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "LEGAL_PERSON", "sanctions": ["FINE", "STOP_BUSINESS"], "proposed_fine": 10},
        {"hearing_right": True},
        2,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "NATURAL", "proposed_fine": 10000},
        {"hearing_right": True},
        3,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "INDIVIDUAL_BIZ", "proposed_fine": 10000},
        {"hearing_right": True},
        3,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "LEGAL_PERSON", "proposed_fine": 100000},
        {"hearing_right": True},
        3,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "OTHER_ORG", "confiscation_value": 100000},
        {"hearing_right": True},
        4,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "LEGAL_PERSON", "proposed_fine": 99999.99, "confiscation_value": 99999},
        {"hearing_right": False},
        5,
        {},
    ),
    (
        "hearing_right",
        {"party_type": "NATURAL", "proposed_fine": 9999},
        {"hearing_right": False},
        5,
        {},
    ),
    # DMN-R2 法制审核
    ("legal_review", {"major_public_interest": True}, {"legal_review": True}, 1, {}),
    ("legal_review", {"hearing_held": True}, {"legal_review": True}, 2, {}),
    ("legal_review", {"complex_case": True}, {"legal_review": True}, 3, {}),
    ("legal_review", {"in_review_catalog": True}, {"legal_review": True}, 4, {}),
    ("legal_review", {}, {"legal_review": False}, 5, {}),
    # DMN-R3 集体讨论
    ("collective_decision", {"complex_or_major": True}, {"collective": True}, 1, {}),
    ("collective_decision", {"second_extension": True}, {"collective": True}, 2, {}),
    ("collective_decision", {"level": "REDUCE"}, {"collective": True}, 3, {}),
    ("collective_decision", {"serious_list": True}, {"collective": True}, 4, {}),
    ("collective_decision", {}, {"collective": False}, 5, {}),
    (
        "collective_decision",
        {"level": "REDUCE"},
        {"collective": False},
        5,
        {"REDUCE_NEEDS_COLLECTIVE": False},
    ),
    # DMN-C1 公示
    (
        "publicity",
        {"procedure": "SUMMARY", "sanctions": ["FINE"], "fine": 100, "party_type": "NATURAL"},
        {"publish": False, "period_months": None},
        1,
        {},
    ),
    (
        "publicity",
        {"sanctions": ["WARNING"], "party_type": "LEGAL_PERSON"},
        {"publish": False, "period_months": None},
        2,
        {},
    ),
    (
        "publicity",
        {"outcome": "MAY_NOT_PUNISH", "sanctions": [], "party_type": "LEGAL_PERSON"},
        {"publish": False, "period_months": None},
        3,
        {},
    ),
    (
        "publicity",
        {"sanctions": ["RESTRICT_PRACTICE"], "restriction_years": 5, "party_type": "NATURAL"},
        {"publish": True, "period_months": 60},
        4,
        {},
    ),
    (
        "publicity",
        {"sanctions": ["CRITICISM"], "party_type": "LEGAL_PERSON"},
        {"publish": True, "period_months": 3},
        5,
        {},
    ),
    (
        "publicity",
        {"sanctions": ["FINE"], "fine": 5000, "party_type": "NATURAL"},
        {"publish": True, "period_months": 3},
        5,
        {"IM_LOW_FINE_NATURAL": 10000},
    ),
    (
        "publicity",
        {"sanctions": ["FINE"], "fine": 5000, "party_type": "NATURAL"},
        {"publish": True, "period_months": 36},
        6,
        {},
    ),
    (
        "publicity",
        {"sanctions": ["FINE"], "fine": 20000, "party_type": "NATURAL"},
        {"publish": True, "period_months": 36},
        6,
        {"IM_LOW_FINE_NATURAL": 10000},
    ),
    (
        "publicity",
        {"sanctions": ["FINE", "CONFISCATE_INCOME"], "fine": 10, "party_type": "NATURAL"},
        {"publish": True, "period_months": 36},
        6,
        {"IM_LOW_FINE_NATURAL": 10000},
    ),
    # DMN-C2 信用修复 (today 2026-11-24)
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE", "REVOKE_LICENSE"],
            "domain": "FOOD",
            "party_type": "LEGAL_PERSON",
            "published_on": "2025-01-01",
        },
        {"repairable": "NEVER", "earliest_apply": None, "unmet": []},
        1,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["WARNING"],
            "domain": "PRICE",
            "party_type": "NATURAL",
            "published_on": "2026-01-01",
        },
        {"repairable": "NOT_APPLICABLE", "earliest_apply": None, "unmet": []},
        2,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "FOOD",
            "party_type": "LEGAL_PERSON",
            "published_on": "2025-10-01",
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        {"repairable": "ELIGIBLE", "earliest_apply": "2026-10-01", "unmet": []},
        3,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "SPECIAL_EQUIP",
            "party_type": "LEGAL_PERSON",
            "published_on": "2026-06-01",
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        {"repairable": "NOT_YET", "earliest_apply": "2027-06-01", "unmet": []},
        4,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "DRUG",
            "party_type": "LEGAL_PERSON",
            "published_on": "2025-01-01",
            "harm_eliminated": False,
        },
        {
            "repairable": "CONDITIONS_UNMET",
            "earliest_apply": "2026-01-01",
            "unmet": ["OBLIGATIONS_NOT_PERFORMED", "HARM_NOT_ELIMINATED"],
        },
        5,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "PRICE",
            "party_type": "LEGAL_PERSON",
            "published_on": "2026-05-24",
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        {"repairable": "ELIGIBLE", "earliest_apply": "2026-11-24", "unmet": []},
        6,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "PRICE",
            "party_type": "LEGAL_PERSON",
            "published_on": "2026-05-25",
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        {"repairable": "NOT_YET", "earliest_apply": "2026-11-25", "unmet": []},
        7,
        {},
    ),
    (
        "credit_repair_eligibility",
        {
            "sanctions": ["FINE"],
            "fine": 50000,
            "domain": "AD",
            "party_type": "LEGAL_PERSON",
            "published_on": "2025-05-01",
            "obligations_performed": True,
            "harm_eliminated": True,
            "on_serious_list": True,
            "repeat_same_type": True,
        },
        {
            "repairable": "CONDITIONS_UNMET",
            "earliest_apply": "2025-11-01",
            "unmet": ["REPEAT_SAME_TYPE", "ON_SERIOUS_LIST"],
        },
        8,
        {},
    ),
    # DMN-C3 严重违法失信名单提前移出
    (
        "serious_list_removal",
        {"listed_on": "2025-11-24", "obligations_performed": True, "harm_eliminated": True},
        {"eligible": True, "earliest_apply": "2026-11-24"},
        1,
        {},
    ),
    (
        "serious_list_removal",
        {"listed_on": "2026-01-31", "obligations_performed": True, "harm_eliminated": True},
        {"eligible": False, "earliest_apply": "2027-01-31"},
        2,
        {},
    ),
    (
        "serious_list_removal",
        {
            "listed_on": "2024-01-01",
            "obligations_performed": True,
            "harm_eliminated": True,
            "new_heavy_penalty": True,
        },
        {"eligible": False, "earliest_apply": "2025-01-01"},
        3,
        {},
    ),
    (
        "serious_list_removal",
        {
            "listed_on": "2024-01-01",
            "obligations_performed": True,
            "harm_eliminated": True,
            "measures_expired": False,
        },
        {"eligible": False, "earliest_apply": "2025-01-01"},
        3,
        {},
    ),
    # DMN-I1 抽查
    (
        "sampling",
        {"credit_class": "A", "key_domain": True},
        {"mode": "FULL_COVERAGE", "ratio_min": 1.0, "ratio_max": 1.0, "proactive_inspection": True},
        1,
        {},
    ),
    (
        "sampling",
        {"credit_class": "A", "trigger": True},
        {"mode": "TARGETED", "ratio_min": None, "ratio_max": None, "proactive_inspection": True},
        2,
        {},
    ),
    (
        "sampling",
        {"credit_class": "A"},
        {"mode": "RANDOM", "ratio_min": 0.0, "ratio_max": 0.05, "proactive_inspection": False},
        3,
        {},
    ),
    (
        "sampling",
        {"credit_class": "B"},
        {"mode": "RANDOM", "ratio_min": 0.05, "ratio_max": 0.2, "proactive_inspection": True},
        4,
        {},
    ),
    (
        "sampling",
        {"credit_class": "C"},
        {"mode": "RANDOM", "ratio_min": 0.21, "ratio_max": 0.6, "proactive_inspection": True},
        5,
        {},
    ),
    (
        "sampling",
        {"credit_class": "D"},
        {"mode": "RANDOM", "ratio_min": 0.61, "ratio_max": 1.0, "proactive_inspection": True},
        6,
        {},
    ),
    # DMN-V1 回访
    (
        "return_visit",
        {"procedure": "SUMMARY", "outcome": "PUNISH", "source": "COMPLAINT"},
        {"visit": "REQUIRED", "priority": "HIGH"},
        1,
        {},
    ),
    (
        "return_visit",
        {"procedure": "ORDINARY", "outcome": "PUNISH", "hearing_held": True},
        {"visit": "REQUIRED", "priority": "HIGH"},
        1,
        {},
    ),
    (
        "return_visit",
        {"procedure": "ORDINARY", "outcome": "PUNISH"},
        {"visit": "REQUIRED", "priority": "NORMAL"},
        2,
        {},
    ),
    (
        "return_visit",
        {"procedure": "ORDINARY", "outcome": "MAY_NOT_PUNISH", "source": "TRANSFER"},
        {"visit": "REQUIRED", "priority": "NORMAL"},
        2,
        {},
    ),
    (
        "return_visit",
        {"procedure": "SUMMARY", "outcome": "MUST_NOT_PUNISH"},
        {"visit": "REQUIRED", "priority": "NORMAL"},
        3,
        {},
    ),
    (
        "return_visit",
        {"procedure": "SUMMARY", "outcome": "PUNISH"},
        {"visit": "OPTIONAL", "priority": "LOW"},
        4,
        {},
    ),
    # DMN-N1 非强制性措施
    ("guidance_measure", {"situation": "COMMON_RISK"}, {"measure": "GUIDANCE"}, 1, {}),
    ("guidance_measure", {"situation": "INDIVIDUAL_RISK"}, {"measure": "WARNING_NOTICE"}, 2, {}),
    ("guidance_measure", {"situation": "WARNED_NOT_CORRECTED"}, {"measure": "ADMONITION"}, 3, {}),
    ("guidance_measure", {"situation": "MANAGEMENT_GAP"}, {"measure": "SUGGESTION"}, 4, {}),
    ("guidance_measure", {"situation": "SAFETY_HAZARD"}, {"measure": "INTERVIEW"}, 5, {}),
    ("guidance_measure", {"situation": "VIOLATION"}, {"measure": "TRANSFER_TO_CASE"}, 6, {}),
]


@pytest.mark.parametrize(
    ("decision", "inputs", "expected", "rule", "overrides"),
    CASES,
    ids=[f"{c[0]}-r{c[3]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(
    decision: str,
    inputs: dict[str, Any],
    expected: dict[str, Any],
    rule: int,
    overrides: dict[str, Any],
) -> None:
    result = decide(decision, inputs, **overrides)
    assert result.outputs == expected
    assert [r.id for r in result.matched_rules] == [f"{decision}_r{rule}"]
    assert result.matched_rules[0].annotation  # officers see why, in Chinese
    assert result.version == BUNDLE.decisions[decision][1]


def test_every_rule_of_every_table_is_exercised() -> None:
    hit = {f"{c[0]}_r{c[3]}" for c in CASES}
    every = {rule.id for table, _ in BUNDLE.decisions.values() for rule in table.rules}
    assert every - hit == set()
    assert set(BUNDLE.decisions) == set(CONTRACT) | set(INTERNAL)


def _value(spec: Input) -> st.SearchStrategy[Any]:
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    if spec.kind == "enum_list":
        return st.lists(st.sampled_from(spec.choices), max_size=4)
    if spec.kind == "list":
        return st.lists(st.sampled_from(["情节甲", "情节乙"]), max_size=2)
    if spec.kind == "date":
        return st.dates(dt.date(2020, 1, 1), dt.date(2028, 12, 31)).map(dt.date.isoformat)
    if spec.kind == "integer":
        return st.one_of(st.none(), st.integers(0, 100)) if spec.nullable else st.integers(0, 100)
    top = min(1e6, spec.maximum or 1e6)
    boundaries = [b for b in (0, 3, 100, 200, 3000, 10000, 100000) if b <= top]
    return st.one_of(st.sampled_from(boundaries), st.floats(0, top, allow_nan=False))


@st.composite
def any_call(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    tables = {**CONTRACT, **INTERNAL}
    decision = draw(st.sampled_from(sorted(tables)))
    inputs = {name: draw(_value(spec)) for name, spec in tables[decision].items()}
    if decision == "fine_band":
        inputs["fine_max"] = inputs["fine_min"] + draw(st.floats(0, 1e6, allow_nan=False))
    overrides = draw(
        st.fixed_dictionaries(
            {
                "INDIVIDUAL_BIZ_AS_NATURAL": st.booleans(),
                "REDUCE_NEEDS_COLLECTIVE": st.booleans(),
                "IM_LOW_FINE_NATURAL": st.sampled_from([None, 10000]),
                "IM_LOW_FINE_ORG": st.sampled_from([None, 100000]),
            }
        )
    )
    return decision, inputs, overrides


@settings(max_examples=400, deadline=None)
@given(any_call())
def test_exactly_one_rule_matches_any_valid_input(
    call: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    decision, inputs, overrides = call
    result = decide(decision, inputs, **overrides)  # DecisionError if none or several match
    assert len(result.matched_rules) == 1


@pytest.mark.parametrize(
    ("decision", "inputs", "name"),
    [
        ("procedure", {"sanctions": ["FINE"]}, "party_type"),
        ("procedure", {"sanctions": ["FINE"], "party_type": "COMPANY"}, "party_type"),
        ("procedure", {"sanctions": "FINE", "party_type": "NATURAL"}, "sanctions"),
        (
            "procedure",
            {"sanctions": ["FINE"], "party_type": "NATURAL", "proposed_fine": -1},
            "proposed_fine",
        ),
        (
            "procedure",
            {"sanctions": ["FINE"], "party_type": "NATURAL", "proposed_fine": "200"},
            "proposed_fine",
        ),
        (
            "procedure",
            {"sanctions": ["FINE"], "party_type": "NATURAL", "partyType": "X"},
            "partyType",
        ),
        ("punish_or_not", {"minor": "yes"}, "minor"),
        ("punish_or_not", {"age": 12.5}, "age"),
        ("fine_band", {"level": "NORMAL", "fine_min": 100, "fine_max": 10}, "fine_max"),
        ("fine_band", {"level": "NORMAL"}, "fine_max"),
        ("publicity", {"party_type": "NATURAL", "outcome": "MANUAL_REVIEW"}, "outcome"),
        (
            "credit_repair_eligibility",
            {"domain": "FOOD", "party_type": "NATURAL", "published_on": "2026-02-30"},
            "published_on",
        ),
        (
            "serious_list_removal",
            {"listed_on": None, "obligations_performed": True, "harm_eliminated": True},
            "listed_on",
        ),
    ],
)
def test_bad_inputs_are_named(decision: str, inputs: dict[str, Any], name: str) -> None:
    with pytest.raises(InputError) as caught:
        prepare_inputs(decision, inputs, TODAY)
    assert caught.value.name == name


@pytest.mark.parametrize(
    ("province", "months", "repairable"),
    [
        (None, 36, "ELIGIBLE"),  # the deciding authority's (内蒙古) standard: not set
        ("150000", 36, "ELIGIBLE"),
        ("420000", 3, "NOT_APPLICABLE"),  # 湖北: organisations below ¥100,000
        ("110000", 36, "ELIGIBLE"),  # 北京: no standard configured
    ],
)
def test_the_lower_fine_standard_is_the_named_provinces(
    province: str | None, months: int, repairable: str
) -> None:
    """The case feeds `low_fine_province` (stage G, by LOW_FINE_BY_REGISTRATION_PROVINCE); the
    contract's inputs stay as DECISIONS.md fixes them, and outside callers cannot set it."""
    fine = {"sanctions": ["FINE"], "fine": 50000, "party_type": "LEGAL_PERSON"}
    context = RunContext(parameters=PARAMETERS)
    publicity = {**prepare_inputs("publicity", fine, TODAY), "low_fine_province": province}
    assert ENGINE.evaluate_decision(BUNDLE.hash, "publicity", publicity, context).outputs == {
        "publish": True,
        "period_months": months,
    }
    repair = prepare_inputs(
        "credit_repair_eligibility",
        {
            **fine,
            "domain": "FOOD",
            "published_on": "2025-01-02",
            "obligations_performed": True,
            "harm_eliminated": True,
        },
        TODAY,
    )
    repair["low_fine_province"] = province
    outputs = ENGINE.evaluate_decision(BUNDLE.hash, "credit_repair_eligibility", repair, context)
    assert outputs.outputs["repairable"] == repairable
    with pytest.raises(InputError, match="unknown input"):
        prepare_inputs("publicity", {**fine, "low_fine_province": "420000"}, TODAY)
