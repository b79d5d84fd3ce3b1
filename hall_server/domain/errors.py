"""Known errors: a person can act on them, so they carry a code and plain Chinese.

Anything that is not a ``HallError`` is a bug and must fail loudly. The API maps
``status`` to the HTTP status and the body ``{"error": {"code", "message"}}``.
"""
from __future__ import annotations


class HallError(Exception):
    status: int = 400
    code: str = "bad_request"
    message: str = "请求无法处理。"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        super().__init__(f"{self.code}: {self.message}")


class BadInput(HallError):
    status = 422
    code = "invalid_input"
    message = "输入的内容有误，请检查后重试。"


class Unauthorized(HallError):
    status = 401
    code = "unauthorized"
    message = "请先登录。"


class Forbidden(HallError):
    status = 403
    code = "forbidden"
    message = "您没有执行此操作的权限。"


class NotFound(HallError):
    status = 404
    code = "not_found"
    message = "找不到所请求的对象。"


class Conflict(HallError):
    status = 409
    code = "conflict"
    message = "当前状态下不能执行此操作。"


class TooLarge(HallError):
    status = 413
    code = "too_large"
    message = "请求内容过大。"
