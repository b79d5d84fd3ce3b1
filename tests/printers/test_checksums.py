"""The checksums carry published check values, so vendors can test against the same numbers."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from printers.checksums import crc16_modbus, crc16_modbus_bytes, xor_checksum


def _crc_bitwise(data: bytes) -> int:
    """Reference implementation straight from the definition (no table)."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_crc16_modbus_check_value_of_123456789_is_4b37() -> None:
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_modbus_bytes(b"123456789") == b"\x37\x4b"


def test_crc16_modbus_of_a_classic_modbus_request() -> None:
    # 01 03 00 00 00 0A is sent on Modbus RTU as ... C5 CD
    assert crc16_modbus_bytes(bytes.fromhex("01030000000A")) == bytes.fromhex("C5CD")


def test_crc16_of_nothing_is_the_initial_value() -> None:
    assert crc16_modbus(b"") == 0xFFFF


@settings(database=None, deadline=None, max_examples=200)
@given(st.binary(max_size=300))
def test_table_crc_equals_the_bitwise_definition(data: bytes) -> None:
    assert crc16_modbus(data) == _crc_bitwise(data)


@settings(database=None, deadline=None, max_examples=100)
@given(st.binary(min_size=1, max_size=100), st.integers(0, 799))
def test_crc_detects_every_single_bit_flip(data: bytes, bit: int) -> None:
    i, b = divmod(bit % (len(data) * 8), 8)
    flipped = bytearray(data)
    flipped[i] ^= 1 << b
    assert crc16_modbus(bytes(flipped)) != crc16_modbus(data)


def test_gat467_xor_of_find_card_is_22() -> None:
    assert xor_checksum(bytes.fromhex("00032001")) == 0x22
    assert xor_checksum(b"") == 0
