"""The 挂牌上岗 badge shows the photo the admin uploaded (the placeholder only when there
is none), the stars to one decimal, and the hall's 监督电话."""
from __future__ import annotations

import io

import httpx
from PIL import Image

from hall_client.widgets.badge import stars_text


def _admin(url: str) -> dict[str, str]:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"staff_no": "9001", "password": "demo1234"}, trust_env=False)
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (20, 90, 160)).save(buf, "JPEG")
    return buf.getvalue()


def test_the_badge_shows_the_uploaded_photo_and_the_supervision_phone(qtbot, live_server, client_factory, sign_in):
    admin = _admin(live_server.url)
    r = httpx.post(f"{live_server.url}/api/v1/admin/staff/1001/photo", content=_jpeg(), headers=admin, trust_env=False)
    assert r.status_code == 200, r.text
    prof = httpx.get(f"{live_server.url}/api/v1/admin/profile", headers=admin, trust_env=False).json()
    httpx.put(f"{live_server.url}/api/v1/admin/profile", json={**prof, "supervision_phone": "0571-87000000"},
              headers=admin, trust_env=False).raise_for_status()
    built = client_factory("window", window_no=1)
    badge = built.widget.work.badge
    with qtbot.wait_signal(badge.photo_changed, timeout=8000, check_params_cb=lambda real: real):
        sign_in(built, "1001")
    assert not badge.photo_is_placeholder
    assert badge.photo.pixmap().height() == 156
    qtbot.wait_until(lambda: badge.supervision.text() == "监督电话：0571-87000000", timeout=8000)


def test_without_a_photo_the_placeholder_is_shown(qtbot, client_factory, sign_in):
    built = client_factory("window", window_no=2)
    badge = built.widget.work.badge
    with qtbot.wait_signal(badge.photo_changed, timeout=8000) as got:
        sign_in(built, "1002")
    assert got.args == [False] and badge.photo_is_placeholder


def test_stars_are_shown_to_one_decimal():
    assert stars_text(4.26) == "服务星级：★★★★☆ 4.3"
    assert stars_text(5.0) == "服务星级：★★★★★ 5.0"
    assert stars_text(None) == ""
