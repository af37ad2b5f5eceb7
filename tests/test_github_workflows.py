"""The `.github/` folder: actionlint and zizmor report nothing, GitHub's schemas accept the
forms, and the workflows keep the promises the README makes (pins, permissions, triggers)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
GITHUB = PROJECT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """The tool installed beside this Python (the test extra), else on PATH; never a skip."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `pip install -e '.[test]'` (or `make test`)")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # No GitHub token reaches the tools: they must work offline, on any machine.
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN"}}
    env["NO_COLOR"] = "1"
    return subprocess.run(args, cwd=PROJECT, capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_reports_nothing() -> None:
    assert WORKFLOWS, "no workflows found"
    done = run(tool("actionlint"), "-no-color", *(str(p) for p in WORKFLOWS))
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really runs: an unknown context in an expression is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.evnet.name }}\n", encoding="utf-8")
    done = run(tool("actionlint"), "-no-color", str(broken))
    assert done.returncode == 1 and "evnet" in done.stdout


def test_zizmor_reports_nothing() -> None:
    done = run(tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress",
               str(GITHUB))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout + done.stderr


def test_zizmor_catches_template_injection(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text(
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo \"${{ github.event.issue.title }}\"\n", encoding="utf-8")
    done = run(tool("zizmor"), "--offline", "--no-progress", str(tmp_path / ".github"))
    assert done.returncode != 0 and "template-injection" in done.stdout


@pytest.mark.parametrize(("schema", "paths"), [
    ("vendor.github-issue-forms", [".github/ISSUE_TEMPLATE/proposal.yml"]),
    ("vendor.github-issue-config", [".github/ISSUE_TEMPLATE/config.yml"]),
    ("vendor.dependabot", [".github/dependabot.yml"]),
    ("vendor.github-workflows", [str(p.relative_to(PROJECT)) for p in WORKFLOWS]),
])
def test_github_schemas_accept_the_files(schema: str, paths: list[str]) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, *paths)
    assert done.returncode == 0, done.stdout + done.stderr


def test_issue_form_schema_rejects_a_broken_form(tmp_path: Path) -> None:
    form = load(GITHUB / "ISSUE_TEMPLATE" / "proposal.yml")
    form["body"][1]["type"] = "dropdownn"
    path = tmp_path / "proposal.yml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True), encoding="utf-8")
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms",
               str(path))
    assert done.returncode == 1


def test_actions_are_pinned_by_commit_with_a_version_comment() -> None:
    for path in WORKFLOWS:
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            match = re.match(r"^\s*(?:- )?uses:\s*(\S+)(.*)$", line)
            if match:
                assert PINNED.match(match[1]), f"{path.name}: {match[1]} is not pinned by SHA"
                assert re.match(r"\s+# v\d", match[2]), f"{path.name}: {line.strip()} lacks # vX"


def test_no_expression_reaches_a_shell() -> None:
    """Untrusted text must come in through env or the event file, never `${{ }}` in run:."""
    for path in WORKFLOWS:
        for step in steps(load(path)):
            assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_checkouts_do_not_keep_credentials() -> None:
    for path in WORKFLOWS:
        for step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path.name


def test_checks_workflow() -> None:
    flow = load(GITHUB / "workflows" / "checks.yml")
    assert list(flow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in flow["jobs"].values())
    text = (GITHUB / "workflows" / "checks.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
    runs = "\n".join(step.get("run", "") for step in steps(flow))
    assert 'yishi diff "$BASE_SHA" HEAD --merge-base >> "$GITHUB_STEP_SUMMARY"' in runs
    assert "yishi check" in runs and "make test" in runs and "mkdocs build --strict" in runs
    [checkout] = [s for s in steps(flow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in steps(flow))


def test_publish_workflow() -> None:
    flow = load(GITHUB / "workflows" / "publish.yml")
    assert flow[True]["push"] == {"branches": ["main"]}
    assert flow["permissions"] == {}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert set(flow["jobs"]) == {"build", "attest", "deploy"}
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == ["build", "attest"]
    assert deploy["environment"]["name"] == "github-pages"
    uses = [s.get("uses", "").split("@")[0] for s in steps(flow)]
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(uses)
    [checkout] = [s for s in build["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    [site] = [s for s in build["steps"] if "mkdocs build --strict" in s.get("run", "")]
    assert site["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert site["env"]["YISHI_PREVIOUS_LEDGER"] == (
        "${{ steps.pages.outputs.base_url }}/data/publications.json")
    assert "INHERIT: mkdocs.yml" in site["run"]


def test_publish_workflow_attests_the_downloads_with_least_privilege() -> None:
    flow = load(GITHUB / "workflows" / "publish.yml")
    attest = flow["jobs"]["attest"]
    # Only this job may sign; the build that runs the records' tooling may not.
    assert attest["permissions"] == {"id-token": "write", "attestations": "write"}
    assert attest["needs"] == "build"
    others = [job for name, job in flow["jobs"].items() if name != "attest"]
    assert all("attestations" not in job["permissions"] for job in others)
    [download] = [s for s in attest["steps"] if "download-artifact@" in s.get("uses", "")]
    assert download["with"]["name"] == "github-pages"
    [provenance] = [s for s in attest["steps"]
                    if s.get("uses", "").startswith("actions/attest-build-provenance@")]
    subjects = provenance["with"]["subject-path"].split()
    assert "site/data/**" in subjects and "site/feed.xml" in subjects


def test_intake_workflow() -> None:
    flow = load(GITHUB / "workflows" / "intake.yml")
    assert flow[True] == {"issues": {"types": ["labeled"]}}
    assert flow["permissions"] == {}
    [job] = flow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write",
                                  "issues": "write"}
    assert "github.event.label.name == 'accepted'" in job["if"]
    assert "contains(github.event.issue.labels.*.name, 'proposal')" in job["if"]
    [submit] = [s for s in job["steps"] if "yishi issue-form submit" in s.get("run", "")]
    assert '--event "$GITHUB_EVENT_PATH"' in submit["run"]
    # The job holds write permissions: it installs the hashed lock and nothing resolved.
    installs = [line.strip() for s in job["steps"] for line in s.get("run", "").splitlines()
                if "pip install" in line]
    assert installs == [
        "python -m pip install --require-hashes --no-deps -r requirements-intake.txt",
        "python -m pip install --no-deps --no-build-isolation --no-index .",
    ]


def _lock() -> dict[str, tuple[str, list[str]]]:
    """requirements-intake.txt: normalised name → (pinned version, hashes)."""
    from packaging.utils import canonicalize_name

    text = (PROJECT / "requirements-intake.txt").read_text(encoding="utf-8")
    pins: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text.replace("\\\n", " ")):
        first = entry.split("#", 1)[0].strip()
        if not first or first.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)", first)
        assert match, f"not pinned with ==: {first[:80]}"
        pins[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", first))
    return pins


def test_the_intake_lock_pins_every_dependency_with_hashes() -> None:
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _lock()
    assert pins and all(hashes for _, hashes in pins.values()), "a pin without a hash"
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for spec in map(Requirement, wanted):
        name = canonicalize_name(spec.name)
        assert name in pins, f"{spec.name} is not in requirements-intake.txt: make requirements-intake.txt"
        assert spec.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements-intake.txt pins {spec.name}=={pins[name][0]}, pyproject.toml asks "
            f"{spec.specifier}: make requirements-intake.txt")


def test_blank_issues_are_disabled() -> None:
    assert load(GITHUB / "ISSUE_TEMPLATE" / "config.yml") == {"blank_issues_enabled": False}


def test_dependabot_updates_pip_and_actions() -> None:
    config = load(GITHUB / "dependabot.yml")
    assert {u["package-ecosystem"] for u in config["updates"]} == {"pip", "github-actions"}


def test_pull_request_template_has_the_screening_checklist() -> None:
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    for criterion in ("公共性", "合法性", "迫切性", "可行性", "负面清单"):
        assert criterion in text
