"""Service-level guarantees that HTTP cannot provoke: a transaction that dies after taking
a receipt number gives the number back, so the series stays gap-free."""
from __future__ import annotations

import pytest

from hall_server import contract as c
from hall_server.services import auth
from hall_server.services import fees as svc


def test_a_payment_that_fails_after_taking_its_number_gives_the_number_back(client, app, raise_notice, cashier, pay):
    n = raise_notice()
    ctx = app.state.ctx
    token = cashier["Authorization"].removeprefix("Bearer ")
    with ctx.db.read() as s:
        actor = auth.resolve(s, token=token, now=ctx.now())
    with pytest.raises(RuntimeError):
        with ctx.db.write() as s:
            r = svc.pay(s, settings=ctx.settings, body=c.PayIn(notice=n["notice_no"], method="cash", tendered_fen=8000),
                        actor=actor, now=ctx.now())
            assert r.receipt_no == "SF202600000001"
            raise RuntimeError("crash after the number was taken")
    assert client.get(f"/api/v1/fees/notices/{n['notice_no']}", headers=cashier).json()["state"] == "unpaid"
    assert pay(n["notice_no"], tendered_fen=8000)["receipt_no"] == "SF202600000001"


def test_every_fee_event_carries_the_keys_the_case_history_and_supervision_read(client, cashier, raise_notice, pay,
                                                                                events_of):
    r1 = pay(raise_notice()["notice_no"], tendered_fen=8000)
    client.post(f"/api/v1/fees/receipts/{r1['receipt_no']}/reprint", headers=cashier)
    keys = svc.event_keys()
    seen = set()
    for ev in events_of("fee."):
        assert ev["type"] in keys, ev["type"]
        assert set(keys[ev["type"]]) <= set(ev["data"]), ev["type"]
        seen.add(ev["type"])
    assert {"fee.notice_raised", "fee.paid", "fee.receipt_reprinted", "fee.series_saved"} <= seen
