"""Issue 4: the display speaks a call where a Chinese voice exists, else chimes, else shows text."""
from __future__ import annotations

import logging

from hall_client.voice import Announcer, EngineInfo, VoicePlan, choose_voice

WAIT_MS = 8000
ZH = EngineInfo("speechd", True, ("en_US", "zh_CN"))


def test_a_ready_engine_with_a_chinese_voice_speaks():
    plan = choose_voice([EngineInfo("flite", True, ("en_US",)), ZH], speech_wanted=True, chime_playable=True)
    assert (plan.how, plan.engine, plan.locale) == ("speech", "speechd", "zh_CN")


def test_any_chinese_locale_serves_when_zh_cn_is_missing():
    plan = choose_voice([EngineInfo("sapi", True, ("zh_TW", "en_US"))], speech_wanted=True, chime_playable=False)
    assert (plan.how, plan.locale) == ("speech", "zh_TW")


def test_no_chinese_voice_falls_back_to_the_chime():
    plan = choose_voice([EngineInfo("flite", True, ("en_US",))], speech_wanted=True, chime_playable=True)
    assert plan.how == "chime" and "无中文语音" in plan.status_text


def test_an_engine_that_failed_to_start_is_not_used():
    plan = choose_voice([EngineInfo("speechd", False, ("zh_CN",))], speech_wanted=True, chime_playable=True)
    assert plan.how == "chime" and "语音引擎不可用" in plan.why


def test_qts_mock_engine_is_never_chosen_on_a_hall_pc():
    mock = EngineInfo("mock", True, ("zh_CN",))
    assert choose_voice([mock], speech_wanted=True, chime_playable=False).how == "text"
    assert choose_voice([mock], speech_wanted=True, chime_playable=False, allow_test_engines=True).how == "speech"


def test_without_audio_output_only_text_is_shown():
    plan = choose_voice([], speech_wanted=True, chime_playable=False)
    assert plan.how == "text" and "无音频设备" in plan.status_text


def test_speech_turned_off_in_config_is_not_spoken():
    plan = choose_voice([ZH], speech_wanted=False, chime_playable=True)
    assert plan.how == "chime" and "配置关闭了语音" in plan.why


def test_the_choice_is_logged_and_reported_to_device_health_not_shown(qtbot, client_factory, caplog, live_server):
    import httpx
    d = client_factory("display", health_interval_s=0.1).widget
    assert not hasattr(d, "status")  # no technical line on the public board
    with caplog.at_level(logging.INFO, logger="hall_client.voice"):
        Announcer(speech=True)
    assert any("hall voice:" in r.getMessage() for r in caplog.records)

    api = f"{live_server.url}/api/v1"
    token = httpx.post(f"{api}/auth/login", json={"staff_no": "3001", "password": "demo1234"},
                       trust_env=False).json()["token"]

    def reported() -> list[dict]:
        r = httpx.get(f"{api}/devices/health", headers={"Authorization": f"Bearer {token}"}, trust_env=False)
        return [x for x in r.json() if x["name"].endswith("/voice")]
    qtbot.wait_until(lambda: bool(reported()), timeout=WAIT_MS)
    assert reported()[0]["detail"] == d.announcer.plan.status_text


def test_an_announcement_on_a_pc_without_audio_does_not_raise_and_emits_the_text(qtbot, display_client):
    a = display_client.widget.announcer  # offscreen CI: no sound card, no working speech engine
    with qtbot.wait_signal(a.announced, timeout=WAIT_MS) as got:
        a.announce("请A001号到3号窗口办理")
    assert got.args == ["请A001号到3号窗口办理", a.plan.how]


def test_the_speech_path_queues_the_words_without_blocking(qtbot):
    a = Announcer(plan=VoicePlan("speech", engine="mock", locale="en_US"))  # Qt's silent test engine
    with qtbot.wait_signal(a.announced, timeout=WAIT_MS) as got:
        a.announce("请A001号到3号窗口办理")
        a.announce("请A002号到4号窗口办理")
    assert got.args[1] == "speech" and a.tts is not None


def test_the_chime_path_plays_without_an_audio_device(qtbot):
    a = Announcer(plan=VoicePlan("chime", why="test"))
    with qtbot.wait_signal(a.announced, timeout=WAIT_MS) as got:
        a.announce("请A003号到5号窗口办理")
    assert got.args == ["请A003号到5号窗口办理", "chime"]
