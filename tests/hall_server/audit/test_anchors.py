"""Anchors outside the database: a signed checkpoint the office kept catches a chain
rewritten with recomputed hashes, deleted last events and a tip that is not the last row;
every finding names its place (API, CLI and the checkpoint file)."""
from __future__ import annotations

from pathlib import Path

from hall_server.__main__ import main
from hall_server.domain import anchors


def take(client, kiosk, n: int = 1) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        assert client.post("/api/v1/tickets", json={"category": "A"}, headers=kiosk).status_code == 201


def checkpoint(client, sup) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = client.post("/api/v1/supervision/checkpoints", headers=sup)
    assert r.status_code == 201, r.text
    return r.json()


def office_file(client, sup, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/supervision/checkpoints.jsonl", headers=sup)
    assert r.status_code == 200
    p = tmp_path / "office-checkpoints.jsonl"
    p.write_bytes(r.content)
    return p


def verify_cli(settings, *args: str, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main(["--database-url", settings.sqlalchemy_url, "--data-dir", str(settings.data_dir),
                 "verify-audit", *args])
    return code, capsys.readouterr().out


def test_a_checkpoint_is_signed_by_the_office_key_and_lands_in_the_log(client, kiosk, login, office_key):
    sup = login("4001")
    take(client, kiosk, 3)
    cp = checkpoint(client, sup)
    assert cp["public_key"] == office_key and cp["key_id"] == anchors.key_id(office_key)
    parsed = anchors.Checkpoint.from_dict(cp)
    assert anchors.signature_ok(parsed, trusted=frozenset({office_key}))
    forged = anchors.Checkpoint.from_dict({**cp, "hash": "0" * 64})
    assert not anchors.signature_ok(forged)
    log = client.get("/api/v1/supervision/events", params={"type": "audit.checkpointed"}, headers=sup).json()
    assert log["events"][0]["data"]["checkpoint_seq"] == cp["seq"]
    listed = client.get("/api/v1/supervision/checkpoints", headers=sup).json()
    assert listed["key_id"] == cp["key_id"] and [c["seq"] for c in listed["checkpoints"]] == [cp["seq"]]


def test_without_the_key_file_no_checkpoint_is_made_and_the_answer_says_why(client, login):
    r = client.post("/api/v1/supervision/checkpoints", headers=login("4001"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_audit_key"
    assert "audit-key" in r.json()["error"]["message"]


def test_a_rewrite_from_a_middle_seq_with_recomputed_hashes_is_caught_by_the_checkpoint(
        client, kiosk, login, office_key, insider, settings, tmp_path, capsys):
    sup = login("4001")
    take(client, kiosk, 6)
    cp = checkpoint(client, sup)
    take(client, kiosk, 3)
    f = office_file(client, sup, tmp_path)
    middle = cp["seq"] - 3

    def change(row):  # type: ignore[no-untyped-def]
        row["actor"] = "device:kiosk-2"

    insider.rewrite_from(middle, change)
    code, out = verify_cli(settings, capsys=capsys)
    assert code == 0  # the chain alone verifies again: this is why anchors exist
    code, out = verify_cli(settings, "--against", str(f), capsys=capsys)
    assert code == 1 and f"第 {cp['seq']} 条事件的哈希与" in out and "签名检查点不符" in out
    body = {"checkpoints": [cp]}
    r = client.post("/api/v1/supervision/audit-check", json=body, headers=sup).json()
    assert r["ok"] is False and r["anchors_checked"] == 1
    assert r["anchor_hashes"][str(cp["seq"])] != cp["hash"]
    assert any(x["kind"] == "anchor" and x["seq"] == cp["seq"] for x in r["findings"])


def test_deleted_last_events_are_caught_by_the_checkpoint_and_by_the_head(
        client, kiosk, login, office_key, insider, settings, tmp_path, capsys):
    sup = login("4001")
    take(client, kiosk, 4)
    cp = checkpoint(client, sup)
    f = office_file(client, sup, tmp_path)
    # careless: rows deleted, tip left -> the tip does not match the last row
    last = insider.delete_tail(1, move_head=False)
    code, out = verify_cli(settings, capsys=capsys)
    assert code == 1 and f"链头记录到第 {last + 1} 条，日志最后一条却是第 {last} 条" in out
    # careful: tip moved back too -> only the checkpoint the office kept still knows
    last = insider.delete_tail(2, move_head=True)
    assert verify_cli(settings, capsys=capsys)[0] == 0
    code, out = verify_cli(settings, "--against", str(f), capsys=capsys)
    assert code == 1 and f"检查点记录到第 {cp['seq']} 条，日志现只到第 {last} 条" in out


def test_a_tip_that_does_not_match_the_last_row_is_named(client, kiosk, login, insider, settings, capsys):
    take(client, kiosk, 2)
    insider.sql("UPDATE event_head SET hash = :h WHERE id = 1", h="f" * 64)
    code, out = verify_cli(settings, capsys=capsys)
    assert code == 1 and "链头哈希与第" in out


def test_an_edited_search_column_is_named_at_its_seq(client, kiosk, login, insider, settings, capsys):
    take(client, kiosk, 3)
    sup = login("4001")
    seq = client.get("/api/v1/supervision/events", params={"type": "ticket.issued"}, headers=sup).json()["events"][0]["seq"]
    insider.sql("UPDATE events SET ticket_no = 'A999' WHERE seq = :s", s=seq)
    code, out = verify_cli(settings, capsys=capsys)
    assert code == 1 and f"第一个异常序号 {seq}" in out


def test_a_checkpoint_file_signed_by_another_key_is_refused(client, kiosk, login, office_key, settings, tmp_path,
                                                             capsys):
    sup = login("4001")
    cp = anchors.Checkpoint.from_dict(checkpoint(client, sup))
    other = anchors.load_key_pem(anchors.new_key_pem())
    fake = anchors.Checkpoint.from_dict({**cp.to_dict(), "signature": anchors.sign(cp, other).signature})
    f = tmp_path / "f.jsonl"
    f.write_text(fake.to_line() + "\n", encoding="utf-8")
    code, out = verify_cli(settings, "--against", str(f), capsys=capsys)
    assert code == 1 and "签名无效" in out


def test_the_cli_makes_the_key_signs_and_exports_and_verifies(tmp_path, capsys):
    d = tmp_path / "data"
    base = ["--data-dir", str(d)]
    assert main([*base, "init-db"]) == 0
    assert main([*base, "audit-key"]) == 0
    out = capsys.readouterr().out
    key = d / "audit-key.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600 and "公钥" in out
    assert main([*base, "audit-key"]) == 2  # never overwritten by accident
    office = tmp_path / "office.jsonl"
    assert main([*base, "checkpoint", "--append-to", str(office)]) == 0
    assert main([*base, "export-checkpoints", str(tmp_path / "all.jsonl")]) == 0
    assert (tmp_path / "all.jsonl").read_text(encoding="utf-8") == office.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*base, "verify-audit", "--against", str(office), "--deep"]) == 0
    assert "延续所有已知检查点" in capsys.readouterr().out


def test_the_server_signs_a_checkpoint_when_the_last_is_a_day_old(client, app, office_key, clock):
    from hall_server.api import anchoring
    ctx = app.state.ctx
    assert anchoring.run_once(ctx, every_hours=24) is True
    assert anchoring.run_once(ctx, every_hours=24) is False  # not due yet
    clock.advance(hours=24)
    assert anchoring.run_once(ctx, every_hours=24) is True


def test_the_daily_report_prints_the_days_checkpoint(client, kiosk, login, office_key):
    import io

    from pypdf import PdfReader
    sup = login("4001")
    cp = checkpoint(client, sup)
    mgr = login("3001")
    rep = client.get("/api/v1/reports/daily", headers=mgr).json()
    assert rep["checkpoints"] and rep["checkpoints"][0].startswith(f"第 {cp['seq']} 条 · 哈希 {cp['hash'][:16]}")
    pdf = client.get("/api/v1/reports/daily", params={"format": "pdf"}, headers=mgr)
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "审计检查点" in text and cp["key_id"] in text


def test_the_client_contract_signs_the_same_bytes_as_the_domain(client, login, office_key):
    from hall_server import contract as c
    cp = checkpoint(client, login("4001"))
    assert c.CheckpointOut(**cp).signed_bytes() == anchors.Checkpoint.from_dict(cp).signed_bytes()
