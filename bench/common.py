"""What every benchmark shares: where results go, the machine, measured child processes,
tables, and the synthetic councils they run on."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yishi.synthetic import write_synthetic_repository

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
DEFAULT_SIZES = (1000, 5000, 20000)


def parse_sizes(text: str) -> list[int]:
    """``"1000,5000"`` → ``[1000, 5000]``."""
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise ValueError(f"sizes must be positive integers, got {text!r}")
    return sizes


def git_commit() -> str:
    """The project's commit, with ``+dirty`` when the work tree has local changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True,
                              text=True, check=False).stdout.strip()
    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
    }


@dataclass
class Measured:
    """Wall time, CPU time and peak memory of one child process (and its children)."""

    seconds: float
    #: User + system CPU seconds: on a machine shared with other work, the figure that
    #: contention disturbs least (wall time counts the waits for a core too).
    cpu_seconds: float
    peak_mb: float
    returncode: int


def run_measured(argv: Sequence[str], log: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Measured:
    """Run ``argv`` with output to ``log``; wall time and the peak RSS of it and its children.

    ``os.wait4`` gives the rusage of this one child (and the children it waited for), so
    successive runs do not inherit each other's peak as RUSAGE_CHILDREN would.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait a second time
    # Linux reports ru_maxrss in KiB.
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                    proc.returncode)


def mkdocs_build(config: Path, site_dir: Path, log: Path) -> Measured:
    """``mkdocs build`` of ``config`` into ``site_dir``, measured; raises when it fails."""
    argv = [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", str(config), "-d", str(site_dir)]
    measured = run_measured(argv, log, cwd=config.parent)
    if measured.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"mkdocs build of {config} failed ({measured.returncode}):\n{tail}")
    return measured


def prepare_council(work: Path, issues: int, seed: int, git: bool = True) -> Path:
    """A synthetic council of ``issues`` issues under ``work``, reused when already written."""
    root = work / f"n{issues}-s{seed}" / "repo"
    stamp = root / ".bench-stamp"
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    want = json.dumps({"issues": issues, "seed": seed, "git": git, "mkdocs_yml": config,
                       "generator": _generator_digest()})
    if stamp.exists() and stamp.read_text(encoding="utf-8") == want:
        return root
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    write_synthetic_repository(root, issues, seed, mkdocs_yml=PROJECT / "mkdocs.yml", git=git)
    stamp.write_text(want, encoding="utf-8")
    return root


def _generator_digest() -> str:
    import hashlib

    import yishi.synthetic

    return hashlib.sha256(Path(yishi.synthetic.__file__).read_bytes()).hexdigest()[:16]


def peak_rss_self_mb() -> float:
    """Peak RSS of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table, also readable in a terminal."""
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_result(name: str, data: dict[str, Any], out: Path | None = None) -> Path:
    """Write ``bench/results/<name>.json`` (or under ``out``) with the run's context."""
    folder = out or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    record = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
              "commit": git_commit(), "machine": machine(), **data}
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=_json) + "\n",
                    encoding="utf-8")
    return path


def _json(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
