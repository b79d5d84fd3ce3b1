"""The 身份证 reader: GA/T 467 over serial (115200 8N1), and GB 11643 number checks.

Wire format (both directions)::

    AA AA AA 96 69 | LEN (2, BE) | body | CHK
    host -> reader body: CMD PARA [data]          LEN = len(body) + 1
    reader -> host body: SW1 SW2 SW3 [data]       (SW3 0x90 success, 0x9F card found)
    CHK = XOR of LEN..last body byte

Commands: find card 20 01, select card 20 02, read base information 30 01 (answer:
text length (2, BE) = 256, photo length (2, BE) = 1024, the text, the photo), SAM id
12 FF, SAM status 11 FF, reset SAM 10 FF. The text is UCS-2 little-endian in fixed
fields: name 30, sex 2, nation 4, birth 16, address 70, number 36, authority 30,
valid from 16, valid until 16, reserved 36 bytes. The photo (WLT, decoded only by the
licensed SDK) is kept as opaque bytes.

Why every number is checked with GB 11643's check digit: a reader that garbles a
field in the radio link still gives a well-formed frame (the SAM checks the card, not
our serial link), and a wrong ID number must never reach a case file.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from .checksums import xor_checksum
from .errors import (ChecksumError, DeviceRejected, DeviceTimeout, IdCardInvalid, IdCardReadFailed,
                     ProtocolError)
from .transport import Transport

log = logging.getLogger(__name__)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 4096
TEXT_LEN = 256
PHOTO_LEN = 1024


RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)


class SW3(IntEnum):
    SUCCESS = 0x90
    FIND_OK = 0x9F
    FIND_FAILED = 0x80
    SELECT_FAILED = 0x81
    READ_FAILED = 0x41
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORIZED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_FAILED = 0x31
    INFO_VERIFY_FAILED = 0x32
    UNKNOWN_CARD = 0x40
    DEVICE_AUTH_FAILED = 0x47
    SAM_SELFTEST_FAILED = 0x60
    SAM_UNAUTHORIZED = 0x66
    NO_CONTENT = 0x91


_READ_FAILED_MSG = {
    SW3.UNKNOWN_CARD: "无法识别的证件，请使用第二代居民身份证或港澳台居民居住证。",
    SW3.CARD_AUTH_FAILED: "证件认证未通过，请人工核验证件。",
    SW3.INFO_VERIFY_FAILED: "证件认证未通过，请人工核验证件。",
    SW3.DEVICE_AUTH_FAILED: "证件认证未通过，请人工核验证件。",
}
_SAM_FAULT_MSG = "身份证阅读器安全模块故障，请联系大厅管理员。"


# --------------------------------------------------------------------------- GB 11643

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need the first 17 digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def valid_id_number(number: str) -> bool:
    """18 characters, a real birth date, a region code, and the right check character."""
    if len(number) != 18 or not number.isascii():
        return False
    body, check = number[:17], number[17].upper()
    if not body.isdigit() or not (check.isdigit() or check == "X") or body[0] == "0":
        return False
    try:
        born = birth_date_of(number)
    except ValueError:
        return False
    if born.year < 1850:
        return False
    return id_check_digit(body) == check


def mask_id_number(number: str) -> str:
    """110101********1234: what screens, logs and displays may show.

    Every length a document number can have is masked: 18 keeps the region and the last
    four, 15 (the old card) the region and the last three, never the birth date; shorter
    numbers (港澳台 permits of 8–11, passports of 9, …) keep only their first character.
    A copy of ``hall_server.domain.privacy.mask_id`` (printers may not import the server);
    tests/hall_server/contract/test_show.py keeps the two equal."""
    if not number:
        return number
    n = len(number)
    if n < 15:
        return number[:1] + "*" * (n - 1)
    if n == 15:
        return number[:6] + "*" * 6 + number[-3:]
    return number[:6] + "*" * (n - 10) + number[-4:]


NATIONS = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌",
    "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春", "53": "赫哲",
    "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}
SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# field name, length in bytes (UCS-2: 2 per character)
TEXT_FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("number", 36),
               ("authority", 30), ("valid_from", 16), ("valid_until", 16), ("reserved", 36))
CARD_TYPE_OFFSET = 248  # inside "reserved": ' ' 居民身份证, 'J' 港澳台居民居住证, 'I' 外国人永久居留证


@dataclass(frozen=True, repr=False)
class IdCard:
    name: str
    sex: str
    sex_code: str
    nation: str
    nation_code: str
    birth_date: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_until: date | None  # None: 长期
    photo: bytes = b""  # WLT, opaque
    card_type: str = ""  # "" 居民身份证, "J" 港澳台居民居住证

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def __repr__(self) -> str:  # personal data stays out of logs and tracebacks
        return f"IdCard(name={self.name[:1]}*, id={self.masked_id}, photo={len(self.photo)} bytes)"


def _ymd(s: str, what: str) -> date:
    if len(s) != 8 or not s.isdigit():
        raise IdCardInvalid(f"{what} is not YYYYMMDD: {s!r}")
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        raise IdCardInvalid(f"{what} is not a date: {s!r}") from None


def parse_base_text(text: bytes) -> dict[str, str]:
    """The 256-byte text block split into its fields (UCS-2 LE, padding removed)."""
    if len(text) != TEXT_LEN:
        raise ProtocolError(f"text block is {len(text)} bytes, expected {TEXT_LEN}")
    out: dict[str, str] = {}
    at = 0
    for name, size in TEXT_FIELDS:
        raw = text[at:at + size]
        out[name] = raw.decode("utf-16-le", errors="replace").rstrip(" \x00").strip()
        at += size
    out["card_type"] = text[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2].decode("utf-16-le", errors="replace").strip(" \x00")
    return out


def parse_base_info(data: bytes) -> IdCard:
    """READ_BASE answer data -> IdCard; raises IdCardInvalid when the data fails checks."""
    if len(data) < 4:
        raise ProtocolError("base information too short")
    tlen = data[0] << 8 | data[1]
    plen = data[2] << 8 | data[3]
    if tlen != TEXT_LEN or len(data) < 4 + tlen + plen:
        raise ProtocolError(f"base information lengths {tlen}/{plen} do not match {len(data) - 4} bytes")
    f = parse_base_text(data[4:4 + tlen])
    photo = bytes(data[4 + tlen:4 + tlen + plen])
    if f["card_type"] == "I":
        raise IdCardReadFailed("foreign permanent resident card", status=0,
                               message="暂不支持外国人永久居留身份证，请到人工窗口办理。")
    number = f["number"].upper()
    if not valid_id_number(number):
        raise IdCardInvalid(f"ID number fails GB 11643 (masked {mask_id_number(number)})")
    birth = _ymd(f["birth"], "birth date")
    if birth != birth_date_of(number):
        raise IdCardInvalid("birth date does not match the ID number")
    until = None if f["valid_until"] in ("长期", "") else _ymd(f["valid_until"], "valid until")
    return IdCard(
        name=f["name"], sex=SEXES.get(f["sex"], "未知"), sex_code=f["sex"],
        nation="" if f["card_type"] == "J" else NATIONS.get(f["nation"], f["nation"]), nation_code=f["nation"],
        birth_date=birth, address=f["address"], id_number=number, authority=f["authority"],
        valid_from=_ymd(f["valid_from"], "valid from"), valid_until=until, photo=photo, card_type=f["card_type"],
    )


def _field(value: str, size: int) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > size:
        raise ValueError(f"{value!r} does not fit in {size} bytes")
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def encode_base_text(card: IdCard) -> bytes:
    """The 256-byte text block of a card (simulator, test vectors)."""
    values = {
        "name": card.name, "sex": card.sex_code, "nation": card.nation_code,
        "birth": card.birth_date.strftime("%Y%m%d"), "address": card.address, "number": card.id_number,
        "authority": card.authority, "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_until": "长期" if card.valid_until is None else card.valid_until.strftime("%Y%m%d"), "reserved": "",
    }
    text = b"".join(_field(values[name], size) for name, size in TEXT_FIELDS)
    if card.card_type:
        text = text[:CARD_TYPE_OFFSET] + card.card_type[:1].encode("utf-16-le") + text[CARD_TYPE_OFFSET + 2:]
    return text


def encode_base_info(card: IdCard) -> bytes:
    photo = card.photo.ljust(PHOTO_LEN, b"\x00")[:PHOTO_LEN]
    return TEXT_LEN.to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big") + encode_base_text(card) + photo


# --------------------------------------------------------------------------- frames


def _frame(body: bytes) -> bytes:
    ln = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + ln + body + bytes([xor_checksum(ln + body)])


def encode_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    """Host -> reader. ``encode_command(0x20, 0x01)`` is AA AA AA 96 69 00 03 20 01 22."""
    return _frame(bytes([cmd, para]) + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """Reader -> host (simulator, test vectors)."""
    return _frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class IdFrame:
    body: bytes  # CMD PARA data (to the reader) or SW1 SW2 SW3 data (from it)


class IdFrameParser:
    """Finds ``AA AA AA 96 69`` frames in a byte stream; resyncs after garbage."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.checksum_errors = 0
        self.garbage_bytes = 0

    @property
    def pending(self) -> int:
        return len(self._buf)

    def reset(self) -> None:
        self.garbage_bytes += len(self._buf)
        self._buf.clear()

    def feed(self, data: bytes) -> list[IdFrame]:
        buf = self._buf
        buf += data
        out: list[IdFrame] = []
        while True:
            i = buf.find(PREAMBLE)
            if i < 0:
                keep = 0
                for k in range(min(4, len(buf)), 0, -1):  # a preamble split across reads
                    if PREAMBLE.startswith(bytes(buf[-k:])):
                        keep = k
                        break
                self.garbage_bytes += len(buf) - keep
                del buf[:len(buf) - keep]
                break
            if i:
                self.garbage_bytes += i
                del buf[:i]
            if len(buf) < 7:
                break
            ln = buf[5] << 8 | buf[6]
            if not 3 <= ln <= MAX_LEN:
                self.garbage_bytes += 1
                del buf[:1]
                continue
            total = 7 + ln
            if len(buf) < total:
                j = self._later_frame(buf)  # a damaged length must not swallow good frames
                if j < 0:
                    break
                self.garbage_bytes += j
                del buf[:j]
                continue
            if xor_checksum(bytes(buf[5:total - 1])) != buf[total - 1]:
                self.checksum_errors += 1
                self.garbage_bytes += 1
                del buf[:1]
                continue
            out.append(IdFrame(bytes(buf[7:total - 1])))
            del buf[:total]
        return out


    @staticmethod
    def _later_frame(buf: bytearray) -> int:
        j = buf.find(PREAMBLE, 1)
        while j >= 0:
            if len(buf) - j >= 8:
                ln = buf[j + 5] << 8 | buf[j + 6]
                end = j + 7 + ln
                if 3 <= ln <= MAX_LEN and end <= len(buf) and xor_checksum(bytes(buf[j + 5:end - 1])) == buf[end - 1]:
                    return j
            j = buf.find(PREAMBLE, j + 1)
        return -1


# --------------------------------------------------------------------------- driver


class IdCardReader:
    """A GA/T 467 reader. ``read_card(timeout)`` waits for a card (polling find card)
    and returns it, or None when no card came in time or ``cancel()`` was called."""

    def __init__(self, transport: Transport, *, timeout: float = 1.0, poll_interval: float = 0.3,
                 name: str = "idcard") -> None:
        self.transport = transport
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.name = name
        self.simulator: Any = None
        self.parser = IdFrameParser()
        self._cancel = threading.Event()
        self._lock = threading.RLock()

    def _command(self, cmd: tuple[int, int], data: bytes = b"") -> tuple[int, bytes]:
        """One exchange: (SW3, data). Every read is bounded by ``self.timeout``."""
        frame = encode_command(cmd[0], cmd[1], data)
        with self._lock:
            self.transport.ensure_open()
            self.transport.discard_input()
            self.parser.reset()
            crc0 = self.parser.checksum_errors
            self.transport.write(frame)
            deadline = time.monotonic() + self.timeout + self.transport.transmit_time(1400)
            got = False
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                chunk = self.transport.read(4096, remaining)
                if not chunk:
                    break
                got = True
                frames = self.parser.feed(chunk)
                if frames:
                    body = frames[0].body
                    if len(body) < 3:
                        raise ProtocolError(f"answer too short: {body.hex(' ')}", device=self.name)
                    return body[2], body[3:]
                if self.parser.checksum_errors > crc0 and not self.parser.pending:
                    raise ChecksumError(f"{cmd[0]:02x} {cmd[1]:02x}: answer with a wrong XOR checksum",
                                        device=self.name)
            detail = f"command {cmd[0]:02x} {cmd[1]:02x}: no complete answer in {self.timeout:.1f} s"
            if self.parser.checksum_errors > crc0:
                raise ChecksumError(detail, device=self.name)
            if got:
                raise ProtocolError(detail + " (truncated or malformed)", device=self.name)
            raise DeviceTimeout(detail, device=self.name,
                                message="身份证阅读器无应答，请检查阅读器电源和数据线。")

    def _reject(self, what: str, sw3: int) -> DeviceRejected:
        if sw3 in (SW3.CHECKSUM_ERROR, SW3.LENGTH_ERROR, SW3.COMMAND_ERROR):
            return DeviceRejected(f"{what}: reader says our frame was bad ({sw3:#04x})", status=sw3,
                                  device=self.name, message="身份证阅读器通信出错，请重试。")
        if sw3 in (SW3.SAM_SELFTEST_FAILED, SW3.SAM_UNAUTHORIZED, SW3.UNAUTHORIZED):
            return DeviceRejected(f"{what}: SAM fault {sw3:#04x}", status=sw3, device=self.name,
                                  message=_SAM_FAULT_MSG)
        try:
            msg = _READ_FAILED_MSG.get(SW3(sw3))
        except ValueError:
            msg = None
        return IdCardReadFailed(f"{what}: SW3 {sw3:#04x}", status=sw3, device=self.name, message=msg)

    def sam_id(self) -> str:
        sw3, data = self._command(READ_SAM_ID)
        if sw3 != SW3.SUCCESS:
            raise self._reject("SAM id", sw3)
        if len(data) < 16:
            raise ProtocolError(f"SAM id is {len(data)} bytes", device=self.name)
        le = int.from_bytes
        return (f"{le(data[0:2], 'little'):02d}.{le(data[2:4], 'little'):02d}-{le(data[4:8], 'little'):08d}-"
                f"{le(data[8:12], 'little'):010d}-{le(data[12:16], 'little'):010d}")

    def sam_ok(self) -> bool:
        sw3, _ = self._command(SAM_STATUS)
        return sw3 == SW3.SUCCESS

    def find_card(self) -> bool:
        sw3, _ = self._command(FIND_CARD)
        if sw3 == SW3.FIND_OK:
            return True
        if sw3 == SW3.FIND_FAILED:
            return False
        raise self._reject("find card", sw3)

    def select_card(self) -> bool:
        sw3, _ = self._command(SELECT_CARD)
        if sw3 == SW3.SUCCESS:
            return True
        if sw3 == SW3.SELECT_FAILED:
            return False
        raise self._reject("select card", sw3)

    def read_base(self) -> IdCard:
        sw3, data = self._command(READ_BASE)
        if sw3 != SW3.SUCCESS:
            raise self._reject("read base information", sw3)
        try:
            card = parse_base_info(data)
        except (IdCardInvalid, IdCardReadFailed, ProtocolError) as e:
            e.device = self.name
            raise
        log.info("%s: read card %s", self.name, card.masked_id)
        return card

    def read_card(self, timeout: float = 5.0) -> IdCard | None:
        """Wait up to ``timeout`` s for a card on the reader; None if none came."""
        self._cancel.clear()
        deadline = time.monotonic() + timeout
        while True:
            if self.find_card() and self.select_card():
                return self.read_base()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._cancel.wait(min(self.poll_interval, remaining)):
                return None

    def cancel(self) -> None:
        """Make a waiting ``read_card`` return None (from another thread)."""
        self._cancel.set()

    def close(self) -> None:
        with self._lock:
            self.transport.close()


__all__ = [
    "FIND_CARD", "IdCard", "IdCardReader", "IdFrame", "IdFrameParser", "NATIONS", "READ_BASE", "READ_SAM_ID",
    "SAM_STATUS", "SELECT_CARD", "SW3", "encode_base_info", "encode_base_text", "encode_command",
    "encode_response", "id_check_digit", "mask_id_number", "parse_base_info", "parse_base_text",
    "valid_id_number",
]
