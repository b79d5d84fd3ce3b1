"""The admin mode in the headless demo: sign in as the demo admin, open every page at
1366×768, pick a record so the form is filled, and save a screenshot of each."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

SHOTS = (("大厅信息", "profile", None), ("部门", "departments", "BDC"), ("业务类别", "categories", "A"),
         ("窗口", "windows", "1"), ("人员", "staff", "1001"), ("设备", "devices", "kiosk-1"),
         ("事项", "matters", None), ("收费项目", "fees", None), ("红黄牌阈值", "cards", None),
         ("节假日", "holidays", "2027"))


def _portrait() -> bytes:
    """A plain stand-in portrait for the demo clerk (the real one is the admin's upload)."""
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (300, 400), (222, 232, 245))
    d = ImageDraw.Draw(img)
    d.ellipse((95, 60, 205, 180), fill=(240, 205, 170))
    d.rectangle((60, 200, 240, 400), fill=(30, 60, 120))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def run(*, make: Callable[..., Any], wait: Callable[..., None], artifacts: Path, clients: list[Any]) -> list[str]:
    client, _sims = make("admin", devices={})
    clients.append(client)
    mode = client.widget
    mode.resize(1366, 768)
    mode.login.staff_no.setText("9001")
    mode.login.password.setText("demo1234")
    mode.login.button.click()
    wait(lambda: mode.window_ is not None, what="系统管理登录")
    win = mode.window_
    done = {"photo": False}
    client.ctx.api.request("POST", "/admin/staff/1001/photo", json_body=_portrait(),
                           on_ok=lambda _r: done.update(photo=True), on_error=client.ctx.bridge.handle)
    wait(lambda: done["photo"], what="上传演示照片")
    names = []
    for title, stem, key in SHOTS:
        page = win.page(title)
        got = {"loaded": False}
        page.loaded.connect(lambda _x, got=got: got.update(loaded=True))
        if win.is_loaded(title):
            win.show_page(title)
            page.reload()
        else:
            win.show_page(title)  # the first visit loads the page
        wait(lambda got=got: got["loaded"], what=f"系统管理“{title}”页加载")
        detail = {"ok": stem != "matters"}
        if stem == "matters":
            page.detail_loaded.connect(lambda _m, detail=detail: detail.update(ok=True))
        if key is not None:
            page.select(key)
        elif getattr(page, "rows", None):
            page.select(page.spec.key(page.rows[0]))
        wait(lambda detail=detail: detail["ok"], what="事项详情加载")
        if stem == "staff":
            wait(lambda page=page: not page.photo.pixmap().isNull(), what="人员照片")
            photo = {"ok": False}
            page.photo_loaded.connect(lambda _ok, photo=photo: photo.update(ok=True))
            page.shown(page.current)
            wait(lambda photo=photo: photo["ok"], what="人员照片加载")
        wait(lambda: True)
        mode.grab().save(str(artifacts / "screenshots" / f"admin-{stem}.png"))
        names.append(title)
    return [f"系统管理：{len(names)} 个页面截图（{'、'.join(names)}），1366×768。"]
