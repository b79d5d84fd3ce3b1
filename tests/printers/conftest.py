"""Fixtures for the hardware layer: sample slips on a fixed clock, golden files,
socat pty pairs and loopback TCP simulators. Everything stays on this machine."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from printers.simulators import PtyPair
from printers.slips import (AcceptanceSlip, CorrectionSlip, ReceiptItem, ReceiptSlip, RejectionSlip,
                            TicketSlip)

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PRINTERS_UPDATE_GOLDEN") == "1"

HALL = "南山区政务服务中心"
T_ISSUE = datetime(2026, 11, 24, 9, 5, 31)  # the hall's local time, as printed


@pytest.fixture
def golden() -> Callable[[str, bytes], None]:
    """Compare bytes with tests/printers/golden/NAME.bin (PRINTERS_UPDATE_GOLDEN=1 rewrites)."""
    def check(name: str, data: bytes) -> None:
        path = GOLDEN / f"{name}.bin"
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            path.write_bytes(data)
        assert path.exists(), f"no golden file {path}; run with PRINTERS_UPDATE_GOLDEN=1 and review it"
        expected = path.read_bytes()
        if data != expected:
            i = next((k for k, (a, b) in enumerate(zip(data, expected)) if a != b), min(len(data), len(expected)))
            raise AssertionError(f"{name}: bytes differ from golden at offset {i}: "
                                 f"got {data[i:i + 16].hex(' ')} expected {expected[i:i + 16].hex(' ')} "
                                 f"(lengths {len(data)} / {len(expected)})")
    return check


def sample_ticket(**kw: object) -> TicketSlip:
    base: dict[str, object] = dict(hall_name=HALL, number="A001", category_name="综合受理", waiting_ahead=12,
                                   issued_at=T_ISSUE, qr_payload="https://zwfw.example.gov.cn/q/A001-20261124")
    base.update(kw)
    return TicketSlip(**base)  # type: ignore[arg-type]


def sample_receipt(**kw: object) -> ReceiptSlip:
    base: dict[str, object] = dict(
        hall_name=HALL, receipt_no="SF2026112400012", payer="深圳市南山区某某科技有限公司",
        items=(ReceiptItem("不动产登记费（住宅）", "每件80元", 1, 8000),
               ReceiptItem("不动产权证书工本费", "每本10元", 4, 4000)),
        cashier_no="1001", issued_at=datetime(2026, 11, 24, 9, 30, 0),
        qr_payload="https://zwfw.example.gov.cn/r/SF2026112400012")
    base.update(kw)
    return ReceiptSlip(**base)  # type: ignore[arg-type]


def sample_acceptance(**kw: object) -> AcceptanceSlip:
    base: dict[str, object] = dict(
        hall_name=HALL, case_no="BJ20261124-0007", matter_name="食品经营许可（新办）", applicant="张*",
        issued_at=datetime(2026, 11, 24, 10, 2, 0), query_url="https://zwfw.example.gov.cn/c/BJ20261124-0007",
        notice_no="深南受〔2026〕第0007号", query_code="7Q4K", window_no=3, clerk_no="1001",
        enquiry_phone="0755-12345678", complaint_phone="12345", due_date=date(2026, 12, 8),
        limit_text="承诺时限 10 个工作日")
    base.update(kw)
    return AcceptanceSlip(**base)  # type: ignore[arg-type]


def sample_correction(**kw: object) -> CorrectionSlip:
    base: dict[str, object] = dict(
        hall_name=HALL, case_no="BJ20261124-0008", matter_name="食品经营许可（新办）", applicant="李*",
        issued_at=datetime(2026, 11, 24, 10, 20, 0), query_url="https://zwfw.example.gov.cn/c/BJ20261124-0008",
        window_no=3, clerk_no="1001", enquiry_phone="0755-12345678",
        to_correct=("营业执照副本复印件（加盖公章）", "经营场所平面布局图及设备布局图，须标明各功能区面积",
                    "法定代表人身份证复印件"),
        due_date=date(2026, 11, 29))
    base.update(kw)
    return CorrectionSlip(**base)  # type: ignore[arg-type]


def sample_rejection(**kw: object) -> RejectionSlip:
    base: dict[str, object] = dict(
        hall_name=HALL, case_no="BJ20261124-0009", matter_name="户外广告设置许可", applicant="王*",
        issued_at=datetime(2026, 11, 24, 11, 0, 0), reason="申请事项依法不需要取得行政许可。",
        complaint_phone="12345")
    base.update(kw)
    return RejectionSlip(**base)  # type: ignore[arg-type]


class Samples:
    """Sample slips for the tests (``samples.ticket(waiting_ahead=0)``)."""

    ticket = staticmethod(sample_ticket)
    receipt = staticmethod(sample_receipt)
    acceptance = staticmethod(sample_acceptance)
    correction = staticmethod(sample_correction)
    rejection = staticmethod(sample_rejection)


@pytest.fixture
def samples() -> type[Samples]:
    return Samples


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[PtyPair]:
    """A socat pty pair: the driver opens ``a``, the simulator ``b``."""
    if not PtyPair.available():
        pytest.skip("socat not installed")
    d = tmp_path / "pty"
    d.mkdir()
    pair = PtyPair(d).start()
    yield pair
    pair.close()
