"""``make demo``: the transparency site, the intake service and the moderators' desk,
running locally together.

Makes a demo records repository (a git repository holding a copy of the project's
``content/`` and ``mkdocs.yml``) under the git-ignored ``var/demo/``, so proposals become
branches there and never in the developer's own repository. Builds and serves the site,
starts ``yishi intake serve`` and ``yishi intake work`` beside it, and rebuilds the site
whenever the demo repository's main branch moves (after ``yishi review approve`` or an
approval on the desk). The desk gets a demo moderator and a demo approver with fresh
passwords, printed at start. Ctrl-C stops everything.
"""

from __future__ import annotations

import http.server
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

import click

PROJECT = Path(__file__).resolve().parents[1]
YISHI = str(Path(sys.executable).with_name("yishi"))
#: The demo's own copy of mkdocs.yml (git-ignored in the demo repository): the records'
#: configuration with the intake URL of this run.
DEMO_CONFIG = "mkdocs.demo.yml"
GIT_IDENTITY = ["-c", "user.name=Yishi demo", "-c", "user.email=demo@example.invalid",
                "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; its output."""
    return subprocess.run(["git", "-C", str(repo), *GIT_IDENTITY, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def make_records(repo: Path, fresh: bool) -> None:
    """The demo records repository: the project's records, committed on ``main``."""
    if fresh and repo.exists():
        shutil.rmtree(repo)
    if (repo / ".git").exists():
        return
    repo.mkdir(parents=True)
    shutil.copytree(PROJECT / "content", repo / "content")
    shutil.copy(PROJECT / "mkdocs.yml", repo / "mkdocs.yml")
    (repo / ".gitignore").write_text(f"/site/\n/.cache/\n/{DEMO_CONFIG}\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Demo records")


class Site:
    """The built site currently served; rebuilt into a new folder, then swapped in."""

    def __init__(self, repo: Path, out: Path, intake_url: str) -> None:
        self.repo, self.out, self.intake_url = repo, out, intake_url
        self.current: Path | None = None
        self.builds = 0

    def build(self) -> bool:
        self.builds += 1
        target = self.out / f"site-{self.builds}"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        config = self.repo / DEMO_CONFIG
        text = (self.repo / "mkdocs.yml").read_text(encoding="utf-8")
        config.write_text(
            re.sub(r"(?m)^(\s*intake_url:).*$", rf"\1 {self.intake_url}", text), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(target)],
            capture_output=True, text=True, env=env)
        if result.returncode != 0:
            click.echo(f"Site build failed; still serving the previous one:\n{result.stderr}",
                       err=True)
            shutil.rmtree(target, ignore_errors=True)
            return False
        previous, self.current = self.current, target
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
        return True


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from whichever build is current."""

    site: Site

    def translate_path(self, path: str) -> str:
        self.directory = str(self.site.current)
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


#: The desk's demo accounts: (name, approver).
DEMO_ACCOUNTS = (("demo-moderator", False), ("demo-approver", True))


def desk_accounts(db: Path) -> dict[str, str]:
    """Create (or reset) the demo moderator and approver; their new passwords by name."""
    listed = subprocess.run([YISHI, "desk", "user", "list", "--db", str(db)],
                            capture_output=True, text=True, check=True).stdout
    existing = {line.split("\t", 1)[0] for line in listed.splitlines() if line}
    passwords = {}
    for name, approver in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        command = (["reset", name] if name in existing
                   else ["add", name, *(["--approver"] if approver else [])])
        subprocess.run([YISHI, "desk", "user", *command, "--db", str(db)],
                       input=password + "\n", text=True, check=True, capture_output=True)
        passwords[name] = password
    return passwords


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "main")


@click.command()
@click.option("--port", default=8000, show_default=True, help="Port of the site.")
@click.option("--intake-port", default=8321, show_default=True,
              help="Port of the intake service; the demo site's form posts to it.")
@click.option("--fresh", is_flag=True, help="Start again from the project's records.")
@click.option("--desk-port", default=8323, show_default=True,
              help="Port of the moderators' desk.")
@click.option("--no-intake", is_flag=True, help="Serve the site only.")
def main(port: int, intake_port: int, desk_port: int, fresh: bool, no_intake: bool) -> None:
    """Build and serve the demo site with the intake service and the desk beside it."""
    var = Path(os.environ.get("YISHI_DEMO_DIR", PROJECT / "var" / "demo"))
    repo = var / "records"
    db = var / "intake.sqlite3"
    desk_db = var / "desk.sqlite3"
    if fresh:
        db.unlink(missing_ok=True)
        desk_db.unlink(missing_ok=True)
    make_records(repo, fresh)
    site = Site(repo, var, f"http://127.0.0.1:{intake_port}")
    click.echo("Building the site …")
    if not site.build():
        sys.exit(1)

    site_url = f"http://127.0.0.1:{port}/"
    handler = type("DemoHandler", (Handler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    processes: dict[str, subprocess.Popen[bytes]] = {}
    if not no_intake:
        common = ["--root", str(repo), "--db", str(db)]
        processes["yishi intake serve"] = subprocess.Popen(
            [YISHI, "intake", "serve", *common, "--port", str(intake_port),
             "--allow-origin", f"http://127.0.0.1:{port}", "--site-url", site_url])
        processes["yishi intake work"] = subprocess.Popen(
            [YISHI, "intake", "work", *common, "--main-branch", "main"])
        passwords = desk_accounts(desk_db)
        processes["yishi desk serve"] = subprocess.Popen(
            [YISHI, "desk", "serve", "--root", str(repo), "--db", str(desk_db),
             "--main-branch", "main", "--port", str(desk_port), "--site-url", site_url,
             "--intake-db", str(db)])

    stop = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)

    rel, yishi = os.path.relpath(repo), os.path.relpath(YISHI)
    click.echo(f"\nSite:          {site_url}")
    click.echo(f"Submit form:   {site_url}submit/")
    if not no_intake:
        click.echo(f"Intake:        http://127.0.0.1:{intake_port}/submit  (plain HTML form)")
        click.echo(f"Review:        {yishi} review list --root {rel}")
        click.echo(f"               {yishi} review approve <id> --root {rel} --db {os.path.relpath(db)}")
        click.echo(f"Desk 议事台:   http://127.0.0.1:{desk_port}/")
        for name, password in passwords.items():
            click.echo(f"               {name:<15} 密码 password: {password}")
    click.echo("The site rebuilds when the demo repository's main branch moves. Ctrl-C stops.\n")

    seen = head(repo)
    try:
        while not stop.wait(2.0):
            for name, process in processes.items():
                if process.poll() is not None:
                    click.echo(f"{name} exited ({process.returncode}); stopping.", err=True)
                    stop.set()
            now = head(repo)
            if now != seen:
                seen = now
                click.echo(f"main moved to {now[:8]}: rebuilding …")
                if site.build():
                    click.echo("Site rebuilt.")
    finally:
        click.echo("Stopping …")
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
