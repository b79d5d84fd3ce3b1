"""Issue 7: the rate-later link on the ticket answer and the phone page it opens."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

LABELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


def page_path(url: str) -> str:
    return urlsplit(url).path


def test_the_issue_answer_carries_the_rating_link_of_that_ticket(client, kiosk, login):
    t = client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).json()
    link = client.get(f"/api/v1/ratings/link?ticket_id={t['id']}", headers=login("1001")).json()
    assert t["rating_url"] == link["url"]
    assert len(t["rating_url"]) < 100  # a small native QR; the ticket stays under 400 bytes


def test_the_page_offers_five_levels_and_its_form_posts_one_rating(client, serve):
    """The link opens the ticket's phone page (issue 15), where the rating form lives."""
    t = serve()
    page = client.get(page_path(t["rating_url"]))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for label in LABELS:
        assert f"required>{label}</label>" in html  # a radio button each: works without JavaScript
    assert "http://" not in html and "https://" not in html  # no external assets
    assert 'name="reason"' in html
    json_url = re.search(r'<form id="rate"[^>]* data-json="([^"]+)"', html).group(1)
    r = client.post(json_url, json={"level": "very_dissatisfied", "reasons": [
        re.search(r'name="reason" value="([^"]+)"', html).group(1)]}, headers={"Idempotency-Key": "page-1"})
    assert r.status_code == 201 and "回访" in r.json()["message"]
    again = client.get(page_path(t["rating_url"])).text
    assert "已评价" in again and '<form id="rate"' not in again


def test_the_page_of_a_service_not_yet_completed_offers_no_form(client, serve):
    t = serve(complete=False)
    html = client.get(page_path(t["rating_url"])).text
    assert "已叫号" in html and '<form id="rate"' not in html


def test_a_link_printed_before_the_phone_pages_leads_to_the_same_page(client, serve):
    t = serve()
    token = t["rating_url"].rsplit("/", 1)[1]
    r = client.get(f"/api/v1/public/r/{token}", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == page_path(t["rating_url"])


def test_a_forged_link_gets_a_plain_chinese_page_not_json(client, serve):
    t = serve()
    url = t["rating_url"]
    forged = url[:-1] + ("A" if url[-1] != "A" else "B")  # one character of the MAC changed
    r = client.get(page_path(forged))
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "链接无效" in r.text
