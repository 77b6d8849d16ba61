"""Decision support on the penalty screens: the tables' answers with the rules that matched,
chained the way the diagram chains them (DMN-P1 → P2 → P3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.enforcement.library import SimilarCases, similar_cases
from app.enforcement.violation_types import catalogued
from app.extensions import db
from app.models import Case, ProcessVersion
from app.platform import InvalidFields, InvalidInput
from app.platform.decisions import evaluate
from app.platform.parameters import run_context
from app.reference.decision_contract import CONTRACT
from forms.base import N_

# The screens that decide or record a penalty, by form key; those that set the fine must
# justify a fine far from the similar cases' median.
# The fine each screen weighs: the proposal until the decision fixes it.
FINE_FIELD = {
    "review.report": "proposed_fine",
    "review.head_decision": "proposed_fine",
    "decision.penalty": "fine",
}
PENALTY_FORMS = frozenset(FINE_FIELD)
FINE_FORMS = frozenset({"review.report", "decision.penalty"})

CHAIN = (
    ("punish_or_not", N_("是否处罚（DMN-P1）")),
    ("discretion_level", N_("裁量阶次（DMN-P2）")),
    ("fine_band", N_("罚款幅度（DMN-P3）")),
)

OUTPUT_LABELS = {
    "MUST_NOT_PUNISH": N_("应当不予处罚"),
    "MAY_NOT_PUNISH": N_("可以不予处罚"),
    "PUNISH": N_("应予处罚"),
    "MANUAL_REVIEW": N_("需人工研判"),
    "NO_PENALTY": N_("不予处罚"),
    "REDUCE": N_("减轻处罚"),
    "LIGHTER": N_("从轻处罚"),
    "NORMAL": N_("一般处罚"),
    "HEAVIER": N_("从重处罚"),
}


OUTPUT_NAMES = {
    "outcome": N_("结论"),
    "reason_code": N_("理由代码"),
    "level": N_("裁量阶次"),
    "band_min": N_("罚款下限"),
    "band_max": N_("罚款上限"),
}


@dataclass(frozen=True)
class SupportStep:
    decision: str
    title: str
    outputs: dict[str, Any]
    matched_rules: list[dict[str, str]]


@dataclass(frozen=True)
class PenaltySupport:
    steps: list[SupportStep] = field(default_factory=list)
    waiting_for: str | None = None  # why the chain stopped early: the input it still needs
    fine: float | None = None  # the fine on the screen (proposed or decided)
    similar: SimilarCases | None = None
    justify_fraction: float = 0.3  # FINE_DEVIATION_JUSTIFY
    similar_min: int = 3  # SIMILAR_CASES_MIN

    @staticmethod
    def label(value: str) -> str:
        return OUTPUT_LABELS.get(value, value)

    @staticmethod
    def name(output: str) -> str:
        return OUTPUT_NAMES.get(output, output)

    @property
    def fine_outside_band(self) -> bool:
        band = self.band
        if band is None or self.fine is None or band[1] == 0:  # no fine band: no penalty
            return False
        return not band[0] <= self.fine <= band[1]

    @property
    def deviation(self) -> float | None:
        """How far the fine is from the similar cases' median, as a fraction of the median."""
        similar = self.similar
        if similar is None or not similar.median or self.fine is None:
            return None
        return abs(self.fine - similar.median) / similar.median

    @property
    def needs_justification(self) -> bool:
        deviation = self.deviation
        return (
            deviation is not None
            and self.similar is not None
            and self.similar.count >= self.similar_min
            and deviation > self.justify_fraction
        )

    @property
    def band(self) -> tuple[float, float] | None:
        for step in self.steps:
            if step.decision == "fine_band":
                return step.outputs["band_min"], step.outputs["band_max"]
        return None


def penalty_support(data: Mapping[str, Any], case_id: int, form_key: str) -> PenaltySupport:
    """Evaluate the chain on what the case (or the screen being filled in) says so far, and look
    up the similar cases once the discretion level is known."""
    # a type chosen from the catalogue brings its name (similar cases) and fine range
    known = catalogued({name: value for name, value in data.items() if value is not None})
    fine = known.get(FINE_FIELD[form_key])
    fine = float(fine) if isinstance(fine, int | float) else None
    parameters = run_context().parameters
    # the tables of the case's own version: the ones its process will apply
    bundle = db.session.execute(
        select(ProcessVersion.bundle_hash)
        .join(Case, Case.process_version_id == ProcessVersion.id)
        .where(Case.id == case_id)
    ).scalar_one()
    steps: list[SupportStep] = []
    waiting_for = None
    for decision_id, title in CHAIN:
        inputs = {name: value for name, value in known.items() if name in CONTRACT[decision_id]}
        try:
            result = evaluate(decision_id, inputs, bundle)
        except InvalidInput as exc:  # not filled in yet, or not valid yet
            waiting_for = str(exc)
            break
        steps.append(SupportStep(decision_id, title, result["outputs"], result["matched_rules"]))
        known.update(result["outputs"])
    violation_type = str(known.get("violation_type") or "").strip()
    level = known.get("level")
    similar = (
        similar_cases(violation_type, level, case_id)
        if violation_type and isinstance(level, str)
        else None
    )
    return PenaltySupport(
        steps,
        waiting_for,
        fine,
        similar,
        float(parameters["FINE_DEVIATION_JUSTIFY"]),
        int(parameters["SIMILAR_CASES_MIN"]),
    )


def require_justification(data: Mapping[str, Any], case_id: int, form_key: str) -> None:
    """Refuse a fine that deviates from the similar cases' median beyond the configured share
    without a written reason (the screen shows the same figures beforehand)."""
    support = penalty_support(data, case_id, form_key)
    if support.needs_justification and not str(data.get("deviation_reason") or "").strip():
        raise InvalidFields(
            {"deviation_reason": N_("罚款数额偏离类案中位数超过规定比例，请书面说明理由。")}
        )
