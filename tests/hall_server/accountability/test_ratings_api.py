"""好差评 over HTTP: the evaluator and the rate-later QR link, one rating per service,
the 差评 follow-up and its deadlines, and the badge's star."""
from __future__ import annotations

from datetime import datetime, timezone

RATE = "/api/v1/ratings"


def link_for(client, login, ticket_id):  # type: ignore[no-untyped-def]
    r = client.get(f"{RATE}/link?ticket_id={ticket_id}", headers=login("3001"))
    assert r.status_code == 200, r.text
    return r.json()


def test_evaluator_rates_the_service_its_window_just_completed(client, serve, evaluator, login, event_log):
    ticket = serve()
    r = client.post(RATE, json={"level": "satisfied", "reasons": ["fast"]}, headers=evaluator(1))
    assert r.status_code == 201, r.text
    assert r.json()["ticket"] == ticket["number"] and r.json()["level_label"] == "满意"
    rows = client.get(RATE, headers=login("4001")).json()["items"]
    mine = [x for x in rows if x["ticket"] == ticket["number"]]
    assert len(mine) == 1
    assert (mine[0]["window_no"], mine[0]["staff_no"], mine[0]["channel"]) == (1, "1001", "evaluator")
    assert mine[0]["bad"] is False and mine[0]["followup"] is None
    ev = event_log("rating.")
    assert [e["type"] for e in ev] == ["rating.recorded"]
    assert ev[0]["data"]["ticket"] == ticket["number"] and ev[0]["data"]["staff_no"] == "1001"


def test_rating_the_same_service_twice_is_refused(client, serve, evaluator, login):
    ticket = serve()
    assert client.post(RATE, json={"level": "very_satisfied"}, headers=evaluator(1)).status_code == 201
    r = client.post(RATE, json={"level": "very_dissatisfied"}, headers=evaluator(1))
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_rated"
    token = link_for(client, login, ticket["id"])["token"]
    r = client.post(f"/api/v1/rate/{token}", json={"level": "satisfied"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_rated"


def test_a_rating_sent_with_a_clerks_token_is_refused(client, serve, login):
    serve()
    r = client.post(RATE, json={"level": "very_satisfied"}, headers=login("1001"))
    assert r.status_code == 403 and "工作人员不能代为评价" in r.json()["error"]["message"]


def test_an_evaluator_rates_only_its_own_windows_services(client, serve, evaluator):
    ticket = serve()
    r = client.post(RATE, json={"level": "satisfied", "ticket_id": ticket["id"]}, headers=evaluator(2))
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_this_window"
    r = client.post(RATE, json={"level": "satisfied"}, headers=evaluator(2))
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_rate"


def test_a_service_not_yet_completed_cannot_be_rated(client, serve, login):
    ticket = serve(complete=False)
    token = link_for(client, login, ticket["id"])["token"]
    info = client.get(f"/api/v1/rate/{token}").json()
    assert info["completed"] is False and info["can_rate"] is False
    r = client.post(f"/api/v1/rate/{token}", json={"level": "satisfied"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "service_not_completed"


def test_rate_later_link_needs_no_login_and_rates_once(client, serve, login, kiosk, event_log):
    ticket = serve()
    link = client.get(f"{RATE}/link?ticket_id={ticket['id']}", headers=kiosk).json()  # printed on the ticket
    assert link["url"].endswith(f"/m/t/{link['token']}")  # the ticket's phone page (issue 15)
    info = client.get(f"/api/v1/rate/{link['token']}").json()
    assert info["ticket"] == ticket["number"] and info["can_rate"] is True
    assert [lv["label"] for lv in info["levels"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    r = client.post(f"/api/v1/rate/{link['token']}", json={"level": "basically_satisfied", "comment": "还行"})
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/rate/{link['token']}").json()["rated"] is True
    assert event_log("rating.recorded")[0]["data"]["channel"] == "qr"


def test_a_guessed_or_altered_link_is_refused(client, serve, login):
    ticket = serve()
    token = link_for(client, login, ticket["id"])["token"]
    other = f"{ticket['id'] + 1}-{token.split('-')[1]}"  # another ticket's id with this MAC
    for bad in (other, "1-aaaaaaaaaaaaaaaaaaaaaaaaaa", "garbage"):
        r = client.get(f"/api/v1/rate/{bad}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "rating_link_invalid"


def test_clerks_never_read_individual_ratings(client, serve, evaluator, login):
    serve()
    client.post(RATE, json={"level": "dissatisfied"}, headers=evaluator(1))
    clerk = login("1001")
    assert client.get(RATE, headers=clerk).status_code == 403
    assert client.get(f"{RATE}/followups", headers=clerk).status_code == 403


def test_bad_rating_opens_a_follow_up_with_working_day_deadlines(client, serve, evaluator, login, event_log):
    serve()
    r = client.post(RATE, json={"level": "dissatisfied", "reasons": ["long_wait", "attitude_bad"]},
                    headers=evaluator(1))
    assert "回访" in r.json()["message"]
    fu = client.get(f"{RATE}/followups", headers=login("4001")).json()
    assert len(fu) == 1 and fu[0]["state"] == "callback"
    assert fu[0]["callback_due_at"] == "2026-11-25T16:00:00Z"  # 1 working day, end of the hall's day
    assert fu[0]["rectify_due_at"] == "2026-12-15T16:00:00Z"  # 15 working days
    assert fu[0]["due_at"] == fu[0]["callback_due_at"] and fu[0]["overdue"] is False
    assert [e["type"] for e in event_log("rating.")] == ["rating.recorded", "rating.followup_opened"]


def test_bad_rating_follow_up_past_its_deadline_is_flagged(client, serve, evaluator, login, clock, event_log):
    ticket = serve()
    client.post(RATE, json={"level": "very_dissatisfied"}, headers=evaluator(1))
    clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))  # the call-back day is over
    office = login("3001")
    fu = client.get(f"{RATE}/followups", headers=office).json()[0]
    assert fu["overdue"] is True
    swept = client.post("/api/v1/accountability/sweep", headers=office).json()
    assert swept["followups"] == 1
    assert client.post("/api/v1/accountability/sweep", headers=office).json()["followups"] == 0
    late = event_log("rating.followup_overdue")
    assert len(late) == 1 and late[0]["data"]["step"] == "callback" and late[0]["data"]["rated_staff_no"] == "1001"
    # the office catches up: call back (late), rectify, then the citizen re-rates once
    r = client.post(f"{RATE}/followups/{fu['id']}/call-back", json={"note": "已回访，群众反映等候太久"},
                    headers=office)
    assert r.status_code == 200 and r.json()["state"] == "rectify"
    assert event_log("rating.followup_called_back")[0]["data"]["late"] is True
    r = client.post(f"{RATE}/followups/{fu['id']}/rectify", json={"note": "高峰期增开窗口"}, headers=office)
    assert r.json()["state"] == "rerate" and r.json()["rerate_due_at"] is not None
    token = link_for(client, login, ticket["id"])["token"]
    assert client.get(f"/api/v1/rate/{token}").json()["can_rerate"] is True
    assert client.post(f"/api/v1/rate/{token}/rerate", json={"level": "satisfied"}).status_code == 200
    again = client.post(f"/api/v1/rate/{token}/rerate", json={"level": "very_satisfied"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rerated"
    done = client.get(f"{RATE}/followups?open_only=false", headers=office).json()[0]
    assert done["state"] == "closed" and done["rerate_level"] == "satisfied" and done["closed_at"]


def test_a_rerating_not_given_in_time_ends_the_follow_up(client, serve, evaluator, login, clock, event_log):
    serve()
    client.post(RATE, json={"level": "dissatisfied"}, headers=evaluator(1))
    office = login("3001")
    fid = client.get(f"{RATE}/followups", headers=office).json()[0]["id"]
    client.post(f"{RATE}/followups/{fid}/call-back", json={"note": "已回访"}, headers=office)
    client.post(f"{RATE}/followups/{fid}/rectify", json={"note": "已整改"}, headers=office)
    clock.set(datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc))
    swept = client.post("/api/v1/accountability/sweep", headers=login("3001")).json()
    assert swept["lapsed_rerates"] == 1 and swept["followups"] == 0  # the citizen's silence is not the hall's fault
    assert event_log("rating.followup_closed")[0]["data"]["outcome"] == "rerate_lapsed"


def test_unknown_reason_is_refused(client, serve, evaluator):
    serve()
    r = client.post(RATE, json={"level": "satisfied", "reasons": ["bribe"]}, headers=evaluator(1))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_reason"


def test_badge_star_counts_ratings_up_to_yesterday_only(client, serve, evaluator, login, clock):
    def star() -> float | None:
        hall = client.get("/api/v1/hall", headers=login("3001")).json()
        return next(w for w in hall["windows"] if w["window_no"] == 1)["badge"]["star_rating"]

    serve()  # 1001 signs in at window 1 and serves one citizen
    before = star()
    assert before is not None  # the demo history gives 1001 a star
    client.post(RATE, json={"level": "very_dissatisfied"}, headers=evaluator(1))
    client.post("/api/v1/accountability/sweep", headers=login("3001"))
    assert star() == before  # today's rating does not move the star: the clerk cannot tell who rated what
    clock.set(datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc))  # next hall day
    client.post("/api/v1/accountability/sweep", headers=login("3001"))
    assert star() is not None and star() < before


def test_a_rating_is_tied_to_the_case_accepted_during_the_service(client, kiosk, login, evaluator, event_log):
    clerk = login("1001", window_no=1)
    t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    for step in ("call-next", "start"):
        client.post(f"/api/v1/windows/1/{step}", headers=clerk)
    materials = [{"code": f"M{i}", "status": "received"} for i in range(1, 7)]
    case = client.post("/api/v1/cases", headers=clerk, json={
        "matter_code": "ZJ-001", "window_no": 1, "materials": materials, "outcome": "accept",
        "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"}})
    assert case.status_code == 201, case.text
    client.post("/api/v1/windows/1/complete", headers=clerk)
    assert client.post(RATE, json={"level": "very_satisfied"}, headers=evaluator(1)).status_code == 201
    row = client.get(RATE, headers=login("4001")).json()["items"][0]
    assert row["ticket"] == t["number"] and row["case_no"] == case.json()["case_no"]
    assert event_log("rating.recorded")[0]["data"]["case_no"] == case.json()["case_no"]  # on the case's thread


def test_the_office_records_a_rerating_on_three_levels_only(client, serve, evaluator, login):
    serve()
    client.post(RATE, json={"level": "dissatisfied"}, headers=evaluator(1))
    office = login("3001")
    fu = client.get(f"{RATE}/followups", headers=office).json()[0]
    client.post(f"{RATE}/followups/{fu['id']}/call-back", json={"note": "已回访"}, headers=office)
    client.post(f"{RATE}/followups/{fu['id']}/rectify", json={"note": "已整改"}, headers=office)
    r = client.post(f"{RATE}/followups/{fu['id']}/rerate", json={"level": "very_satisfied"}, headers=office)
    assert r.status_code == 422 and r.json()["error"]["message"] == "复评只分满意、基本满意、不满意三档。"
    r = client.post(f"{RATE}/followups/{fu['id']}/rerate", json={"level": "basically_satisfied"}, headers=office)
    assert r.status_code == 200 and r.json()["state"] == "closed"
