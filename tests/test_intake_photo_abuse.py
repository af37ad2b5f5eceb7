"""Photos under abuse: a client the service would refuse costs it no decoding, and while
large photos are decoded, receipts keep answering within a second and memory stays bounded."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageFile

from intake_support import Clock, Suffixes, form, make_records_repo, serve_app, serve_process
from yishi.council import load_council
from yishi.intake.abuse import RateLimit
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store

#: The audit's image: 6300 × 6300 pixels (40 megapixels once decoded) in a ~170 KB file.
SIDE = 6300


def large_png(side: int = SIDE) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (side, side), (30, 120, 200, 255)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def big_png() -> bytes:
    data = large_png()
    assert len(data) < 200_000  # small on the wire, 160 MB decoded
    return data


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every image whose pixels Pillow decodes, by format (a spy on the real loader)."""
    seen: list[str] = []
    real_load = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to decode (later calls find them decoded)
            seen.append(str(self.format))
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_refused_clients_cost_no_decoding(tmp_path: Path, big_png: bytes, decodes: list[str]) -> None:
    repo = make_records_repo(tmp_path / "records")
    clock = Clock()
    store = Store(tmp_path / "intake.sqlite3")
    app = create_app(store, load_council(repo), clock=clock, suffix=Suffixes(),
                     settings=ServiceSettings(rate_limit=RateLimit(1, 600)))
    photo = [("photo", ("big.png", big_png, "image/png"))]
    with serve_app(app) as base, httpx.Client(timeout=30) as client:
        def post(fields: dict[str, str], token: str | None = None) -> httpx.Response:
            token = token if token is not None else client.get(f"{base}/api/token").json()["token"]
            clock.advance(5)
            return client.post(f"{base}/api/submissions", data={**fields, "token": token},
                               files=photo, headers={"Accept": "application/json"})

        assert post(form(title="第一条")).status_code == 202
        decoded_first = len(decodes)
        assert decoded_first == 1  # the admitted photo was decoded, once

        limited = post(form(title="第二条,已超出次数"))
        assert limited.status_code == 429, limited.text
        forged = post(form(title="伪造的表单"), token="not-a-token")
        assert forged.status_code == 422 and "token" in forged.json()["errors"]
        invalid = post(form(title="", consent="no"))
        assert invalid.status_code == 422
        assert len(decodes) == decoded_first, f"refused posts decoded {decodes[decoded_first:]}"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_receipts_answer_within_a_second_while_large_photos_are_decoded(
        tmp_path: Path, big_png: bytes) -> None:
    repo = make_records_repo(tmp_path / "records")
    posts = 4
    with serve_process("--repo", str(repo), "--db", str(tmp_path / "intake.sqlite3"),
                       "--min-fill-seconds", "0", "--rate-limit", "100/60",
                       log=tmp_path / "service.log") as base, httpx.Client(timeout=60) as client:
        pid = int(next(line.split()[0] for line in _pids_listening(base)))
        token = client.get(f"{base}/api/token").json()["token"]
        first = client.post(f"{base}/api/submissions", data={**form(), "token": token},
                            headers={"Accept": "application/json"})
        receipt = first.json()["receipt_url"]
        baseline = _peak_rss_mb(pid)

        answers: list[int] = []

        def post(n: int) -> None:
            with httpx.Client(timeout=120) as own:
                tok = own.get(f"{base}/api/token").json()["token"]
                answer = own.post(f"{base}/api/submissions",
                                  data={**form(title=f"大照片 {n}"), "token": tok},
                                  files=[("photo", (f"{n}.png", big_png, "image/png"))],
                                  headers={"Accept": "application/json"})
                answers.append(answer.status_code)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(posts)]
        for thread in threads:
            thread.start()
        slowest = 0.0
        lookups = 0
        deadline = time.monotonic() + 60
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            started = time.perf_counter()
            # Residents checking their receipts: many clients (lookups are limited per client).
            resident = {"X-Forwarded-For": f"10.9.{lookups // 250}.{lookups % 250}"}
            assert client.get(receipt, headers=resident).status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            lookups += 1
            time.sleep(0.05)
        for thread in threads:
            thread.join(5)
        peak = _peak_rss_mb(pid)
    assert sorted(answers) == [202] * posts, answers
    assert lookups >= 3
    assert slowest < 1.0, f"a receipt took {slowest:.2f} s while photos were decoded"
    # Four 40-megapixel photos at once held 2.6 GB; one at a time, reduced early, ~200 MB.
    assert peak - baseline < 600, f"peak memory grew by {peak - baseline:.0f} MB"


def _pids_listening(base: str) -> Iterator[str]:
    """``pid`` of the process listening on the base URL's port (from /proc, no tools)."""
    port = int(base.rsplit(":", 1)[1])
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {str(fd.readlink()) for fd in (proc / "fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            yield proc.name


def test_a_full_photo_queue_answers_503_and_the_budget_holds(
        tmp_path: Path, big_png: bytes, decodes: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from yishi.intake.photo_work import PhotoWork

    repo = make_records_repo(tmp_path / "records")
    clock = Clock()
    work = PhotoWork(workers=1, max_waiting=2)
    app = create_app(Store(tmp_path / "intake.sqlite3"), load_council(repo), clock=clock,
                     suffix=Suffixes(), photo_work=work,
                     settings=ServiceSettings(rate_limit=RateLimit(100, 600)))
    posts = 6
    with serve_app(app) as base, httpx.Client(timeout=60) as client:
        tokens = [client.get(f"{base}/api/token").json()["token"] for _ in range(posts)]
        clock.advance(5)

        def post(n: int) -> httpx.Response:
            with httpx.Client(timeout=60) as own:
                return own.post(f"{base}/api/submissions",
                                data={**form(title=f"排队的照片 {n}"), "token": tokens[n]},
                                files=[("photo", (f"{n}.png", big_png, "image/png"))],
                                headers={"Accept": "application/json"})

        with ThreadPoolExecutor(posts) as pool:
            answers = list(pool.map(post, range(posts)))
    statuses = sorted(a.status_code for a in answers)
    assert 202 in statuses and 503 in statuses, statuses
    assert set(statuses) <= {202, 503}
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"] == "30" and "照片" in busy.json()["errors"]["form"]
    assert len(decodes) == statuses.count(202)  # a refused post decoded nothing
    assert 0 < work.budget.peak <= work.budget.limit
