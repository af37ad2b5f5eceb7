"""Figure 3, intake: accepted submissions per second and POST latency with 50 concurrent
clients on loopback (SQLite store, worker running), then the drain rate of the worker
against the GitHub stand-in with GitHub's secondary limits.

    .venv/bin/python -m bench.intake --clients 50 --seconds 60
    .venv/bin/python -m bench.intake --client wrk --rate 200 --github-submissions 0

Each submission comes from a different resident (its own ``X-Forwarded-For``, which the
service trusts from a proxy on loopback), as in a consultation burst. The default client
(asyncio + httpx) fetches a token first, as the site's form does on load, then posts the form
as multipart; it costs more CPU per submission than the service, so on a small machine it
measures itself. ``--client wrk`` (``bench/wrk.py``, ``bench/intake.lua``; needs Debian's
``wrk``) posts back-to-back and, with ``--rate``, at a fixed arrival rate.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx

from yishi.council import load_council
from yishi.intake.store import PENDING, Store
from yishi.synthetic import write_synthetic_repository
from yishi.testing.github_standin import GithubStandin

from . import wrk
from .common import RESULTS, table, write_result

YISHI = str(Path(sys.executable).with_name("yishi"))


def free_port() -> int:
    """An unused loopback port (the service binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Load:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)  # POST only, seconds
    token_latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _fields(n: int, communities: list[str], categories: list[str]) -> dict[str, str]:
    # Distinct text per submission: identical text is folded into the first receipt.
    return {
        "title": f"第 {n} 号楼道堆物影响通行,希望清理",
        "description": f"第 {n} 号提案:楼道里堆满了纸箱和旧家具,老人上下楼不方便。\n希望物业组织清理。",
        "community": communities[n % len(communities)],
        "category": categories[n % len(categories)],
        "kind": "individual", "location": "3号楼", "name": "", "contact": "",
        "consent": "yes", "website": "",
    }


async def run_load(base: str, clients: int, seconds: float, council_root: Path,
                   limit: int | None = None) -> Load:
    """``clients`` concurrent residents submitting until ``seconds`` pass (or ``limit`` sent)."""
    council = load_council(council_root)
    communities, categories = list(council.community_names), list(council.category_names)
    load = Load()
    counter = iter(range(10**9))
    start = time.perf_counter()
    deadline = start + seconds

    async def resident() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while time.perf_counter() < deadline:
                n = next(counter)
                if limit is not None and n >= limit:
                    return
                ip = {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}
                try:
                    t0 = time.perf_counter()
                    token = (await client.get("/api/token", headers=ip)).json()["token"]
                    t1 = time.perf_counter()
                    answer = await client.post(
                        "/api/submissions",
                        files={k: (None, v) for k, v in
                               {**_fields(n, communities, categories), "token": token}.items()},
                        headers={"Accept": "application/json", **ip})
                    t2 = time.perf_counter()
                except httpx.HTTPError as exc:
                    load.errors[type(exc).__name__] += 1
                    continue
                load.token_latencies.append(t1 - t0)
                load.latencies.append(t2 - t1)
                load.statuses[answer.status_code] += 1
                if answer.status_code == 202:
                    load.accepted.append(answer.json()["id"])

    await asyncio.gather(*(resident() for _ in range(clients)))
    load.seconds = time.perf_counter() - start
    return load


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, 0 when empty."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


class Services:
    """``yishi intake serve`` and ``yishi intake work`` as child processes."""

    def __init__(self, repo: Path, db: Path, logs: Path, worker_args: list[str],
                 env: dict[str, str] | None = None, serve_args: list[str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        common = ["--root", str(repo), "--db", str(db)]
        env = {**os.environ, **(env or {})}
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [
            subprocess.Popen([YISHI, "intake", "serve", *common, "--port", str(self.port),
                              "--min-fill-seconds", "0", *(serve_args or [])], env=env,
                             stdout=(logs / "serve.log").open("wb"), stderr=subprocess.STDOUT),
            subprocess.Popen([YISHI, "intake", "work", *common, *worker_args], env=env,
                             stdout=(logs / "work.log").open("wb"), stderr=subprocess.STDOUT),
        ]
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise RuntimeError("the intake service exited at start; see serve.log")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the intake service did not answer /healthz in time")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a process (this one when ``pid`` is None), including the
    children it has reaped (the worker's git commands); Linux's /proc for other processes."""
    if pid is None:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    # utime, stime, cutime, cstime (fields 14-17 of proc(5)), in clock ticks.
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _pending(store: Store) -> int:
    counts = store.counts()
    return sum(counts.get(status, 0) for status in PENDING)


def _wait_drained(store: Store, total: int, timeout: float) -> tuple[int, float]:
    """Wait until nothing is pending (or ``timeout``); proposals opened and seconds taken."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout and _pending(store):
        time.sleep(0.2)
    return total - _pending(store), time.perf_counter() - start


def _python_load(base: str, clients: int, seconds: float, repo: Path) -> dict[str, Any]:
    """The asyncio clients (token then multipart POST, back-to-back) and what they saw."""
    before = cpu_seconds()
    load = asyncio.run(run_load(base, clients, seconds, repo))
    return {
        "seconds": load.seconds, "requests": len(load.latencies), "receipts": load.accepted,
        "statuses": dict(load.statuses), "errors": dict(load.errors),
        "post_p50_ms": 1000 * percentile(load.latencies, 0.5),
        "post_p90_ms": 1000 * percentile(load.latencies, 0.9),
        "post_p99_ms": 1000 * percentile(load.latencies, 0.99),
        "post_p999_ms": 1000 * percentile(load.latencies, 0.999),
        "post_max_ms": 1000 * max(load.latencies, default=0.0),
        "token_p50_ms": 1000 * percentile(load.token_latencies, 0.5),
        "client_cpu_seconds": cpu_seconds() - before,
    }


def _wrk_load(base: str, connections: int, threads: int, seconds: float, rate: float,
              encoding: str, repo: Path, receipts: Path) -> dict[str, Any]:
    """wrk with ``intake.lua``: one token fetched first, then POSTs each with its own text."""
    council = load_council(repo)
    communities, categories = list(council.community_names), list(council.category_names)
    # One token serves the whole run: the service runs with --token-uses (a token admits one
    # submission by default) and --min-fill-seconds 0.
    token = httpx.get(base + "/api/token", timeout=10).json()["token"]
    forms = []
    for n in range(len(communities)):
        form = {**_fields(n, communities, categories), "token": token}
        # wrk puts each request's own number (thread-counter) where the marker is.
        for key in ("title", "description"):
            form[key] = form[key].replace(f"第 {n} 号", f"第 {wrk.NUMBER} 号")
        forms.append(form)
    env = wrk.environment(forms, encoding, rate, threads, receipts)
    run = wrk.run_wrk(base, env, connections=connections, threads=threads, seconds=seconds,
                      receipts=receipts)
    return {
        "seconds": run.seconds, "requests": run.requests, "receipts": run.receipts,
        "statuses": run.statuses,
        "errors": {k: v for k, v in run.socket_errors.items() if v},
        "post_p50_ms": run.latency_ms["p50"], "post_p90_ms": run.latency_ms["p90"],
        "post_p99_ms": run.latency_ms["p99"], "post_p999_ms": run.latency_ms["p999"],
        "post_max_ms": run.latency_ms["max"], "late": run.late,
        "client_cpu_seconds": run.cpu_seconds,
    }


def load_phase(work: Path, clients: int, seconds: float, drain_timeout: float, *,
               client: str = "python", rate: float = 0.0, threads: int = 1,
               body: str = "multipart", name: str = "load") -> dict[str, Any]:
    """Figure 3a: the service under load, the local-forge worker draining beside it."""
    repo = work / f"{name}-records"
    write_synthetic_repository(repo, 30, git=True)
    db = work / f"{name}.sqlite3"
    # wrk sends fixed bodies: one token must serve the run (the service's default is one use).
    reuse = ["--token-uses", "1000000000"] if client == "wrk" else []
    services = Services(repo, db, work / f"{name}-logs", ["--poll", "0.2"], serve_args=reuse)
    try:
        # Client, service and worker share the machine's cores: measure what each takes.
        pids = {"service": services.procs[0].pid, "worker": services.procs[1].pid}
        before = {key: cpu_seconds(pid) for key, pid in pids.items()}
        if client == "wrk":
            measured = _wrk_load(services.base, clients, threads, seconds, rate, body, repo,
                                 work / f"{name}-receipts" / "thread-")
        else:
            measured = _python_load(services.base, clients, seconds, repo)
        cpu = {"client": measured.pop("client_cpu_seconds"),
               **{key: cpu_seconds(pid) - before[key] for key, pid in pids.items()}}
        accepted: list[str] = measured.pop("receipts")
        store = Store(db)
        # Counted in the store: wrk's last requests may be admitted with no answer read.
        stored = sum(store.counts().values())
        opened_during = stored - _pending(store)
        drained, drain_seconds = _wait_drained(store, stored, drain_timeout)
    finally:
        services.stop()
    store = Store(db)
    missing = [i for i in accepted if store.get(i) is None]
    load_seconds = measured["seconds"]
    return {
        "client": client, "clients": clients, "threads": threads if client == "wrk" else None,
        "body": body if client == "wrk" else "multipart, one write per field",
        "rate": rate or None, **measured,
        "accepted": len(accepted), "accepted_per_s": len(accepted) / load_seconds,
        "lost": len(missing), "unique_receipts": len(set(accepted)),
        "stored": stored,
        "cpu_seconds": cpu,
        "cpu_share": {key: used / (load_seconds * (os.cpu_count() or 1))
                      for key, used in cpu.items()},
        "cpu_ms_per_accepted": {key: 1000 * used / max(len(accepted), 1)
                                for key, used in cpu.items()},
        "local_worker": {"opened_during_load": opened_during,
                         "opened_after_load": drained - opened_during,
                         "drain_seconds_after_load": drain_seconds,
                         "pending_at_end": stored - drained},
    }


def drain_phase(work: Path, submissions: int, per_minute: int, timeout: float) -> dict[str, Any]:
    """Figure 3b: the worker opening pull requests on the GitHub stand-in with its limits."""
    repo = work / "drain-records"
    write_synthetic_repository(repo, 30, git=True)
    files = {p.relative_to(repo).as_posix(): p.read_bytes()
             for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts}
    standin = GithubStandin("council/records", files=files,
                            secondary_per_minute=per_minute).start()
    db = work / "drain.sqlite3"
    try:
        services = Services(
            repo, db, work / "drain-logs",
            ["--forge", "github", "--github-repo", "council/records",
             "--github-api-url", standin.api_url, "--poll", "0.2",
             "--github-per-minute", str(per_minute)],
            env={"GITHUB_TOKEN": standin.token})
        try:
            # Queue every submission first, then time the worker emptying the queue.
            load = asyncio.run(run_load(services.base, 10, 120, repo, limit=submissions))
            opened, seconds = _wait_drained(Store(db), len(load.accepted), timeout)
        finally:
            services.stop()
        requests = standin.content_requests()
        refused = sum(1 for r in standin.requests if r.status == 403)
        pulls = len(standin.pulls)
    finally:
        standin.stop()
    return {
        "submissions": len(load.accepted), "opened": opened, "pull_requests": pulls,
        "seconds": seconds, "per_minute": 60 * opened / seconds if seconds else 0.0,
        "secondary_limit_per_minute": per_minute,
        "content_requests": len(requests),
        "content_requests_per_proposal": len(requests) / pulls if pulls else None,
        "refused_403": refused,
        "statuses": {s.value: n for s, n in Store(db).counts().items()},
    }


LOAD_HEADERS = ["client", "clients", "offered/s", "seconds", "accepted", "accepted/s",
                "p50 ms", "p90 ms", "p99 ms", "max ms", "late", "non-202", "errors", "lost"]


def _load_row(load: dict[str, Any]) -> list[Any]:
    client = load["client"] + (f" -t {load['threads']}, {load['body']}" if load["threads"] else "")
    return [client, load["clients"], load["rate"] or "back-to-back", load["seconds"],
            load["accepted"], load["accepted_per_s"], load["post_p50_ms"], load["post_p90_ms"],
            load["post_p99_ms"], load["post_max_ms"], load.get("late", "-"),
            load["requests"] - load["accepted"], sum(load["errors"].values()), load["lost"]]


def _echo_load(load: dict[str, Any]) -> None:
    share, per = load["cpu_share"], load["cpu_ms_per_accepted"]
    click.echo("CPU during the load (share of all cores; ms per accepted submission): "
               + ", ".join(f"{name} {100 * share[name]:.0f}% ({per[name]:.2f} ms)"
                           for name in ("client", "service", "worker")))
    lw = load["local_worker"]
    click.echo(f"local forge worker: {lw['opened_during_load']} proposals opened during the load, "
               f"{lw['opened_after_load']} in {lw['drain_seconds_after_load']:.1f} s after it, "
               f"{lw['pending_at_end']} still queued; {load['stored']} in the store for "
               f"{load['accepted']} receipts, {load['lost']} lost")


@click.command()
@click.option("--clients", default=50, show_default=True,
              help="Concurrent clients (wrk: connections).")
@click.option("--seconds", default=60.0, show_default=True, help="Length of the load.")
@click.option("--client", type=click.Choice(["python", "wrk"]), default="python",
              show_default=True,
              help="Load generator: asyncio + httpx (token and multipart POST per submission), "
                   "or wrk with bench/intake.lua (one token, urlencoded POSTs; needs wrk).")
@click.option("--threads", default=1, show_default=True, help="wrk threads.")
@click.option("--body", type=click.Choice(wrk.ENCODINGS), default="multipart", show_default=True,
              help="With --client wrk: the form as a browser posts it (multipart, one write) "
                   "or urlencoded.")
@click.option("--rate", type=float, default=0.0, show_default=True,
              help="With --client wrk: after the back-to-back run, a second run with "
                   "submissions arriving at this fixed rate per second (0: none).")
@click.option("--drain-timeout", default=60.0, show_default=True,
              help="Seconds to let the local worker finish after the load.")
@click.option("--github-submissions", default=60, show_default=True,
              help="Submissions the worker drains to the GitHub stand-in (0: skip the drain).")
@click.option("--secondary-per-minute", default=80, show_default=True,
              help="The stand-in's secondary limit on content-creating requests.")
@click.option("--github-timeout", default=600.0, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where stores and logs go [default: a temporary folder].")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True)
def main(clients: int, seconds: float, client: str, threads: int, body: str, rate: float,
         drain_timeout: float, github_submissions: int, secondary_per_minute: int,
         github_timeout: float, work: Path | None, out: Path) -> None:
    """Intake throughput and latency under load, and the drain rate to the GitHub stand-in."""
    if rate and client != "wrk":
        raise click.UsageError("--rate needs --client wrk")
    if client == "wrk":
        try:
            wrk.find_wrk()
        except wrk.WrkMissing as exc:
            raise click.ClickException(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="yishi-bench-intake-") as tmp:
        folder = work or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        click.echo(f"load: {clients} {client} clients back-to-back for {seconds:g} s …", err=True)
        loads = [load_phase(folder, clients, seconds, drain_timeout, client=client,
                            threads=threads, body=body)]
        if rate:
            click.echo(f"load: {rate:g} submissions/s over {clients} connections for "
                       f"{seconds:g} s …", err=True)
            loads.append(load_phase(folder, clients, seconds, drain_timeout, client=client,
                                    threads=threads, body=body, rate=rate, name="fixed-rate"))
        drain = None
        if github_submissions:
            click.echo(f"drain: {github_submissions} submissions to the GitHub stand-in …",
                       err=True)
            drain = drain_phase(folder, github_submissions, secondary_per_minute,
                                github_timeout)
    click.echo(table(LOAD_HEADERS, [_load_row(load) for load in loads]))
    for load in loads:
        _echo_load(load)
    if drain is not None:
        click.echo(table(
            ["GitHub stand-in", "submissions", "PRs", "seconds", "PRs/min", "content req/PR",
             "403 refusals"],
            [[f"secondary ≤ {drain['secondary_limit_per_minute']}/min", drain["submissions"],
              drain["pull_requests"], drain["seconds"], drain["per_minute"],
              drain["content_requests_per_proposal"] or 0.0, drain["refused_403"]]]))
    result: dict[str, Any] = {"load": loads[0], "github_drain": drain}
    if rate:
        result["load_fixed_rate"] = loads[1]
    path = write_result("intake", result, out)
    click.echo(f"wrote {path}", err=True)


if __name__ == "__main__":
    main()
