"""Checksums used on the wire: CRC-16/MODBUS (our LED and evaluator frames) and the
byte-wise XOR of GA/T 467 (身份证 readers). Pure functions with published check values,
so a board vendor can verify their firmware against the same numbers."""
from __future__ import annotations


def _make_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _make_table()


def crc16_modbus(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/MODBUS: poly 0x8005 reflected (0xA001), init 0xFFFF, no final XOR.

    Check value: ``crc16_modbus(b"123456789") == 0x4B37``. On the wire it is sent
    low byte first.
    """
    for b in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ b) & 0xFF]
    return crc


def crc16_modbus_bytes(data: bytes) -> bytes:
    """The CRC as it goes on the wire: little-endian."""
    return crc16_modbus(data).to_bytes(2, "little")


def xor_checksum(data: bytes) -> int:
    """XOR of all bytes (GA/T 467 CHK_SUM)."""
    x = 0
    for b in data:
        x ^= b
    return x
