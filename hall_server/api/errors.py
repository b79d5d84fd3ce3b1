"""Every error leaves the server as ``{"error": {"code", "message"}}`` in plain Chinese."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def install(app: FastAPI) -> None:
    @app.exception_handler(HallError)
    async def _known(request: Request, exc: HallError) -> JSONResponse:
        log.info("known error %s on %s %s: %s", exc.code, request.method, request.url.path, exc.message)
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
            fields.append(loc or "请求体")
        msg = "提交的数据格式不正确" + (f"：{'、'.join(fields)}" if fields else "") + "。"
        return error_response(422, "invalid_input", msg)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理。"))
        return error_response(exc.status_code, code, message)
