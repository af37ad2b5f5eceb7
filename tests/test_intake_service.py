"""The HTTP contract of the intake service, against the real service on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_support import LiveIntake, form, jpeg_with_gps, serve_intake
from yishi.intake.abuse import RateLimit
from yishi.intake.service import ServiceSettings
from yishi.intake.store import QueueStatus


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveIntake]:
    settings = ServiceSettings(rate_limit=RateLimit(3, 600), site_url="https://example.org/yishi")
    with serve_intake(tmp_path, settings) as served:
        yield served


def test_accepted_submission_is_queued_with_a_receipt(live: LiveIntake) -> None:
    answer = live.submit(form())
    assert answer.status_code == 202
    body = answer.json()
    assert body["id"] == "2024-0312-2222"  # the local (+08:00) date, first predictable suffix
    assert body["status"] == "queued"
    assert body["receipt_url"] == f"{live.base}/receipt/2024-0312-2222"
    # Durable before the answer: the store already has it.
    entry = live.store.get(body["id"])
    assert entry is not None and entry.status is QueueStatus.QUEUED
    receipt = live.client.get(f"{live.base}/api/submissions/{body['id']}").json()
    assert receipt == {"id": body["id"], "status": "queued", "label": "已收到,正在登记"}


def test_receipt_never_shows_text_or_contact(live: LiveIntake) -> None:
    body = live.submit(form(contact="13912345678 王阿姨")).json()
    live.store.set_status(body["id"], QueueStatus.PUBLISHED, 0)
    receipt = live.client.get(f"{live.base}/api/submissions/{body['id']}")
    assert receipt.json() == {"id": body["id"], "status": "published", "label": "已公开发布",
                              "public_url": f"https://example.org/yishi/issues/{body['id']}/"}
    page = live.client.get(f"{live.base}/receipt/{body['id']}").text
    for secret in ("13912345678", "王阿姨", "路灯"):
        assert secret not in receipt.text and secret not in page
    assert body["id"] in page


def test_unknown_receipt_is_404(live: LiveIntake) -> None:
    assert live.client.get(f"{live.base}/api/submissions/2024-0312-zzzz").status_code == 404
    assert live.client.get(f"{live.base}/api/submissions/..%2Fetc").status_code == 404
    assert live.client.get(f"{live.base}/receipt/not-an-id").status_code == 404


def test_invalid_input_is_422_with_chinese_messages(live: LiveIntake) -> None:
    answer = live.submit(form(title="", community="atlantis", consent=""))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors == {"title": "请填写此项。", "community": "请选择列表中的社区。",
                      "consent": "请勾选同意公开提案内容,否则无法提交。"}
    assert live.store.counts()[QueueStatus.QUEUED] == 0


def test_token_rules(live: LiveIntake) -> None:
    too_fast = live.submit(form(), wait=1)
    assert too_fast.status_code == 422 and "太快" in too_fast.json()["errors"]["token"]
    forged = live.client.post(f"{live.base}/api/submissions", data={**form(), "token": "x.y"},
                              headers={"Accept": "application/json"})
    assert forged.status_code == 422 and "token" in forged.json()["errors"]
    missing = live.client.post(f"{live.base}/api/submissions", data=form(),
                               headers={"Accept": "application/json"})
    assert missing.status_code == 422 and "token" in missing.json()["errors"]
    expired = live.submit(form(), wait=2 * 86400)
    assert expired.status_code == 422 and "过期" in expired.json()["errors"]["token"]
    assert live.store.counts()[QueueStatus.QUEUED] == 0


def test_honeypot_is_refused(live: LiveIntake) -> None:
    answer = live.submit(form(website="http://spam.example"))
    assert answer.status_code == 422 and "form" in answer.json()["errors"]
    assert live.store.counts()[QueueStatus.QUEUED] == 0


def test_same_text_within_an_hour_returns_the_first_receipt(live: LiveIntake) -> None:
    first = live.submit(form()).json()["id"]
    again = live.submit(form(contact="another")).json()["id"]
    assert again == first
    assert live.store.counts()[QueueStatus.QUEUED] == 1
    live.clock.advance(3700)
    later = live.submit(form()).json()["id"]
    assert later != first


def test_rate_limit_is_429_with_retry_after(live: LiveIntake) -> None:
    for n in range(3):
        assert live.submit(form(title=f"第{n}个提案")).status_code == 202
    refused = live.submit(form(title="第四个提案"))
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 600
    assert "分钟后再试" in refused.json()["errors"]["form"]
    live.clock.advance(retry_after)
    assert live.submit(form(title="第五个提案")).status_code == 202


def test_body_over_12_mb_is_413_before_it_is_read(live: LiveIntake) -> None:
    port = int(live.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /api/submissions HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 13000000\r\n\r\n")
        started = time.monotonic()
        answer = sock.recv(4096)  # no body sent: only an answer without reading it can come
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 5


def test_chunked_body_over_the_limit_is_413(live: LiveIntake) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(13):
            yield b"a" * (1024 * 1024)

    answer = live.client.post(f"{live.base}/api/submissions", content=chunks(),
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Accept": "application/json"})
    assert answer.status_code == 413


def test_plain_html_form_redirects_to_the_receipt(live: LiveIntake) -> None:
    page = live.client.get(f"{live.base}/submit")
    assert page.status_code == 200 and 'name="token" value="' in page.text
    token = page.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    live.clock.advance(10)
    answer = live.client.post(f"{live.base}/api/submissions",
                              data={**form(), "token": token}, headers={"Accept": "text/html"})
    assert answer.status_code == 303
    receipt = live.client.get(answer.headers["location"])
    assert receipt.status_code == 200 and "2024-0312-2222" in receipt.text


def test_plain_html_form_shows_errors_and_keeps_values(live: LiveIntake) -> None:
    answer = live.submit(form(title="", description="<b>路灯</b>"), json=False)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "请填写此项。" in answer.text
    assert "&lt;b&gt;路灯&lt;/b&gt;" in answer.text and "<b>路灯" not in answer.text


def test_multipart_with_photos(live: LiveIntake) -> None:
    photo = jpeg_with_gps()
    answer = live.submit(form(), files=[("photo", ("a.jpg", photo, "image/jpeg")),
                                        ("photo", ("b.jpg", photo, "image/jpeg"))])
    assert answer.status_code == 202
    _, photos = live.store.content(answer.json()["id"])
    assert len(photos) == 2 and all(p.startswith(b"\xff\xd8") for p in photos)
    four = live.submit(form(title="四张照片"),
                       files=[("photo", (f"{n}.jpg", photo, "image/jpeg")) for n in range(4)])
    assert four.status_code == 422 and "最多上传 3 张" in four.json()["errors"]["photo"]


def test_cors_for_the_site(live: LiveIntake) -> None:
    # No --allow-origin: the site's origin (from site_url https://example.org/yishi) only.
    site = "https://example.org"
    preflight = live.client.options(
        f"{live.base}/api/submissions",
        headers={"Origin": site, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == site
    answer = live.client.get(f"{live.base}/api/token", headers={"Origin": site})
    assert answer.headers["access-control-allow-origin"] == site
    assert "access-control-allow-credentials" not in answer.headers
    elsewhere = live.client.options(
        f"{live.base}/api/submissions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in elsewhere.headers
    token = live.client.get(f"{live.base}/api/token", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in token.headers
