"""Issue 7: the kiosk's printed ticket carries the rate-later QR, and it works."""
from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from printers.decode import decode

WAIT_MS = 8000


def test_the_printed_ticket_qr_lets_the_service_be_rated_once(qtbot, kiosk_client, clerk_api, live_server):
    k = kiosk_client.widget
    qtbot.wait_until(lambda: k.pages.currentWidget() is k.home, timeout=WAIT_MS)
    with qtbot.wait_signal(k.ticket_printed, timeout=WAIT_MS) as got:
        k.home.buttons["A"].click()
    ticket = got.args[0]
    printer = kiosk_client.sims["printer"]
    slip = printer.slips()[-1]
    assert len(slip) < 400  # 9600 baud: under half a second
    [url] = decode(slip).qr_payloads
    assert url == ticket.rating_url and "/m/t/" in url  # the ticket's phone page (issue 15)
    assert "扫码看排队进度" in "".join(decode(slip).texts)

    clerk = clerk_api("1001", 1)
    for step in ("call-next", "start", "complete"):
        assert clerk.post(f"/windows/1/{step}").status_code == 200
    # follow the QR as a phone would: the page, then the endpoint its form posts to
    page = httpx.get(live_server.url + urlsplit(url).path, trust_env=False)
    assert page.status_code == 200 and "非常满意" in page.text
    token = urlsplit(url).path.rsplit("/", 1)[1]
    post = f"{live_server.url}/api/v1/rate/{token}"
    assert f'data-json="/api/v1/rate/{token}"' in page.text
    first = httpx.post(post, json={"level": "very_satisfied"}, trust_env=False)
    assert first.status_code == 201, first.text
    second = httpx.post(post, json={"level": "very_dissatisfied"}, trust_env=False)
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_rated"


def test_the_window_notice_slip_prints_the_rating_qr_beside_the_progress_qr(clerk_api, take_ticket):
    from zoneinfo import ZoneInfo

    from hall_client.widgets.intake_panel import slip_for
    from hall_server.contract import SlipOut
    from printers import open_device
    ticket = take_ticket("A")
    clerk = clerk_api("1001", 1)
    for step in ("call-next", "start"):
        assert clerk.post(f"/windows/1/{step}").status_code == 200
    r = clerk.post("/cases", json={
        "matter_code": "ZJ-001", "window_no": 1, "materials": [{"code": f"M{i}", "status": "received"} for i in range(1, 7)],
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "outcome": "accept"})
    assert r.status_code == 201, r.text
    fields = SlipOut.model_validate(clerk.get(f"/cases/{r.json()['case_no']}/slip").json())
    printer = open_device("sim:printer")
    try:
        data = printer.render(slip_for(fields, tz=ZoneInfo("Asia/Shanghai"), window_no=1, clerk_no="1001")).data
    finally:
        printer.close()
    slip = decode(bytes(data))
    assert slip.qr_payloads == [fields.query_url, ticket["rating_url"]]
    assert "扫码评价本次服务" in "".join(slip.texts)
