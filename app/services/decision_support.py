"""Decision support on the penalty screens: the tables' answers with the rules that matched,
chained the way the diagram chains them (DMN-P1 → P2 → P3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.reference.decision_contract import CONTRACT
from forms.base import N_

from . import InvalidInput
from .decisions import evaluate

# The screens that decide or record a penalty, by form key.
PENALTY_FORMS = frozenset({"review.report", "review.head_decision", "decision.penalty"})

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

    @staticmethod
    def label(value: str) -> str:
        return OUTPUT_LABELS.get(value, value)

    @staticmethod
    def name(output: str) -> str:
        return OUTPUT_NAMES.get(output, output)

    @property
    def fine_outside_band(self) -> bool:
        band = self.band
        return band is not None and self.fine is not None and not band[0] <= self.fine <= band[1]

    @property
    def band(self) -> tuple[float, float] | None:
        for step in self.steps:
            if step.decision == "fine_band":
                return step.outputs["band_min"], step.outputs["band_max"]
        return None


def penalty_support(data: Mapping[str, Any]) -> PenaltySupport:
    """Evaluate the chain on what the case (or the screen being filled in) says so far."""
    known = {name: value for name, value in data.items() if value is not None}
    fine = known.get("fine", known.get("proposed_fine"))
    fine = float(fine) if isinstance(fine, int | float) else None
    steps: list[SupportStep] = []
    for decision_id, title in CHAIN:
        inputs = {name: value for name, value in known.items() if name in CONTRACT[decision_id]}
        try:
            result = evaluate(decision_id, inputs)
        except InvalidInput as exc:  # not filled in yet, or not valid yet
            return PenaltySupport(steps, str(exc), fine)
        steps.append(SupportStep(decision_id, title, result["outputs"], result["matched_rules"]))
        known.update(result["outputs"])
    return PenaltySupport(steps, None, fine)
