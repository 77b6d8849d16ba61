"""The roles of DOMAIN.md §a. A role's value is also the BPMN lane name of its tasks."""

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"  # 执法人员 (CASE, INSP)
    UNIT_HEAD = "unit_head"  # 办案机构负责人 (HEAD_U)
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核人员 (REVIEW)
    HEARING_OFFICER = "hearing_officer"  # 听证主持人 (HEAR)
    AGENCY_HEAD = "agency_head"  # 机关负责人 (HEAD_A)
    CREDIT_OFFICER = "credit_officer"  # 信用监管 (CREDIT)
    SUPERVISOR = "supervisor"  # 自治区局督导
    DESIGNER = "designer"  # 流程设计
    ADMIN = "admin"  # 系统管理员

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "执法人员",
    Role.UNIT_HEAD: "办案机构负责人",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.HEARING_OFFICER: "听证主持人",
    Role.AGENCY_HEAD: "机关负责人",
    Role.CREDIT_OFFICER: "信用监管人员",
    Role.SUPERVISOR: "自治区局督导",
    Role.DESIGNER: "流程设计",
    Role.ADMIN: "系统管理员",
}

LANES = frozenset(role.value for role in Role)

# who reads the 执法案例库 (the navigation shows it to the same people the pages admit)
LIBRARY_READERS = frozenset(
    {
        Role.OFFICER,
        Role.UNIT_HEAD,
        Role.LEGAL_REVIEWER,
        Role.AGENCY_HEAD,
        Role.CREDIT_OFFICER,
        Role.SUPERVISOR,
        Role.ADMIN,
    }
)

# who registers enterprises and corrects their registration details (登记地, 住所, 法定代表人)
ENTERPRISE_KEEPERS = (Role.OFFICER, Role.CREDIT_OFFICER, Role.ADMIN)
