"""The data every enforcement case starts with. Gateways, scripts and decision tables of the
process library read these names; a case starts with each one defined so that an untaken branch
never meets an undefined name (SpiffWorkflow raises NameError on one)."""

from __future__ import annotations

from typing import Any

from .provinces import HOME_PROVINCE

INITIAL_CASE_DATA: dict[str, Any] = {
    # how the case entered the loop: WARNING (A), INSPECTION (B) or CLUE (C)
    "entry": "CLUE",
    "source": "INSPECTION",
    # decisions filled in along the way
    "procedure": "ORDINARY",
    "outcome": "PUNISH",
    "reason_code": "OTHER",
    "level": "NORMAL",
    "head_decision": None,
    # E's result for the main process: the head's decision, or MORE_EVIDENCE when a review
    # sends the case back to investigation
    "e_outcome": None,
    # where a review or the head's approval that did not pass sends the case (REPORT or
    # INVESTIGATION)
    "send_back_to": None,
    # F's result: DECIDE; BACK_TO_REPORT or MORE_EVIDENCE when the post-hearing legal review or
    # the head's approval sends the case back to the 调查终结报告 or to investigation
    "f_result": "DECIDE",
    "sanctions": [],
    "fine": 0,
    "proposed_fine": 0,
    "confiscation_value": 0,
    "restriction_years": 0,
    "publish": False,
    # the party's 登记地 (the enterprise's, when the case opens): another province's party is
    # published there after a push (公示规定第十条); and whose 较低数额罚款 standard applies
    # (None: the deciding authority's; stage G sets it by LOW_FINE_BY_REGISTRATION_PROVINCE)
    "registration_province": HOME_PROVINCE,
    "low_fine_province": None,
    # the day the decision was served (G, or on the spot in the summary procedure): the return
    # visit's 30 days count from it; None on the not-filed path (counted from the order)
    "served_on": None,
    # case-file facts the decision tables ask about
    "hearing_held": False,
    "hearing_waived": False,  # the party stayed away from the hearing without good reason
    "complex_or_major": False,
    "second_extension": False,
    "serious_list": False,
    # the court fined the party after a transfer to the police: no fine may follow (行政处罚法
    # art.35(2)); whether other sanctions may is COURT_FINE_OTHER_SANCTIONS
    "court_fined": False,
    "complaint_against_officer": False,
    "overturned": False,
    # the result of a 复议 or 诉讼 as stage H hears it (relief_concluded): result, result_on,
    # relief_end (the day the relief periods or proceedings end), fine (when changed)
    "relief_result": None,
    "high_impact": False,
    "typical_case": False,
    "needs_credit_repair": False,
    "obligations_performed": False,
    "harm_eliminated": False,
    "repeat_same_type": False,
    "on_abnormal_list": False,
    "on_serious_list": False,
    # DMN-C3 (early removal from the serious-violation list): a heavier penalty since the
    # listing; whether the measures the law attaches to the listing have run out
    "new_heavy_penalty": False,
    "measures_expired": True,
    # 处罚时效 (stage C): the date of the violation, whether it is continuing and when it ended,
    # harmful consequences, and whether its type concerns life and health or financial safety
    # (the catalogue's flag, set on the clue's verification); unknown dates leave it to the
    # officer's judgement
    "violated_on": None,
    "continuing": False,
    "violation_ended_on": None,
    "harm_caused": False,
    "life_fin_safety": False,
    # 当场收缴 in the summary procedure (《行政处罚法》第六十八条)
    "collected_on_spot": False,
    "onspot_ground": None,
}
