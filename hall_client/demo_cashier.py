"""Demo steps of the fee area (called once from ``demo.run_headless``).

One applicant's money thread, through the real window clients: the 不动产 clerk at window
6 accepts the case (F7); the fee tab has the case already and the clerk raises the
notice by mistake for 非住宅, then corrects it to 住宅 (the wrong one is cancelled and
linked); the A4 受理通知书 and 缴费通知单 are fetched as the clerk would open them. At
the fee window 12 the cashier takes the cash (F11), counts ¥0.50 short at 日结, writes the
note the confirmation asks for, and the 日结单 comes out of the receipt printer and as A4.

Artifacts: ``screenshots/fee-*.png`` (the windows, sized for 1366×768), ``pdfs/*.pdf`` and a PNG of each PDF's
first page, ``slips/fee-*.txt|png`` (the thermal slips decoded).
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Wait = Callable[..., None]


def _pdf_page_png(pdf: Path, png: Path) -> None:
    """The first page of a PDF as an image (Qt's own PDF renderer), for the summary."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument
    doc = QPdfDocument()
    doc.load(str(pdf))
    if doc.pageCount():
        pts = doc.pagePointSize(0)
        image = doc.render(0, QSize(round(pts.width() * 1.5), round(pts.height() * 1.5)))
        image.save(str(png))


def _slip(artifacts: Path, name: str, data: bytes) -> None:
    from printers.decode import decode
    from printers.preview import save_preview
    stem = artifacts / "slips" / name
    stem.with_suffix(".txt").write_text(decode(data, strict=False).text + "\n", encoding="utf-8")
    save_preview(data, stem.with_suffix(".png"))


def _sign_in(c: Any, staff: str, wait: Wait) -> None:
    w = c.widget
    w.login.staff_no.setText(staff)
    w.login.password.setText("demo1234")
    w.login.button.click()
    wait(lambda: w.session.login is not None, what=f"{staff} 登录")


def _flag(signal: Any) -> dict[str, Any]:
    box: dict[str, Any] = {}
    signal.connect(lambda *a: box.update(value=a[0] if a else True))
    return box


def run(*, make: Callable[..., Any], wait: Wait, artifacts: Path, notes: list[str]) -> list[Any]:
    """Play the fee thread; returns the clients it opened (the caller closes them)."""
    from . import documents
    pdf_dir = artifacts / "pdfs"  # beside the thread's A4 files
    pdf_dir.mkdir(parents=True, exist_ok=True)
    shots = artifacts / "screenshots"
    kept: list[Path] = []

    def keep(path: Path) -> bool:  # the demo's "PDF viewer": keep a copy and a picture of page 1
        dest = pdf_dir / path.name
        shutil.copyfile(path, dest)
        _pdf_page_png(dest, shots / f"a4-{len(kept) + 1}-{dest.stem}.png")
        kept.append(dest)
        return True
    documents.system_open = keep

    dept, _ = make("window", window_no=6, devices={"printer": "sim:printer"})
    fee_win, _ = make("window", window_no=12, devices={"printer": "sim:printer"})
    for c in (dept, fee_win):
        c.widget.resize(1366, 768)
    _sign_in(dept, "1006", wait)
    _sign_in(fee_win, "2001", wait)

    # 1. the clerk accepts the case; the fee tab takes it over
    intake, fee = dept.widget.panel("受理"), dept.widget.panel("收费")
    loaded = _flag(intake.matter_loaded)
    intake.select_matter("BDC-001")
    wait(lambda: "value" in loaded, what="事项载入")
    intake.name.setText("王建国")
    intake.id_number.setText("11010519491231002X")
    intake.phone.setText("13800138000")
    intake.mark_all("received")
    items = _flag(fee.items_loaded)
    saved = _flag(intake.case_saved)
    intake.submit("accept")
    wait(lambda: "value" in saved and "value" in items, what="受理并带入收费")
    case = saved["value"]
    doc = _flag(intake.document_opened)
    intake.open_notice(print_it=False)
    wait(lambda: "value" in doc, what="A4 受理通知书")

    # 2. a wrong notice (非住宅), corrected to 住宅 + two extra certificates
    dept.widget.work.tabs.setCurrentWidget(fee)
    fee.set_line("BDC-DJF-FZZ", "1")
    raised = _flag(fee.notice_raised)
    listed = _flag(fee.notices_loaded)  # before raising: the list may reload in the same turn of the loop
    fee.raise_notice()
    wait(lambda: "value" in raised, what="开具缴费通知单")
    wrong = raised["value"]
    wait(lambda: any(n.notice_no == wrong.notice_no for n in listed.get("value") or []), what="通知单列表")
    fee.clear_lines()
    fee.set_line("BDC-DJF-ZZ", "1")
    fee.set_line("BDC-GBF", "2")
    fee.select_notice(wrong.notice_no)
    fee.ask_correct()
    assert fee.reason_dialog is not None
    fee.reason_dialog.reason.setText("房屋用途为住宅，另加发证书两本")
    corrected = _flag(fee.notice_corrected)
    listed.clear()
    fee.reason_dialog.ok_button().click()
    wait(lambda: "value" in corrected and len(listed.get("value") or []) == 2, what="更正缴费通知单")
    notice = corrected["value"]
    fee.select_notice(notice.notice_no)
    doc = _flag(fee.document_opened)
    fee.open_selected_notice()
    wait(lambda: "value" in doc, what="A4 缴费通知单")
    dept.widget.grab().save(str(shots / "fee-notice-corrected.png"))
    notes.append(f"收费：{case.case_no} 受理后收费页自动带入；{wrong.notice_no}（{wrong.total_yuan}，误开非住宅）"
                 f"更正为 {notice.notice_no}（{notice.total_yuan}），原单撤销并关联；A4 受理通知书和缴费通知单已生成。")

    # 3. the fee window: cash, then 日结 with a short of ¥0.50 and its note
    cash = fee_win.widget.panel("收费")
    fee_win.widget.work.tabs.setCurrentWidget(cash)
    found = _flag(cash.notice_loaded)
    cash.lookup.setText(notice.qr_text)
    cash.find_notice()
    wait(lambda: "value" in found, what="扫码查询通知单")
    cash.tendered.setText("100")
    slips: list[bytes] = []
    cash.slip_printed.connect(slips.append)
    paid = _flag(cash.receipt_issued)
    cash.pay()
    wait(lambda: "value" in paid and len(slips) == 1, what="收费打印")
    _slip(artifacts, "fee-1-receipt", slips[0])
    from . import fee_ops
    expected: dict[str, Any] = {}
    fee_ops.day_preview(api=fee_win.ctx.api, on_ok=lambda d: expected.update(value=d.expected_cash_fen),
                        on_error=fee_win.ctx.bridge.handle)
    wait(lambda: "value" in expected, what="日结预览")
    cash.counted.setText(f"{(expected['value'] - 50) / 100:.2f}")  # ¥0.50 short
    preview = _flag(cash.day_previewed)
    cash.close_day()
    wait(lambda: "value" in preview, what="日结确认")
    dlg = cash.day_dialog
    assert dlg is not None
    dlg.note.setText("找零时多找五角，已登记")
    dlg.grab().save(str(shots / "fee-day-close-confirm.png"))
    closed = _flag(cash.day_closed)
    dlg.ok_button().click()
    wait(lambda: "value" in closed and len(slips) == 2, what="日结并打印日结单")
    _slip(artifacts, "fee-2-day-close", slips[1])
    doc = _flag(cash.document_opened)
    cash.open_day_pdf()
    wait(lambda: "value" in doc, what="A4 日结单")
    fee_win.widget.grab().save(str(shots / "fee-cashier-day-closed.png"))
    d = closed["value"]
    notes.append(f"收费窗口：票据 {paid['value'].receipt_no} 现金收讫；日结应有现金 ¥{d.expected_cash_fen / 100:.2f}，"
                 f"清点 ¥{(d.counted_cash_fen or 0) / 100:.2f}，短款 ¥0.50 已写明原因；日结单热敏打印并生成 A4。"
                 f"A4 文件：{'、'.join(p.name for p in kept)}。")
    return [dept, fee_win]
