"""The adversarial corpus: hostile or broken input, each with the answer it must get, and
every record the pipeline writes from what is accepted passes ``yishi check``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image

from intake_support import (
    SVG,
    Clock,
    Suffixes,
    form,
    jpeg_with_gps,
    make_records_repo,
    png,
    png_bomb,
    serve_app,
)
from yishi.checks import run_checks
from yishi.council import load_council
from yishi.forges.local import LocalForge
from yishi.intake.abuse import RateLimit
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store
from yishi.intake.worker import Worker
from yishi.loading import load_repository


@dataclass
class Rig:
    base: str
    clock: Clock
    repo: Path
    store: Store
    client: httpx.Client

    def post(self, fields: dict[str, str], files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
             ) -> httpx.Response:
        token = self.client.get(f"{self.base}/api/token").json()["token"]
        self.clock.advance(5)
        return self.client.post(f"{self.base}/api/submissions", data={**fields, "token": token},
                                files=files, headers={"Accept": "application/json"})

    def post_raw(self, body: bytes) -> httpx.Response:
        token = self.client.get(f"{self.base}/api/token").json()["token"]
        self.clock.advance(5)
        return self.client.post(
            f"{self.base}/api/submissions", content=b"token=" + token.encode() + b"&" + body,
            headers={"Accept": "application/json",
                     "Content-Type": "application/x-www-form-urlencoded"})


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("adversarial")
    repo = make_records_repo(tmp / "records")
    clock = Clock()
    store = Store(tmp / "intake.sqlite3")
    settings = ServiceSettings(rate_limit=RateLimit(10_000, 60))
    app = create_app(store, load_council(repo), settings=settings, clock=clock, suffix=Suffixes())
    with serve_app(app) as base, httpx.Client(timeout=30) as client:
        yield Rig(base, clock, repo, store, client)


def publish(rig: Rig, issue_id: str) -> str:
    """Run the worker, approve the proposal, and return the record as merged into main."""
    forge = LocalForge(rig.repo)
    Worker(rig.store, forge, load_council(rig.repo), rig.clock).drain()
    forge.approve(issue_id)
    return (rig.repo / "content" / "issues" / f"{issue_id}.md").read_text(encoding="utf-8")


def assert_repository_checks(repo: Path) -> None:
    problems = run_checks(load_repository(repo))
    assert problems == [], "\n".join(map(str, problems))


# Accepted, and what must (not) appear in the published record.
ACCEPTED = [
    pytest.param(form(description="<script>alert('x')</script> 路灯坏了"),
                 ["&lt;script&gt;"], ["<script"], id="script-tag"),
    pytest.param(form(title="<img src=x onerror=alert(1)>"), [], [], id="html-in-title"),
    pytest.param(form(description="---\ntitle: hacked\nstatus: done\n---\n正文"),
                 ["\\---\ntitle: hacked"], ["\n---\ntitle"], id="front-matter-breaker"),
    pytest.param(form(title="'; status: done\n# x", name="a: b\n- c", location="{x: 1}"),
                 [], [], id="yaml-breakers"),
    pytest.param(form(description="{{ config.secret }} {% include 'x' %} {# c #}"),
                 ["&#123;&#123; config.secret &#125;&#125;", "&#123;% include"], ["{{", "{%", "{#"],
                 id="template-syntax"),
    pytest.param(form(description="[点我](javascript:alert(1)) ![x](http://evil/x.png) {: onclick=x}"),
                 ["\\[点我\\]"], ["[点我]"], id="markdown-link-and-attr-list"),
    pytest.param(form(description="正常\u202e文字\u2066倒序\u200b隐藏\x00\x07"),
                 ["正常文字倒序隐藏"], ["\u202e", "\u2066", "\u200b", "\x00"], id="bidi-and-controls"),
    pytest.param(form(title="../../etc/passwd", location="/etc/passwd", name="..\\..\\boot.ini"),
                 ["../../etc/passwd"], [], id="path-like-values"),
    pytest.param(form(title="e\u0301te\u0301"), ["\u00e9t\u00e9"], [], id="nfc"),
    pytest.param(form(description="a" * 5000, title="长" * 80), [], [], id="at-the-length-caps"),
]


@pytest.mark.parametrize(("fields", "present", "absent"), ACCEPTED)
def test_accepted_and_published_safely(rig: Rig, fields: dict[str, str], present: list[str],
                                       absent: list[str]) -> None:
    answer = rig.post(fields)
    assert answer.status_code == 202, answer.text
    issue_id = answer.json()["id"]
    record = publish(rig, issue_id)
    body = record.split("\n---\n", 1)[1]
    for text in present:
        assert text in record
    for text in absent:
        assert text not in body
    assert_repository_checks(rig.repo)
    # The id, and so the file name, never derives from what the resident typed.
    assert sorted(p.name for p in (rig.repo / "content" / "issues").iterdir())[-1] >= f"{issue_id}.md"


REFUSED = [
    pytest.param(form(title=""), {"title": "请填写此项。"}, id="empty-title"),
    pytest.param(form(title="   \u200b\u202e  "), {"title": "请填写此项。"}, id="invisible-title"),
    pytest.param(form(description=""), {"description": "请填写此项。"}, id="empty-description"),
    pytest.param(form(title="长" * 81), {"title": "内容过长,最多 80 个字。"}, id="huge-title"),
    pytest.param(form(description="长" * 5001), {"description": "内容过长,最多 5000 个字。"},
                 id="huge-description"),
    pytest.param(form(community="../../etc"), {"community": "请选择列表中的社区。"},
                 id="path-like-community"),
    pytest.param(form(community="atlantis"), {"community": "请选择列表中的社区。"},
                 id="unknown-community"),
    pytest.param(form(category="<script>"), {"category": "请选择列表中的类别。"},
                 id="unknown-category"),
    pytest.param(form(kind="joint"), {"cosigners": "请填写联名人数(1 至 10000 之间的整数)。"},
                 id="joint-without-cosigners"),
    pytest.param(form(kind="joint", cosigners="1e9"),
                 {"cosigners": "请填写联名人数(1 至 10000 之间的整数)。"}, id="cosigners-not-int"),
    pytest.param(form(kind="organization"), {"organization": "组织提案请填写组织名称。"},
                 id="organization-without-name"),
    pytest.param(form(kind="admin"), {"kind": "请选择提案类型:个人、联名或组织。"}, id="unknown-kind"),
    pytest.param(form(description="请打电话 13912345678"),
                 {"description": "这里似乎有手机号,提案会公开发布,请删去;联系方式请填在“联系方式”一栏(不公开)。"},
                 id="phone-in-public-text"),
    pytest.param(form(consent="no"), {"consent": "请勾选同意公开提案内容,否则无法提交。"}, id="no-consent"),
]


@pytest.mark.parametrize(("fields", "errors"), REFUSED)
def test_refused_with_chinese_errors(rig: Rig, fields: dict[str, str], errors: dict[str, str]) -> None:
    answer = rig.post(fields)
    assert answer.status_code == 422
    assert answer.json()["errors"] == errors


def test_invalid_utf8_is_refused(rig: Rig) -> None:
    answer = rig.post_raw(b"title=%FF%FEabc&description=x&community=shengye&category=ads&consent=yes")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"form": "提交的文字编码无效,请换用其他浏览器重试。"}


def test_invalid_utf8_in_multipart_is_refused(rig: Rig) -> None:
    token = rig.client.get(f"{rig.base}/api/token").json()["token"]
    rig.clock.advance(5)
    body = (b"--B\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + token.encode()
            + b"\r\n--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\xc3\x28\r\n--B--\r\n")
    answer = rig.client.post(f"{rig.base}/api/submissions", content=body, headers={
        "Accept": "application/json", "Content-Type": "multipart/form-data; boundary=B"})
    assert answer.status_code == 422 and "form" in answer.json()["errors"]


def test_not_a_form_is_refused(rig: Rig) -> None:
    answer = rig.client.post(f"{rig.base}/api/submissions", json={"title": "x"},
                             headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "form" in answer.json()["errors"]


def test_jpeg_gps_exif_is_stripped(rig: Rig) -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS
    answer = rig.post(form(title="带定位的照片"), files=[("photo", ("gps.jpg", original, "image/jpeg"))])
    assert answer.status_code == 202
    issue_id = answer.json()["id"]
    record = publish(rig, issue_id)
    assert f"photos/{issue_id}/1.jpg" in record
    published = (rig.repo / "content" / "photos" / issue_id / "1.jpg").read_bytes()
    image = Image.open(io.BytesIO(published))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif() and "exif" not in image.info
    assert b"SECRET-CAMERA-MODEL" not in published
    assert_repository_checks(rig.repo)


def test_png_is_reencoded_as_jpeg(rig: Rig) -> None:
    answer = rig.post(form(title="PNG 照片"), files=[("photo", ("x.png", png(), "image/png"))])
    assert answer.status_code == 202
    _, photos = rig.store.content(answer.json()["id"])
    assert Image.open(io.BytesIO(photos[0])).format == "JPEG"


@pytest.mark.parametrize(("name", "data", "message"), [
    pytest.param("logo.svg", SVG, "“logo.svg”不是支持的图片格式,请上传 JPEG、PNG 或 WebP 照片。", id="svg"),
    pytest.param("bomb.png", png_bomb(), "照片“bomb.png”尺寸过大,请缩小后再上传。", id="decompression-bomb"),
    pytest.param("big.png", png_bomb(8000, 6000), "照片“big.png”尺寸过大,请缩小后再上传。",
                 id="over-the-pixel-cap"),
    pytest.param("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "“fake.jpg”不是支持的图片格式,请上传 JPEG、PNG 或 WebP 照片。",
                 id="truncated-jpeg"),
    pytest.param("../../x.jpg", b"GIF89a....", "“x.jpg”不是支持的图片格式,请上传 JPEG、PNG 或 WebP 照片。",
                 id="path-like-filename"),
    pytest.param("huge.jpg", b"\xff" * (4 * 1024 * 1024 + 1), "照片“huge.jpg”太大,每张不超过 4 MB。",
                 id="over-4-mb"),
])
def test_bad_photos_are_refused(rig: Rig, name: str, data: bytes, message: str) -> None:
    answer = rig.post(form(title=f"照片 {name}"), files=[("photo", (name, data, "image/png"))])
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"photo": message}
