"""Every error becomes a Chinese page (or JSON under /api) — never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.platform import ServiceError
from forms.base import N_

MESSAGES = {
    400: N_("请求无效。"),
    401: N_("请先登录。"),
    403: N_("您无权访问此页面。"),
    404: N_("页面不存在。"),
    405: N_("不支持的请求方法。"),
    409: N_("数据已被他人修改，请刷新后重试。"),
    413: N_("上传的文件过大。"),
    422: N_("提交的内容有误。"),
    429: N_("请求过于频繁，请稍后再试。"),
    500: N_("系统内部错误，已记录，请稍后再试。"),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError) -> ResponseReturnValue:
        db.session.rollback()
        body, status = _answer(exc.status, str(exc), getattr(exc, "details", None))
        return body, status, exc.headers

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return _answer(400, N_("表单已过期或缺少安全令牌（CSRF），请刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        description = exc.description if _is_own_message(exc) else None
        return _answer(code, description or MESSAGES.get(code, MESSAGES[400]))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        return _answer(500, MESSAGES[500])


def _is_own_message(exc: HTTPException) -> bool:
    # Werkzeug's default descriptions are English prose; ours are set through abort(description=).
    default = type(exc).description
    return (
        bool(exc.description)
        and exc.description != default
        and not isinstance(exc, InternalServerError)
    )


ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def _answer(status: int, message: str, details: object = None) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        body = {
            "error": ERROR_CODES.get(status, "error"),
            "message": message,
            "details": details or {},
        }
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status
