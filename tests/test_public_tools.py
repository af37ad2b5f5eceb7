"""The public test tools work as the README tells councils to use them.

``yishi.testing`` and ``yishi.synthetic`` are supported for councils' own tests and
benchmarks; the library use is covered beside each tool, this file covers the commands.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from intake_support import free_port
from yishi.council import load_council


def test_the_github_standin_runs_alone_as_the_readme_says() -> None:
    port = free_port()
    command = [sys.executable, "-m", "yishi.testing.github_standin", "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            api_url = first.rsplit(" at ", 1)[1].strip()
            assert api_url.startswith(f"http://127.0.0.1:{port}")
            request = urllib.request.Request(
                f"{api_url}/repos/council/records",
                headers={"Authorization": "token standin-token"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert json.load(answer)["full_name"] == "council/records"
        finally:
            process.terminate()

def test_a_synthetic_council_is_written_by_the_documented_command(tmp_path: Path) -> None:
    out = tmp_path / "council"
    subprocess.run([sys.executable, "-m", "yishi.synthetic", "--issues", "20", "--out", str(out)],
                   check=True, capture_output=True)
    assert len(list((out / "content" / "issues").glob("*.md"))) == 20
    assert load_council(out).communities
