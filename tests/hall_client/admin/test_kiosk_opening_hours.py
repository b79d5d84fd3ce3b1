"""Outside the opening hours the admin set, a tap at the kiosk issues no number and the
kiosk says when the hall opens (the server's sentence, shown as it is)."""
from __future__ import annotations

import httpx


def test_the_kiosk_says_when_the_hall_opens_and_prints_nothing(qtbot, live_server, kiosk_client):
    url = live_server.url
    tok = httpx.post(f"{url}/api/v1/auth/login", json={"staff_no": "9001", "password": "demo1234"},
                     trust_env=False).json()["token"]
    h = {"Authorization": f"Bearer {tok}"}
    prof = httpx.get(f"{url}/api/v1/admin/profile", headers=h, trust_env=False).json()
    afternoons = [[{"start": "13:00", "end": "17:00"}]] * 5 + [[], []]
    httpx.put(f"{url}/api/v1/admin/profile", json={**prof, "hours": afternoons}, headers=h,
              trust_env=False).raise_for_status()
    k = kiosk_client.widget
    k.take("A")  # the fake clock says Tuesday 09:00
    qtbot.wait_until(lambda: "今天 13:00 开始取号" in k.message.text(), timeout=8000)
    assert k.ticket is None
    assert kiosk_client.sims["printer"].slips() == []
