"""One config string per device, as an installer writes it in the client's TOML:

    escpos+serial:///dev/ttyUSB0?baudrate=19200&encoding=gb18030&width=80
    escpos+tcp://192.0.2.10:9100?qr=native&status=required
    escpos+file:///dev/usb/lp0
    led+serial:///dev/ttyS1?baudrate=9600&address=3
    led+tcp://192.0.2.20:4001?protocol=rawtext
    evaluator+serial:///dev/ttyUSB1
    idcard+serial:///dev/ttyUSB2            (115200 8N1 by default)
    sim:printer  sim:led  sim:evaluator  sim:idcard   (in-process simulators)

``DEVICE+TRANSPORT://where?options``. Windows ports: ``escpos+serial://COM3``. Any
pyserial URL works as the port with ``port=``: ``escpos+serial://?port=rfc2217://host:2217``.
Unknown options are an error (a typo must not be silently ignored).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import DeviceConfigError
from .escpos import PrinterProfile
from .transport import FileTransport, SerialTransport, TcpTransport, Transport

if TYPE_CHECKING:
    from .evaluator import Evaluator
    from .idcard import IdCardReader
    from .ledboard import LedBoard, RawTextBoard
    from .printer import Printer

log = logging.getLogger(__name__)

DEVICES = ("escpos", "led", "evaluator", "idcard")
TRANSPORTS = ("serial", "tcp", "file")
DEFAULT_BAUD = {"escpos": 9600, "led": 9600, "evaluator": 9600, "idcard": 115200}
DEFAULT_TCP_PORT = {"escpos": 9100}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(p: dict[str, str], key: str, default: bool) -> bool:
    if key not in p:
        return default
    v = p.pop(key).lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise DeviceConfigError(f"{key}={v!r}: use 1 or 0")


def _int(p: dict[str, str], key: str, default: int | None) -> int | None:
    if key not in p:
        return default
    v = p.pop(key)
    try:
        return int(v)
    except ValueError:
        raise DeviceConfigError(f"{key}={v!r} is not a whole number") from None


def _float(p: dict[str, str], key: str, default: float) -> float:
    if key not in p:
        return default
    v = p.pop(key)
    try:
        f = float(v)
    except ValueError:
        raise DeviceConfigError(f"{key}={v!r} is not a number") from None
    if not 0 <= f <= 600:
        raise DeviceConfigError(f"{key}={v!r} is out of range")
    return f


def printer_profile(p: dict[str, str]) -> PrinterProfile:
    """Consume the printer-model options from ``p``."""
    width = _int(p, "width", 80)
    assert width is not None
    return PrinterProfile(
        encoding=p.pop("encoding", "gb18030"), width_mm=width, dots=_int(p, "dots", None),
        chinese_mode=_bool(p, "chinese_mode", True), qr=p.pop("qr", "native"),  # type: ignore[arg-type]
        qr_module=_int(p, "qr_module", None), qr_ec=p.pop("qr_ec", "M"),
        cut=p.pop("cut", "full"), feed_before_cut=_int(p, "feed", 4) or 0,  # type: ignore[arg-type]
    )


def build_driver(device: str, transport: Transport, p: dict[str, str]) -> Any:
    """The driver for ``device`` over ``transport``; consumes its options from ``p``."""
    from .evaluator import Evaluator
    from .framing import FramedLink
    from .idcard import IdCardReader
    from .ledboard import LedBoard, RawTextBoard
    from .printer import Printer

    driver: Any
    if device == "escpos":
        profile = printer_profile(p)
        mode = p.pop("status", "optional")
        if mode not in ("required", "optional", "off"):
            raise DeviceConfigError(f"status={mode!r}: use required, optional or off")
        driver = Printer(transport, profile, status_mode=mode,  # type: ignore[arg-type]
                         status_timeout=_float(p, "status_timeout", 0.3))
    elif device == "led":
        protocol = p.pop("protocol", "hall")
        if protocol == "rawtext":
            driver = RawTextBoard(transport, encoding=p.pop("encoding", "gb2312"))
        elif protocol == "hall":
            link = FramedLink(transport, timeout=_float(p, "timeout", 0.5), retries=_int(p, "retries", 2) or 0)
            address = _int(p, "address", 1)
            assert address is not None
            try:
                driver = LedBoard(link, address=address, encoding=p.pop("encoding", None),
                                  flash_s=_int(p, "flash", 5) or 0, hold_s=_int(p, "hold", 0) or 0)
            except ValueError as e:
                raise DeviceConfigError(str(e)) from None
        else:
            raise DeviceConfigError(f"protocol={protocol!r}: use hall or rawtext")
    elif device == "evaluator":
        link = FramedLink(transport, timeout=_float(p, "timeout", 0.5), retries=_int(p, "retries", 2) or 0)
        driver = Evaluator(link, address=_int(p, "address", 1) or 1)
    elif device == "idcard":
        driver = IdCardReader(transport, timeout=_float(p, "timeout", 1.0), poll_interval=_float(p, "poll", 0.3))
    else:
        raise DeviceConfigError(f"unknown device {device!r}; use one of {DEVICES}")
    if p:
        raise DeviceConfigError(f"unknown option(s) for {device}: {', '.join(sorted(p))}")
    return driver


def parse(config: str) -> tuple[str, str, str, dict[str, str]]:
    """``(device, transport, where, options)``; for ``sim:KIND`` transport is "sim"."""
    config = config.strip()
    if not config:
        raise DeviceConfigError("empty device config")
    if config.startswith("sim:"):
        kind, _, query = config[4:].partition("?")
        return kind, "sim", "", dict(parse_qsl(query, keep_blank_values=True))
    u = urlsplit(config)
    device, plus, transport = u.scheme.partition("+")
    if not plus or device not in DEVICES or transport not in TRANSPORTS:
        raise DeviceConfigError(f"{config!r}: expected DEVICE+TRANSPORT://… with DEVICE in {DEVICES} "
                                f"and TRANSPORT in {TRANSPORTS}, or sim:KIND")
    opts = dict(parse_qsl(u.query, keep_blank_values=True))
    if transport == "tcp":
        where = u.netloc
    else:
        where = unquote(u.path) if u.path else unquote(u.netloc)
        if "port" in opts and transport == "serial":
            where = opts.pop("port")
    if not where:
        raise DeviceConfigError(f"{config!r}: no port, host or path given")
    return device, transport, where, opts


def make_transport(device: str, transport: str, where: str, p: dict[str, str]) -> Transport:
    if transport == "serial":
        parity = p.pop("parity", "N").upper()
        if parity not in ("N", "E", "O", "M", "S"):
            raise DeviceConfigError(f"parity={parity!r}")
        wt = p.pop("write_timeout", None)
        return SerialTransport(
            where, baudrate=_int(p, "baudrate", DEFAULT_BAUD[device]) or DEFAULT_BAUD[device],
            bytesize=_int(p, "bytesize", 8) or 8, parity=parity, stopbits=_float(p, "stopbits", 1),
            rtscts=_bool(p, "rtscts", False), xonxoff=_bool(p, "xonxoff", False),
            write_timeout=float(wt) if wt else None)
    if transport == "tcp":
        u = urlsplit("//" + where)
        try:
            port = u.port or DEFAULT_TCP_PORT.get(device)
        except ValueError:
            raise DeviceConfigError(f"bad TCP port in {where!r}") from None
        if not u.hostname or not port:
            raise DeviceConfigError(f"{where!r}: give host:port")
        return TcpTransport(u.hostname, port, connect_timeout=_float(p, "connect_timeout", 3.0),
                            write_timeout=_float(p, "write_timeout", 5.0))
    return FileTransport(where, append=_bool(p, "append", True), write_timeout=_float(p, "write_timeout", 10.0))


def open_device(config: str) -> Any:
    """A driver (Printer, LedBoard, RawTextBoard, Evaluator, IdCardReader) for one
    config string. Nothing is opened yet: the link opens on first use, so a printer
    that is off when the kiosk starts is an error on the first print, not a crash."""
    device, transport, where, p = parse(config)
    if transport == "sim":
        from .simulators import open_simulated
        return open_simulated(device, p)
    t = make_transport(device, transport, where, p)
    driver = build_driver(device, t, p)
    log.info("device %s on %s", device, t.description)
    return driver


def _typed(config: str, cls: type[Any]) -> Any:
    d = open_device(config)
    if not isinstance(d, cls):
        raise DeviceConfigError(f"{config!r} is a {type(d).__name__}, not a {cls.__name__}")
    return d


def open_printer(config: str) -> "Printer":
    from .printer import Printer
    return _typed(config, Printer)  # type: ignore[no-any-return]


def open_evaluator(config: str) -> "Evaluator":
    from .evaluator import Evaluator
    return _typed(config, Evaluator)  # type: ignore[no-any-return]


def open_idcard_reader(config: str) -> "IdCardReader":
    from .idcard import IdCardReader
    return _typed(config, IdCardReader)  # type: ignore[no-any-return]


def open_board(config: str) -> "LedBoard | RawTextBoard":
    from .ledboard import LedBoard, RawTextBoard
    d = open_device(config)
    if not isinstance(d, (LedBoard, RawTextBoard)):
        raise DeviceConfigError(f"{config!r} is a {type(d).__name__}, not an LED board")
    return d
