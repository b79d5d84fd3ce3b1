"""The admin mode on the demo hall: every page loads and fits 1366×768, the manager sees
it read-only, and the staff and matters pages do their extra jobs."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image

from hall_client.modes.admin import PAGE_NAMES


def _open(qtbot: Any, client_factory: Any, staff_no: str) -> Any:
    built = client_factory("admin")
    mode = built.widget
    mode.login.staff_no.setText(staff_no)
    mode.login.password.setText("demo1234")
    with qtbot.wait_signal(mode.ready, timeout=8000) as got:
        mode.login.button.click()
    return built, got.args[0]


def _load(qtbot: Any, win: Any, name: str) -> Any:
    page = win.page(name)
    with qtbot.wait_signal(page.loaded, timeout=8000):
        win.show_page(name)  # the first visit loads the page (exactly once)
        if win.is_loaded(name) and win.stack.currentWidget() is page and name == "大厅信息":
            page.reload()  # shown at sign-in: loaded before we listened
    return page


def test_every_page_loads_and_fits_a_1366x768_screen(qtbot, client_factory):
    built, win = _open(qtbot, client_factory, "9001")
    built.widget.resize(1366, 768)
    built.widget.show()
    for name in PAGE_NAMES:
        page = _load(qtbot, win, name)
        hint = built.widget.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768, (name, hint)
        assert page.save_button.isEnabled()
        if hasattr(page, "rows"):
            assert page.rows, name
    assert built.widget.width() <= 1366 and built.widget.height() <= 768


def test_the_manager_sees_the_admin_pages_read_only(qtbot, client_factory):
    built, win = _open(qtbot, client_factory, "3001")
    for name in PAGE_NAMES:
        page = _load(qtbot, win, name)
        assert not page.save_button.isEnabled(), name
    staff = win.page("人员")
    assert staff.select("1001")
    staff.save()  # a shortcut pressed anyway: nothing is sent
    assert staff.status.text() == ""


def test_a_clerk_cannot_open_the_admin_mode(qtbot, client_factory):
    built = client_factory("admin")
    mode = built.widget
    mode.login.staff_no.setText("1001")
    mode.login.password.setText("demo1234")
    mode.login.button.click()
    qtbot.wait_until(lambda: "仅限系统管理员" in mode.login.error.text(), timeout=8000)
    assert mode.window_ is None


def test_the_staff_page_uploads_a_photo_and_shows_a_one_time_password(qtbot, client_factory, tmp_path, live_server):
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "人员")
    assert page.select("1003")
    photo = tmp_path / "me.png"
    Image.new("RGB", (640, 480), (10, 120, 60)).save(photo)
    with qtbot.wait_signal(page.saved, timeout=8000):
        page.upload_photo(photo)
    qtbot.wait_until(lambda: any(r.staff_no == "1003" and r.has_photo for r in page.rows), timeout=8000)
    with qtbot.wait_signal(page.secret_shown, timeout=8000) as got:
        page.reset_password()
    pw = got.args[0]
    r = httpx.post(f"{live_server.url}/api/v1/auth/login", json={"staff_no": "1003", "password": pw}, trust_env=False)
    assert r.status_code == 200
    page.form.set_value("roles", [])
    page.save()
    assert page.status.text() == "请至少选择一个角色。"


def test_a_bad_form_value_is_explained_on_the_page_in_chinese(qtbot, client_factory):
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "窗口")
    page.new()
    page.form.set_value("window_no", "60")
    page.form.set_value("name", "新窗口")
    page.form.set_value("categories", "A,Q")
    with qtbot.wait_signal(page.failed, timeout=8000) as got:
        page.save()
    assert got.args[0] == "没有业务类别“Q”。"
    page.form.set_value("categories", "A,1")
    page.save()
    assert "不是业务类别字母" in page.status.text()


def test_the_matters_page_previews_an_xlsx_and_imports_only_a_clean_one(qtbot, client_factory, live_server, tmp_path):
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "事项")
    tok = httpx.post(f"{live_server.url}/api/v1/auth/login", json={"staff_no": "9001", "password": "demo1234"},
                     trust_env=False).json()["token"]
    raw = httpx.get(f"{live_server.url}/api/v1/catalog/export?format=xlsx",
                    headers={"Authorization": f"Bearer {tok}"}, trust_env=False).content
    wb = load_workbook(io.BytesIO(raw))
    ws = wb["事项"]
    bad = [c.value for c in ws[2]]
    bad[0] = "NEW-9"
    bad[2] = "NOPE"
    ws.append(bad)
    path = tmp_path / "catalog.xlsx"
    wb.save(path)
    with qtbot.wait_signal(page.previewed, timeout=8000) as got:
        page.preview(path)
    assert not got.args[0].ok and not page.dialog.import_button.isEnabled()
    page.dialog.reject()
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(raw)
    with qtbot.wait_signal(page.previewed, timeout=8000) as got:
        page.preview(Path(clean))
    assert got.args[0].ok and page.dialog.import_button.isEnabled()
    with qtbot.wait_signal(page.imported, timeout=8000) as done:
        page.dialog.import_button.click()
    assert done.args[0]["updated"] == got.args[0].total


@pytest.mark.parametrize("text,spans", [("09:00-12:00，13:30-17:00", 2), ("", 0), ("8:30–11:30", 1)])
def test_opening_hours_are_typed_as_spans(text, spans):
    from hall_client.admin_forms import parse_spans
    assert len(parse_spans(text, "星期一")) == spans


def test_the_fee_page_sets_a_stop_date_and_an_exclusive_group(qtbot, client_factory):
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "收费项目")
    assert page.select("BDC-DJF-ZZ")
    qtbot.wait_until(lambda: page.form.values()["account_code"] != "", timeout=8000)
    page.form.set_value("valid_to", "2026-12-31")
    page.form.set_value("exclusive_group", "登记费")
    with qtbot.wait_signal(page.saved, timeout=8000):
        page.save()
    qtbot.wait_until(lambda: any(r.code == "BDC-DJF-ZZ" and r.valid_to is not None for r in page.rows), timeout=8000)
    row = next(r for r in page.rows if r.code == "BDC-DJF-ZZ")
    assert row.valid_to.isoformat() == "2026-12-31" and row.exclusive_group == "登记费"
    assert row.standard["price_fen"] == 8000  # the standard was not touched
    page.form.set_value("valid_from", "2027-13-01")
    page.save()
    assert "执行日期应写成" in page.status.text()


def test_saving_a_matter_unchanged_changes_nothing(qtbot, client_factory, live_server):
    """The form's text round-trips every 八公开 field (materials with their notes included)."""
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "事项")
    with qtbot.wait_signal(page.detail_loaded, timeout=8000) as got:
        page.select("BDC-001")
    before = got.args[0]
    with qtbot.wait_signal(page.saved, timeout=8000) as saved:
        page.save()
    after = saved.args[0]
    diff = {k: (v, after.get(k)) for k, v in before.model_dump(mode="json").items() if after.get(k) != v}
    assert diff == {}


def test_thresholds_are_checked_on_the_page_and_saved(qtbot, client_factory):
    built, win = _open(qtbot, client_factory, "9001")
    page = _load(qtbot, win, "红黄牌阈值")
    page.form.set_value("long_wait.yellow_minutes", "0")
    page.save()
    assert page.status.text() == "群众等候过久 · 黄牌（分钟）应在 1 到 1440 之间。"
    page.form.set_value("long_wait.yellow_minutes", "50")
    page.form.set_value("long_wait.red_minutes", "40")
    with qtbot.wait_signal(page.failed, timeout=8000) as bad:
        page.save()
    assert "黄牌阈值不能高于红牌阈值" in bad.args[0]
    page.form.set_value("long_wait.red_minutes", "90")
    with qtbot.wait_signal(page.saved, timeout=8000) as got:
        page.save()
    assert got.args[0].long_wait.yellow_minutes == 50
