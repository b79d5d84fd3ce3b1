"""The device error tree.

Every fault a device can have that a person can do something about is one class here,
with a ``message`` in plain Chinese that a clerk or citizen can act on (shown as is by
the client) and a machine-readable ``code`` (logged, and used by the client to decide
e.g. whether to offer "重新打印"). The technical detail (port name, bytes seen, errno)
goes in ``detail`` for the log, never in front of the citizen.

    DeviceError
    ├── DeviceConfigError        the config string is wrong (an installer's mistake)
    ├── DeviceOffline            cannot open / the link dropped (unplugged, powered off)
    │   └── PrinterOffline
    ├── DeviceTimeout            opened, but no (complete) answer in time
    ├── ProtocolError            an answer came but it is malformed
    │   ├── ChecksumError        ... its CRC/XOR does not match
    │   └── SlipDecodeError      ESC/POS bytes that do not parse (decoder)
    ├── DeviceRejected           the device answered "no" with a status code
    │   ├── IdCardReadFailed     the 身份证 reader could not read the card
    │   └── UnsupportedCommand   this model cannot do that (e.g. brightness on a raw board)
    ├── PrinterOutOfPaper
    ├── PrinterCoverOpen
    └── IdCardInvalid            the card was read but its data fails GB 11643 checks

Anything that is not a ``DeviceError`` escaping a driver is a bug and must fail loudly.
"""
from __future__ import annotations

from typing import ClassVar


class DeviceError(Exception):
    """Base of all known device faults; ``str()`` is the Chinese message."""

    code: ClassVar[str] = "device_error"
    message: str = "设备故障，请稍后重试；多次出现请联系大厅管理员。"

    def __init__(self, detail: str = "", *, message: str | None = None, device: str = "") -> None:
        super().__init__(detail or type(self).message)
        if message is not None:
            self.message = message
        self.detail = detail
        self.device = device

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r}, device={self.device!r})"

    def log_text(self) -> str:
        """One line for the log: code, device and technical detail."""
        parts = [self.code]
        if self.device:
            parts.append(self.device)
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)


class DeviceConfigError(DeviceError, ValueError):
    code = "device_config"
    message = "设备配置有误，请联系大厅管理员检查本机的设备设置。"


class DeviceOffline(DeviceError):
    code = "device_offline"
    message = "设备未连接或已断开，请检查电源和数据线后重试。"


class PrinterOffline(DeviceOffline):
    code = "printer_offline"
    message = "打印机未连接或未开机，请检查电源和数据线后点击“重新打印”。号码已保留。"


class DeviceTimeout(DeviceError, TimeoutError):
    code = "device_timeout"
    message = "设备无应答，请检查设备是否开机、数据线是否松动后重试。"


class ProtocolError(DeviceError):
    code = "device_protocol"
    message = "设备返回的数据有误，请重试；多次出现请联系大厅管理员。"


class ChecksumError(ProtocolError):
    code = "device_checksum"
    message = "设备通信受到干扰（校验错误），请重试；多次出现请检查数据线。"


class SlipDecodeError(ProtocolError):
    code = "slip_decode"
    message = "打印数据无法解析。"


class DeviceRejected(DeviceError):
    code = "device_rejected"
    message = "设备拒绝执行指令，请重试；多次出现请联系大厅管理员。"

    def __init__(self, detail: str = "", *, status: int = 0, message: str | None = None,
                 device: str = "") -> None:
        super().__init__(detail, message=message, device=device)
        self.status = status


class UnsupportedCommand(DeviceRejected):
    code = "device_unsupported"
    message = "该设备型号不支持此功能。"


class IdCardReadFailed(DeviceRejected):
    code = "idcard_read_failed"
    message = "未能读取身份证，请将证件平放在感应区并保持不动，再试一次。"


class PrinterOutOfPaper(DeviceError):
    code = "printer_out_of_paper"
    message = "打印机缺纸，请更换纸卷后点击“重新打印”。号码已保留。"


class PrinterCoverOpen(DeviceError):
    code = "printer_cover_open"
    message = "打印机纸仓盖未合上，请合上后点击“重新打印”。"


class IdCardInvalid(DeviceError):
    code = "idcard_invalid"
    message = "身份证信息校验未通过，请人工核验证件。"
