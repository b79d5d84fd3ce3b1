"""A hall from nothing: ``hall-server init-db`` on an empty database, one admin account
from ``hall-server add-staff … --roles admin``, and then everything else on the admin
screens of a live server, until a kiosk issues a number and the clerk calls it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from hall_server.__main__ import main as server_cli

ADMIN_PW = "admin-2026"


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty hall: only the schema and the first admin, made with the CLI."""
    data = tmp_path / "newhall"
    assert server_cli(["--data-dir", str(data), "init-db"]) == 0
    assert server_cli(["--data-dir", str(data), "add-staff", "9001", "系统管理员", "--roles", "admin",
                       "--password", ADMIN_PW]) == 0
    from tests.conftest import fast_settings as fs
    return fs(data_dir=data)


def _save(qtbot: Any, page: Any, values: dict[str, Any], *, new: bool = True) -> Any:
    if new:
        page.new()
    for k, v in values.items():
        page.form.set_value(k, v)
    with qtbot.wait_signal(page.saved, timeout=8000) as got:
        page.save()
    return got.args[0]


def _choice_ready(qtbot: Any, page: Any, key: str, value: str, form: Any = None) -> None:
    box = (form or page.form).widgets[key]
    qtbot.wait_until(lambda: box.findData(value) >= 0, timeout=8000)


def test_a_new_hall_is_set_up_on_the_admin_screens_until_a_kiosk_number_is_called(
        qtbot, client_factory, live_server, sign_in):
    admin = client_factory("admin")
    mode = admin.widget
    mode.login.staff_no.setText("9001")
    mode.login.password.setText(ADMIN_PW)
    with qtbot.wait_signal(mode.ready, timeout=8000) as ready:
        mode.login.button.click()
    win = ready.args[0]

    prof = win.show_page("大厅信息")
    qtbot.wait_until(lambda: prof.doc is not None, timeout=8000)
    _save(qtbot, prof, {"name": "新城区政务服务中心", "address": "新城大道 1 号", "supervision_phone": "0571-12345",
                        **{f"day{i}": "08:30-12:00，13:00-17:30" for i in range(5)}}, new=False)

    _save(qtbot, win.show_page("部门"), {"code": "BDC", "name": "不动产登记中心", "phone": "0571-88886666"})

    cats = win.show_page("业务类别")
    _choice_ready(qtbot, cats, "department_code", "BDC")
    _save(qtbot, cats, {"prefix": "A", "name": "不动产登记", "department_code": "BDC", "service_minutes": "10"})

    wins = win.show_page("窗口")
    _choice_ready(qtbot, wins, "department_code", "BDC")
    _save(qtbot, wins, {"window_no": "1", "name": "不动产 1 号窗", "department_code": "BDC", "categories": "A"})
    _save(qtbot, wins, {"window_no": "2", "name": "不动产 2 号窗", "department_code": "BDC", "categories": "A"})
    qtbot.wait_until(lambda: len(wins.rows) == 2, timeout=8000)

    staff = win.show_page("人员")
    _choice_ready(qtbot, staff, "department_code", "BDC")
    _save(qtbot, staff, {"staff_no": "1001", "name": "王建国", "password": "clerk-123", "department_code": "BDC",
                         "post": "登记员", "roles": ["clerk"]})
    win.show_page("窗口")
    assert wins.select("1")
    _save(qtbot, wins, {"staff_a": "1001"}, new=False)  # AB角: 1001 holds window 1

    matters = win.show_page("事项")
    _choice_ready(qtbot, matters, "department_code", "BDC")
    _save(qtbot, matters, {"code": "BDC-001", "name": "不动产首次登记", "department_code": "BDC", "case_prefix": "BDC",
                           "category_prefix": "A", "kind": "promised", "statutory_limit": "20", "promised_limit": "5",
                           "legal_basis": "《不动产登记暂行条例》", "materials": "M1｜身份证明｜原件｜1｜必要"})

    fees = win.show_page("收费项目")
    _choice_ready(qtbot, fees, "department_code", "BDC", form=fees.account_form)
    for k, v in {"code": "ZH01", "name": "不动产登记收费专户", "bank": "工商银行", "department_code": "BDC"}.items():
        fees.account_form.set_value(k, v)
    with qtbot.wait_signal(fees.saved, timeout=8000):
        fees.add_account()
    _choice_ready(qtbot, fees, "account_code", "ZH01")
    _save(qtbot, fees, {"code": "BDC-FEE-1", "name": "不动产登记费", "matter_code": "BDC-001", "department_code": "BDC",
                        "account_code": "ZH01", "price": "80", "legal_basis": "发改价格规〔2016〕2559号"})
    qtbot.wait_until(lambda: len(fees.rows) == 1, timeout=8000)
    assert fees.rows[0].standard_text.startswith("每件 ¥80.00") or "80" in fees.rows[0].standard_text

    devices = win.show_page("设备")
    with qtbot.wait_signal(devices.secret_shown, timeout=8000) as shown:
        _save(qtbot, devices, {"name": "kiosk-东门", "kind": "kiosk"})
    config_text = shown.args[0]
    token = re.search(r'device_token = "([^"]+)"', config_text)[1]  # type: ignore[index]
    assert f'server_url = "{live_server.url}"' in config_text

    # the hall works: the kiosk's token issues a number, the clerk signs in at window 1 and calls it
    r = httpx.post(f"{live_server.url}/api/v1/tickets", json={"category": "A"},
                   headers={"Authorization": f"Bearer {token}"}, trust_env=False)
    assert r.status_code == 201, r.text
    assert r.json()["number"] == "A001"
    clerk = client_factory("window", window_no=1)
    sign_in(clerk, "1001", "clerk-123")
    with qtbot.wait_signal(clerk.session.ticket_called, timeout=8000) as called:
        qtbot.keyClick(clerk.widget, Qt.Key.Key_F1)
    assert called.args[0].number == "A001"
