"""The wrk load generator's parts that need no wrk: the bodies it sends and its absence.

The bodies are built in Python and only joined by ``bench/intake.lua``; here they are joined
the same way and read by the intake service's own form parser and schema.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yishi.council import load_council
from yishi.intake.formdata import parse_form
from yishi.intake.submission import parse_submission

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_bodies_are_forms_the_service_accepts_each_with_its_own_text(
        encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # bench/ is a folder of the project, not part of the installed package.
    monkeypatch.syspath_prepend(str(PROJECT))
    wrk = importlib.import_module("bench.wrk")
    _fields = importlib.import_module("bench.intake")._fields

    def lua_join(env: dict[str, str], variant: int, number: str) -> bytes:
        # What request() in intake.lua sends: the variant's pieces joined by the number.
        body = env["YISHI_BODIES"].split(wrk.VARIANT)[variant]
        return str(body).replace(wrk.NUMBER, number).encode("utf-8")

    council = load_council(PROJECT)
    communities, categories = list(council.community_names), list(council.category_names)
    forms = []
    for n in range(2):
        form = {**_fields(n, communities, categories), "token": "tok.en-1"}
        form["title"] = form["title"].replace(f"第 {n} 号", f"第 {wrk.NUMBER} 号")
        form["description"] = form["description"].replace(f"第 {n} 号", f"第 {wrk.NUMBER} 号")
        forms.append(form)
    env = wrk.environment(forms, encoding, 200.0, 2, tmp_path / "thread-")
    assert all("\x00" not in value for value in env.values())  # environment variables
    assert env["YISHI_RATE"] == "200.0" and env["YISHI_THREADS"] == "2"

    parsed = [parse_form(env["YISHI_CONTENT_TYPE"], lua_join(env, v, f"1-{i}"))
              for v, i in ((0, 7), (1, 8))]
    for variant, form in enumerate(parsed):
        assert form.fields["token"] == "tok.en-1" and form.fields["website"] == ""
        assert form.fields["community"] == communities[variant % len(communities)]
        submission = parse_submission(form.fields, council)
        assert submission.title == f"第 1-{7 + variant} 号楼道堆物影响通行,希望清理"
        assert "\n希望物业组织清理。" in form.fields["description"]
    # Distinct text per request, or the duplicate guard would fold them into one receipt.
    assert parsed[0].fields["description"] != parsed[1].fields["description"]


def test_wrk_client_without_wrk_says_how_to_install_it(tmp_path: Path) -> None:
    # A PATH with this Python but no wrk.
    (tmp_path / "bin").mkdir()
    env = {**os.environ, "PATH": str(tmp_path / "bin")}
    done = subprocess.run([sys.executable, "-m", "bench.intake", "--client", "wrk",
                           "--seconds", "1", "--github-submissions", "0",
                           "--work", str(tmp_path / "w"), "--out", str(tmp_path)],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 1
    assert "apt-get install wrk" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "intake.json").exists()
