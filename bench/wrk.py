"""Figure 3's native load generator: Debian's ``wrk`` driven by ``bench/intake.lua``.

The Python client spends more CPU per submission than the service it measures (section 3 of
bench/README.md); wrk spends a few tens of microseconds, so on a shared machine the cores go to
the service. wrk is not a Python package: ``apt-get install wrk`` (Debian, Ubuntu).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

SCRIPT = Path(__file__).with_name("intake.lua")
MARK = "YISHI-RESULT "
#: Stands for the request's own number in a body (environment variables cannot hold NUL).
NUMBER = "\x02"
VARIANT = "\x01"


class WrkMissing(RuntimeError):
    """wrk is not installed."""


def find_wrk() -> str:
    """The path of ``wrk``, or :class:`WrkMissing` saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing("--client wrk needs wrk, the HTTP load generator, on PATH: "
                         "install it with `apt-get install wrk` (Debian, Ubuntu) or from "
                         "https://github.com/wg/wrk, or use the default --client python")
    return path


@dataclass
class WrkRun:
    """What wrk saw, and the receipts its threads wrote down."""

    seconds: float
    requests: int
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]
    #: Fixed-rate runs: submissions whose time came while every connection was busy.
    late: int
    receipts: list[str]
    cpu_seconds: float
    output: str = field(repr=False, default="")


BOUNDARY = "----yishi-bench-5f0c2a"
ENCODINGS = ("urlencoded", "multipart")


def _urlencoded(fields: Mapping[str, str]) -> str:
    return urlencode(fields, quote_via=quote).replace(quote(NUMBER), NUMBER)


def _multipart(fields: Mapping[str, str]) -> str:
    # One buffer, so one write, as a browser sends it; fields in the form's order.
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return "".join(parts) + f"--{BOUNDARY}--\r\n"


def environment(forms: Sequence[Mapping[str, str]], encoding: str, rate: float, threads: int,
                receipts: Path) -> dict[str, str]:
    """The variables ``intake.lua`` reads: the bodies (``NUMBER`` marks the request's own
    number in them), their content type, the rate and where receipts go."""
    if encoding == "multipart":
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
        bodies = [_multipart(form) for form in forms]
    elif encoding == "urlencoded":
        content_type = "application/x-www-form-urlencoded"
        bodies = [_urlencoded(form) for form in forms]
    else:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    # \1 separates the variants; the form's text never holds it.
    assert not any(VARIANT in body for body in bodies)
    return {"YISHI_BODIES": VARIANT.join(bodies), "YISHI_CONTENT_TYPE": content_type,
            "YISHI_RATE": repr(rate), "YISHI_THREADS": str(threads),
            "YISHI_RECEIPTS": str(receipts)}


def parse_result(output: str) -> dict[str, Any]:
    """The JSON line ``intake.lua``'s ``done()`` printed."""
    for line in output.splitlines():
        if line.startswith(MARK):
            result: dict[str, Any] = json.loads(line[len(MARK):])
            return result
    raise RuntimeError("wrk printed no result line:\n" + output[-3000:])


def run_wrk(base: str, env: dict[str, str], *, connections: int, threads: int,
            seconds: float, receipts: Path) -> WrkRun:
    """Run wrk against ``base`` for ``seconds``; its figures, receipts and CPU time."""
    argv = [find_wrk(), "--latency", "--timeout", "30s", "-c", str(connections),
            "-t", str(threads), "-d", f"{max(1, round(seconds))}s", "-s", str(SCRIPT), base]
    receipts.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    # wait4 gives wrk's own CPU time; Popen must not wait a second time.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{output[-3000:]}")
    result = parse_result(output)
    ids = [line for path in sorted(receipts.parent.glob(receipts.name + "*.txt"))
           for line in path.read_text(encoding="utf-8").splitlines() if line]
    latency = {k: v / 1000 for k, v in result["latency_us"].items()}
    return WrkRun(
        seconds=result["duration_us"] / 1e6 or wall, requests=result["requests"],
        statuses={int(k): v for k, v in result["statuses"].items()},
        socket_errors=result["socket_errors"], latency_ms=latency, late=result["late"],
        receipts=ids, cpu_seconds=usage.ru_utime + usage.ru_stime, output=output)
