"""Every error leaves the server as ``{"error": {"code", "message"}}`` in plain Chinese."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain.errors import HallError

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    400: ("bad_request", "请求格式有误。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "您没有执行此操作的权限。"),
    404: ("not_found", "找不到所请求的地址。"),
    405: ("method_not_allowed", "不支持该请求方式。"),
    413: ("too_large", "请求内容过大。"),
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def response_for(exc: BaseException, *, where: str) -> JSONResponse:
    """The one mapping from an exception to what the client reads: the framework's handlers
    (``install``) and the hot lane (``api/lane.py``) both answer through it. ``where`` is
    "METHOD /path", for the log."""
    if isinstance(exc, HallError):
        log.info("known error %s on %s: %s", exc.code, where, exc.message)
        return error_response(exc.status, exc.code, exc.message)
    if isinstance(exc, RequestValidationError):
        fields = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
            fields.append(loc or "请求体")
        msg = "提交的数据格式不正确" + (f"：{'、'.join(fields)}" if fields else "") + "。"
        return error_response(422, "invalid_input", msg)
    if isinstance(exc, StarletteHTTPException):
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理。"))
        return error_response(exc.status_code, code, message)
    if isinstance(exc, DataError):
        # the database refused a value the models let through (integer out of range …)
        log.info("database refused input on %s: %s", where, exc.orig)
        return error_response(422, "out_of_range", "提交的数字或日期超出可处理的范围。")
    if isinstance(exc, OperationalError):
        # the database is unreachable or busy: the client may retry (with its Idempotency-Key)
        log.error("database error on %s: %s", where, exc)
        return error_response(503, "database_unavailable", "数据库暂时不可用，请稍后重试。")
    if isinstance(exc, OverflowError) or (isinstance(exc, StatementError) and isinstance(exc.orig, OverflowError)):
        # a number beyond 64 bits reaching the database, a date past year 9999 in arithmetic
        # or at the end of the calendar, bound to a query
        log.info("out-of-range input on %s: %s", where, exc)
        return error_response(422, "out_of_range", "提交的数字或日期超出可处理的范围。")
    # a bug: logged with its traceback; the client gets the same JSON shape, never a bare page
    log.error("unhandled error on %s", where, exc_info=exc)
    return error_response(500, "internal_error", "服务器内部错误，已记录，请联系系统管理员。")


def install(app: FastAPI) -> None:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return response_for(exc, where=f"{request.method} {request.url.path}")

    for kind in (HallError, RequestValidationError, StarletteHTTPException, OverflowError, DataError,
                 OperationalError, StatementError, Exception):
        app.add_exception_handler(kind, handler)
