"""The OpenAPI 3.1 description of /api/v1, built from the same contract the code checks."""

from __future__ import annotations

from typing import Any

from app.calendar import Unit
from app.enforcement.documents import CHANGES, REASON_MAX
from app.integration.events import TYPES
from app.reference.decision_contract import CONTRACT, REQUIRED, Input
from app.reference.documents import ISSUABLE

ERROR = {"$ref": "#/components/schemas/Error"}


def _input_schema(spec: Input) -> dict[str, Any]:
    schema: dict[str, Any]
    if spec.kind == "bool":
        schema = {"type": "boolean"}
    elif spec.kind in ("number", "integer"):
        schema = {"type": spec.kind, "minimum": 0}
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
        if spec.nullable:
            schema["type"] = [spec.kind, "null"]
    elif spec.kind == "enum":
        schema = {"type": "string", "enum": list(spec.choices)}
    elif spec.kind == "enum_list":
        schema = {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}}
    elif spec.kind == "list":
        schema = {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 50}
    else:
        schema = {"type": "string", "format": "date"}
    if (
        spec.default is not REQUIRED
        and not callable(spec.default)
        and isinstance(spec.default, bool | int | float | str | tuple | type(None))
    ):
        schema["default"] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
    return schema


def _responses(ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": ok}
    for status in (401, 403, 429, *errors):
        answers[str(status)] = {
            "description": "错误",
            "content": {"application/json": {"schema": ERROR}},
        }
    return answers


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _json(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for decision_id, inputs in sorted(CONTRACT.items()):
        paths[f"/decisions/{decision_id}/evaluate"] = {
            "post": {
                "summary": f"决策表 {decision_id}",
                "operationId": f"evaluate_{decision_id}",
                "tags": ["decisions"],
                "requestBody": _body(
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {name: _input_schema(spec) for name, spec in inputs.items()},
                        "required": [n for n, s in inputs.items() if s.default is REQUIRED],
                    }
                ),
                "responses": _responses(
                    _json({"$ref": "#/components/schemas/DecisionResult"}), 404, 422
                ),
            }
        }
    paths["/calendar/deadline"] = {
        "get": {
            "summary": "法定期限计算",
            "operationId": "deadline",
            "tags": ["calendar"],
            "parameters": [
                {
                    "name": "start",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date"},
                },
                {
                    "name": "amount",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 10000},
                },
                {
                    "name": "unit",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "enum": [u.value for u in Unit]},
                },
            ],
            "responses": _responses(_json({"$ref": "#/components/schemas/Deadline"}), 422),
        }
    }
    paths["/processes"] = {
        "get": {
            "summary": "已部署的流程及版本",
            "operationId": "processes",
            "tags": ["processes"],
            "responses": _responses(_json({"type": "object"})),
        }
    }
    paths["/cases"] = {
        "get": {
            "summary": "案件列表（游标分页）",
            "operationId": "list_cases",
            "tags": ["cases"],
            "parameters": [
                {
                    "name": n,
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 100},
                }
                for n in ("stage", "region", "status", "enterprise", "after")
            ],
            "responses": _responses(_json({"type": "object"}), 422),
        },
        "post": {
            "summary": "发起案件",
            "operationId": "start_case",
            "tags": ["cases"],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["credit_code", "title"],
                    "properties": {
                        "process_id": {"type": "string", "maxLength": 100},
                        "credit_code": {"type": "string", "maxLength": 18},
                        "title": {"type": "string", "maxLength": 200},
                        "entry": {
                            "type": "string",
                            "enum": ["CLUE", "INSPECTION", "WARNING"],
                        },
                    },
                }
            ),
            "responses": {
                **_responses(_json({"type": "object"}), 404, 422),
                "201": _json({"type": "object"}, "已发起"),
            },
        },
    }
    case_id = [
        {
            "name": "case_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
    ]
    task_id = [
        {
            "name": "task_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
    ]
    paths["/cases/{case_id}"] = {
        "get": {
            "summary": "案件详情",
            "operationId": "case",
            "tags": ["cases"],
            "parameters": case_id,
            "responses": _responses(_json({"type": "object"}), 404),
        }
    }
    issued = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "type": {"type": "string", "enum": list(ISSUABLE)},
            "title": {"type": "string"},
            "doc_no": {"type": "string", "description": "文号；更正后的文书沿用原文号并注明更正"},
            "version": {"type": "integer"},
            "issued_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["live", "corrected", "revoked"]},
            "corrects_id": {"type": ["integer", "null"]},
            "superseded_by_id": {"type": ["integer", "null"]},
            "change_reason": {"type": ["string", "null"]},
            "changed_at": {"type": ["string", "null"], "format": "date-time"},
            "download": {"type": "string", "description": "GET /documents/{document_id}"},
        },
    }
    paths["/cases/{case_id}/documents/{type}"] = {
        "post": {
            "summary": (
                "出具文书（与案件页面规则相同：仅限本案阶段和程序适用的文书）。已出具的同类文书"
                "不再重新编号出具（409）：须以 change 更正或撤销，写明理由，并以 confirm: true 确认"
                "（未确认时 409，details 列出将处理的文书及更正后的文号）；缺少事项时 422"
            ),
            "operationId": "issue_document",
            "tags": ["documents"],
            "parameters": [
                *case_id,
                {
                    "name": "type",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(ISSUABLE)},
                },
            ],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "change": {
                                    "type": "object",
                                    "required": ["action", "reason"],
                                    "properties": {
                                        "action": {"type": "string", "enum": list(CHANGES)},
                                        "reason": {"type": "string", "maxLength": REASON_MAX},
                                        "confirm": {"type": "boolean"},
                                    },
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                **_responses(_json(issued), 404, 409, 422),
                "201": _json(issued, "已出具（或已更正、已撤销）"),
            },
        }
    }
    paths["/cases/{case_id}/extension"] = {
        "post": {
            "summary": "提请延长办案期限（立案后至作出处理决定前）",
            "operationId": "request_extension",
            "tags": ["cases"],
            "parameters": case_id,
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "maxLength": 2000}},
                }
            ),
            "responses": _responses(_json({"type": "object"}), 404, 409, 422),
        }
    }
    paths["/cases/{case_id}/rectification-order"] = {
        "post": {
            "summary": "责令改正（立案后至作出处理决定前，《行政处罚法》第二十八条），出具责令改正通知书",
            "operationId": "order_rectification",
            "tags": ["cases"],
            "parameters": case_id,
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["order_served_on", "rectify_days", "requirements"],
                    "properties": {
                        "order_served_on": {"type": "string", "format": "date"},
                        # 0: 立即改正 (checked at once)
                        "rectify_days": {"type": "integer", "minimum": 0, "maximum": 90},
                        "requirements": {"type": "string", "maxLength": 4000},
                    },
                }
            ),
            "responses": _responses(_json({"type": "object"}), 404, 409, 422),
        }
    }
    paths["/cases/{case_id}/relief"] = {
        "post": {
            "summary": "记录当事人申请行政复议或提起行政诉讼（处罚决定书送达后）",
            "operationId": "record_relief",
            "tags": ["cases"],
            "parameters": case_id,
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["kind", "applied_on", "body"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": ["RECONSIDERATION", "LITIGATION"],
                        },
                        "applied_on": {"type": "string", "format": "date"},
                        "body": {"type": "string", "maxLength": 200},
                    },
                }
            ),
            "responses": _responses(_json({"type": "object"}), 404, 409, 422),
        }
    }
    paths["/cases/{case_id}/relief/result"] = {
        "post": {
            "summary": "记录复议决定或生效裁判：维持、变更（写明变更后的罚款）、撤销、确认违法",
            "operationId": "record_relief_result",
            "tags": ["cases"],
            "parameters": case_id,
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["result", "result_on"],
                    "properties": {
                        "result": {
                            "type": "string",
                            "enum": ["UPHELD", "CHANGED", "REVOKED", "CONFIRMED_ILLEGAL"],
                        },
                        "result_on": {"type": "string", "format": "date"},
                        "fine": {"type": "number", "minimum": 0},
                    },
                }
            ),
            "responses": _responses(_json({"type": "object"}), 404, 409, 422),
        }
    }
    paths["/enterprises/{enterprise_id}"] = {
        "get": {
            "summary": "经营主体体检档案（含首违回溯）",
            "operationId": "enterprise",
            "tags": ["enterprises"],
            "parameters": [
                {**case_id[0], "name": "enterprise_id"},
                # the first-offense lookback for a violation of this type on this date (首违:
                # the same type within two years before it); without them: any type, today
                {
                    "name": "violation_type",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 32},
                },
                {
                    "name": "violated_on",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "date"},
                },
            ],
            "responses": _responses(_json({"type": "object"}), 404, 422),
        }
    }
    editable: dict[str, Any] = {
        "registration_province": {
            "type": "string",
            "pattern": "^[0-9]{6}$",
            "description": "登记地：省级行政区划代码（如 150000 内蒙古自治区、420000 湖北省）",
        },
        "address": {"type": "string", "maxLength": 300},
        "legal_representative": {"type": "string", "maxLength": 100},
    }
    paths["/enterprises"] = {
        "post": {
            "summary": "登记经营主体（含登记地）",
            "operationId": "create_enterprise",
            "tags": ["enterprises"],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": [
                        "credit_code",
                        "name",
                        "party_type",
                        "domain",
                        "credit_class",
                        "region_code",
                    ],
                    "properties": {
                        "credit_code": {"type": "string", "maxLength": 18},
                        "name": {"type": "string", "maxLength": 200},
                        "party_type": {"type": "string"},
                        "domain": {"type": "string"},
                        "credit_class": {"type": "string", "enum": ["A", "B", "C", "D"]},
                        "region_code": {"type": "string", "maxLength": 6},
                        **editable,
                    },
                }
            ),
            "responses": {
                **_responses(_json({"type": "object"}), 422),
                "201": _json({"type": "object"}, "已登记"),
            },
        }
    }
    paths["/enterprises/{enterprise_id}"]["patch"] = {
        "summary": "更正经营主体登记信息（登记地、住所、法定代表人）",
        "operationId": "update_enterprise",
        "tags": ["enterprises"],
        "parameters": [{**case_id[0], "name": "enterprise_id"}],
        "requestBody": _body({"type": "object", "properties": editable}),
        "responses": _responses(_json({"type": "object"}), 404, 422),
    }
    paths["/tasks"] = {
        "get": {
            "summary": "待办任务",
            "operationId": "tasks",
            "tags": ["tasks"],
            "responses": _responses(_json({"type": "object"})),
        }
    }
    paths["/tasks/{task_id}"] = {
        "get": {
            "summary": "任务及其表单说明",
            "operationId": "task",
            "tags": ["tasks"],
            "parameters": task_id,
            "responses": _responses(_json({"type": "object"}), 404),
        }
    }
    paths["/tasks/{task_id}/claim"] = {
        "post": {
            "summary": "认领任务",
            "operationId": "claim",
            "tags": ["tasks"],
            "parameters": task_id,
            "responses": _responses(_json({"type": "object"}), 404, 409),
        }
    }
    paths["/tasks/{task_id}/complete"] = {
        "post": {
            "summary": "提交任务表单（与页面同一表单类校验）",
            "operationId": "complete",
            "tags": ["tasks"],
            "parameters": task_id,
            "requestBody": _body({"type": "object"}),
            "responses": _responses(_json({"type": "object"}), 404, 409, 422),
        }
    }
    paths["/events"] = {
        "post": {
            "summary": "外部事件（按 event_id 幂等）",
            "operationId": "post_event",
            "tags": ["events"],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["event_id", "type"],
                    "properties": {
                        "event_id": {"type": "string", "minLength": 1, "maxLength": 100},
                        "type": {"type": "string", "enum": list(TYPES)},
                        "case_no": {"type": "string", "maxLength": 40},
                        "payload": {"type": "object"},
                    },
                }
            ),
            "responses": {
                **_responses(_json({"type": "object"}), 404, 409, 422),
                "201": _json({"type": "object"}, "已立案；work_orders：已导入（附未导入行及原因）"),
                "202": _json({"type": "object"}, "已送达"),
            },
        }
    }
    paths["/documents/{document_id}"] = {
        "get": {
            "summary": "文书（PDF；format=html 为出具时的 HTML）",
            "operationId": "document",
            "tags": ["documents"],
            "parameters": [
                {
                    "name": "document_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                },
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["pdf", "html"]},
                },
            ],
            "responses": {
                **_responses({"description": "PDF", "content": {"application/pdf": {}}}, 404)
            },
        }
    }
    paths["/health"] = {
        "get": {
            "summary": "数据库与后台任务状态",
            "operationId": "health",
            "tags": ["health"],
            "responses": _responses(_json({"type": "object"})),
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "体检 Tijian API",
            "version": "1",
            "description": "市场监管执法工作流接口。令牌由本人在“接口令牌”页面创建（集成账号的令牌由系统管理员签发），按 Authorization: Bearer 发送，到期或吊销后答 401；角色和地区规则与页面相同，用令牌所做的操作在审计日志中注明令牌及其创建人。",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message", "details"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {"type": "object"},
                    },
                },
                "DecisionResult": {
                    "type": "object",
                    "required": ["decision", "outputs", "matched_rules", "version"],
                    "properties": {
                        "decision": {"type": "string"},
                        "outputs": {"type": "object"},
                        "matched_rules": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "annotation": {"type": "string"},
                                },
                            },
                        },
                        "version": {"type": "string"},
                    },
                },
                "Deadline": {
                    "type": "object",
                    "properties": {
                        "start": {"type": "string", "format": "date"},
                        "due": {"type": "string", "format": "date"},
                        "unit": {"type": "string"},
                        "rolled": {"type": "boolean"},
                        "calendar_source": {
                            "type": "string",
                            "enum": ["chinese-calendar", "holiday-table", "weekends-only"],
                        },
                    },
                },
            },
        },
    }
