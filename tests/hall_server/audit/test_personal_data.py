"""首问 lists show a clerk or cashier the citizen's phone only for inquiries they own."""
from __future__ import annotations

URL = "/api/v1/inquiries"


def test_a_department_member_sees_the_phone_masked_in_the_list_and_whole_when_opening_it(client, login):
    first = login("1001", window_no=1)
    r = client.post(URL, json={"question": "预售许可材料？", "citizen_phone": "13812345678",
                               "refer": {"to_department_code": "BDC"}}, headers=first)
    assert r.status_code == 201, r.text
    no = r.json()["inquiry_no"]
    member = login("1008")
    inbox = client.get(f"{URL}?scope=inbox", headers=member).json()["items"]
    assert inbox[0]["citizen_phone"] == "138****5678"
    assert client.get(f"{URL}/{no}", headers=member).json()["citizen_phone"] == "13812345678"  # to call back
    mine = client.get(f"{URL}?scope=mine", headers=first).json()["items"]
    assert mine[0]["citizen_phone"] == "13812345678"  # the first person owns it
    office = client.get(f"{URL}?scope=all", headers=login("3001")).json()["items"]
    assert office[0]["citizen_phone"] == "13812345678"
