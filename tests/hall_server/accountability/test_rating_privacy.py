"""A clerk never learns what a citizen rated: not on screen, not on the event feed."""
from __future__ import annotations

RATE = "/api/v1/ratings"


def test_clerk_tokens_never_receive_a_rating_level_on_the_event_log(client, serve, evaluator, login):
    ticket = serve()
    assert client.post(RATE, json={"level": "very_dissatisfied", "reasons": ["slow"]},
                       headers=evaluator(1)).status_code == 201
    clerk = login("1001")
    seen = [e for e in client.get("/api/v1/events/log", headers=clerk).json()["events"]
            if e["type"].startswith("rating.")]
    assert seen, "the clerk's feed still says that a rating happened"
    for e in seen:
        assert not {"level", "bad", "reasons"} & set(e["data"]), e
    # office-only events of any area (a signed checkpoint at start, …) reach clerks as the neutral
    # placeholder too; the rating itself arrives as recorded, without its level
    recorded = [e for e in seen if e["type"] == "rating.recorded"]
    assert recorded[0]["data"]["ticket"] == ticket["number"]
    office = [e for e in client.get("/api/v1/events/log", headers=login("4001")).json()["events"]
              if e["type"] == "rating.recorded"]
    assert office[0]["data"]["level"] == "very_dissatisfied"


def test_the_masked_stream_encoding_drops_rating_levels():
    from hall_server.api.hub import encode
    import json
    ev = {"seq": 1, "at": "x", "actor": "device:evaluator-1", "window_no": 1, "type": "rating.recorded",
          "data": {"ticket": "A001", "level": "dissatisfied", "bad": True, "reasons": ["慢"], "staff_no": "1001"}}
    masked = json.loads(encode(ev, unmasked=False))
    assert masked["data"] == {"ticket": "A001", "staff_no": "1001"}
    assert json.loads(encode(ev, unmasked=True))["data"]["level"] == "dissatisfied"


def test_a_bad_rating_follow_up_is_not_visible_as_such_to_the_clerk(client, serve, evaluator, login):
    serve()
    assert client.post(RATE, json={"level": "very_dissatisfied"}, headers=evaluator(1)).status_code == 201
    clerk_types = [e["type"] for e in client.get("/api/v1/events/log", headers=login("1001")).json()["events"]]
    assert "rating.followup_opened" not in clerk_types and "rating.private" in clerk_types
    office_types = [e["type"] for e in client.get("/api/v1/events/log", headers=login("4001")).json()["events"]]
    assert "rating.followup_opened" in office_types
