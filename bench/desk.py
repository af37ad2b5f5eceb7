"""Figure 5, the desk's answer times: every page a moderator opens, on a synthetic council.

``yishi desk serve`` runs as a child process over a synthetic council's git repository; one
logged-in client asks each page ``--requests`` times in turn (the 待办 page, a proposal, its
screening form, a meeting, a meeting's record form, the changes) and the 95th percentile is
compared with the 300 ms target. Then one record is committed on the main branch, as an
approval does, and the first page after it is timed: the desk reloads that file, not 20,000.

    .venv/bin/python -m bench.desk --sizes 1000,5000,20000
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import httpx

from .common import DEFAULT_SIZES, RESULTS, parse_sizes, prepare_council, table, write_result

YISHI = str(Path(sys.executable).with_name("yishi"))
PASSWORD = "bench-password-0"
TARGET_MS = 300.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _pages(repo: Path) -> dict[str, str]:
    """One URL of each kind of page, chosen from the records."""
    from yishi.loading import load_repository

    records = load_repository(repo)
    received = next(i for i, loaded in sorted(records.issues.items())
                    if loaded.record.status.value == "received")
    held = next(m for m, loaded in sorted(records.meetings.items()) if not loaded.record.upcoming)
    pages = {"待办 /": "/", "proposal": f"/issues/{received}",
             "screening form": f"/issues/{received}/screen", "meeting": f"/meetings/{held}",
             "plan form": "/meetings/new", "changes": "/changes"}
    # Small councils may have no meeting still to be recorded.
    upcoming = [m for m, loaded in sorted(records.meetings.items())
                if loaded.record.upcoming and loaded.record.agenda]
    if upcoming:
        pages["record form"] = f"/meetings/{upcoming[0]}/record"
    return pages


def _login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": "bench", "password": PASSWORD,
                                         "csrf": token})
    assert answer.status_code == 303, answer.text[:500]
    return client


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c",
                    "user.email=bench@example.invalid", *args], check=True, capture_output=True)


def measure(work: Path, issues: int, seed: int, requests: int) -> dict[str, Any]:
    """Start the desk over one synthetic council and time its pages."""
    repo = prepare_council(work, issues, seed)
    db = repo.parent / "desk.sqlite3"
    db.unlink(missing_ok=True)
    subprocess.run([YISHI, "desk", "user", "add", "bench", "--db", str(db)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    pages = _pages(repo)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = repo.parent / "logs" / "desk.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen([YISHI, "desk", "serve", "--root", str(repo), "--db", str(db),
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        raise RuntimeError(log.read_text(encoding="utf-8")) from None
                    time.sleep(0.05)
            ready = time.perf_counter() - started
            client = _login(base)
            try:
                for url in pages.values():  # one warm-up each (the 待办 lists are memoised)
                    assert client.get(url).status_code == 200, url
                timings: dict[str, list[float]] = {name: [] for name in pages}
                for _ in range(requests):
                    for name, url in pages.items():
                        t0 = time.perf_counter()
                        answer = client.get(url)
                        timings[name].append((time.perf_counter() - t0) * 1000)
                        assert answer.status_code == 200, (url, answer.status_code)
                # An approval moves main: one record changes; the next page reloads only it.
                issue = pages["proposal"].rsplit("/", 1)[-1]
                path = repo / "content" / "issues" / f"{issue}.md"
                original = path.read_text(encoding="utf-8")
                path.write_text(original.replace("title: ", "title: 改", 1), encoding="utf-8")
                _git(repo, "commit", "-qam", "bench: one record changes")
                t0 = time.perf_counter()
                assert client.get("/").status_code == 200
                after_commit = (time.perf_counter() - t0) * 1000
                path.write_text(original, encoding="utf-8")
                _git(repo, "commit", "-qam", "bench: back")
            finally:
                client.close()
        finally:
            proc.terminate()
            proc.wait(30)
    every = [t for values in timings.values() for t in values]
    return {
        "issues": issues, "requests_per_page": requests, "ready_seconds": ready,
        "pages": {name: {"url": pages[name], "p50_ms": statistics.median(values),
                         "p95_ms": _percentile(values, 95), "max_ms": max(values)}
                  for name, values in timings.items()},
        "p95_ms": _percentile(every, 95), "first_page_after_commit_ms": after_commit,
        "target_ms": TARGET_MS, "met": _percentile(every, 95) <= TARGET_MS,
    }


@click.command()
@click.option("--sizes", default=",".join(map(str, DEFAULT_SIZES)), show_default=True,
              help="Comma-separated issue counts.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--requests", type=click.IntRange(min=1), default=20, show_default=True,
              help="Requests per page.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var") / "bench", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True)
def main(sizes: str, seed: int, requests: int, work: Path, out: Path) -> None:
    """Time the desk's pages on synthetic councils of each size."""
    runs = [measure(work, n, seed, requests) for n in parse_sizes(sizes)]
    rows = []
    for run in runs:
        for name, page in run["pages"].items():
            rows.append([run["issues"], name, page["p50_ms"], page["p95_ms"], page["max_ms"]])
    click.echo(table(["issues", "page", "p50 ms", "p95 ms", "max ms"], rows))
    click.echo()
    click.echo(table(["issues", "ready s", "p95 ms (all pages)", "≤ 300 ms",
                      "first page after a commit ms"],
                     [[r["issues"], r["ready_seconds"], r["p95_ms"], "yes" if r["met"] else "NO",
                       r["first_page_after_commit_ms"]] for r in runs]))
    path = write_result("desk", {"seed": seed, "runs": runs}, out)
    click.echo(f"\nwrote {path}", err=True)


if __name__ == "__main__":
    main()
