"""The per-source token bucket behind the phone pages' 429 (issue 15), on a fixed clock."""
from __future__ import annotations

from hall_server.api.ratelimit import RateLimited, TokenBucket


def test_a_source_gets_its_burst_then_one_per_interval_and_others_are_not_affected():
    b = TokenBucket(rate=1.0, burst=3)
    assert [b.take("10.0.0.7", 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("10.0.0.7", 100.0) == 1.0  # wait one second
    assert b.take("10.0.0.8", 100.0) == 0.0  # another phone
    assert b.take("10.0.0.7", 101.0) == 0.0 and b.take("10.0.0.7", 101.0) > 0


def test_a_right_answer_gives_its_token_back_but_never_above_the_burst():
    b = TokenBucket(rate=1 / 60, burst=2)
    assert b.take("a", 0.0) == 0.0 and b.take("a", 0.0) == 0.0
    b.give_back("a", 0.0)
    assert b.take("a", 0.0) == 0.0 and b.take("a", 0.0) > 0
    b.give_back("a", 0.0)
    b.give_back("a", 0.0)
    b.give_back("a", 0.0)
    assert [b.take("a", 0.0) == 0.0 for _ in range(3)] == [True, True, False]


def test_the_memory_of_sources_is_bounded():
    b = TokenBucket(rate=1.0, burst=1, max_keys=100)
    for i in range(1000):
        b.take(f"10.0.{i // 256}.{i % 256}", 0.0)
    assert len(b) == 100


def test_the_refusal_says_in_chinese_how_long_to_wait_in_whole_seconds():
    e = RateLimited(0.2)
    assert e.status == 429 and e.retry_after == 1 and e.message == "访问过于频繁，请 1 秒后再试。"
    assert RateLimited(59.01).retry_after == 60
