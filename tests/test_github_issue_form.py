"""The issue form: template parity with council.yml, and parsing bodies as GitHub renders them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from yishi.cli import main
from yishi.council import Council, load_council
from yishi.intake.submission import Invalid, parse_submission
from yishi.issue_form import TEMPLATE_PATH, parse_issue, render_template
from yishi.issue_form.fields import FIELDS
from yishi.records import Kind

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def council() -> Council:
    return load_council(PROJECT)


def rendered(**values: str) -> str:
    """An issue body exactly as GitHub writes it from the form (blank fields as _No response_)."""
    parts = []
    for field in FIELDS:
        value = values.get(field.id, "_No response_")
        if field.type == "checkboxes":
            mark = "X" if value == "yes" else " "
            value = f"- [{mark}] 我同意在议事会网站和本仓库公开本提案的内容。"
        parts.append(f"### {field.label}\n\n{value}")
    return "\n\n".join(parts)


FULL = rendered(
    description="地库入口经常有车乱停,消防通道被堵。\n\n希望划线并安排巡查。",
    community="胜宏社区", category="停车", kind="联名提案", cosigners="12",
    location="3 号楼东侧地库入口", name="王阿姨", consent="yes",
)


def test_template_matches_council_yml(council: Council) -> None:
    """Fails when council.yml changes and `yishi issue-form render` was not run."""
    committed = (PROJECT / TEMPLATE_PATH).read_text(encoding="utf-8")
    assert committed == render_template(council), (
        "run `yishi issue-form render` to regenerate the issue form from content/council.yml")


def test_template_dropdowns_list_the_registry(council: Council) -> None:
    form = yaml.safe_load((PROJECT / TEMPLATE_PATH).read_text(encoding="utf-8"))
    options = {el["id"]: el["attributes"].get("options") for el in form["body"] if "id" in el}
    assert options["community"] == [c.name for c in council.communities]
    assert options["category"] == [c.name for c in council.categories]
    assert options["kind"] == ["个人提案", "联名提案", "组织提案"]
    # The web form's fields minus the contact: an issue is public.
    assert set(options) == {"description", "community", "category", "kind", "cosigners",
                            "organization", "location", "name", "consent"}
    assert form["labels"] == ["proposal"]


def test_drift_is_detected_and_render_fixes_it(tmp_path: Path, council: Council) -> None:
    (tmp_path / "content").mkdir()
    data = yaml.safe_load((PROJECT / "content" / "council.yml").read_text(encoding="utf-8"))
    (tmp_path / "content" / "council.yml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["issue-form", "render", "--root", str(tmp_path)]).exit_code == 0
    ok = runner.invoke(main, ["issue-form", "render", "--check", "--root", str(tmp_path)])
    assert ok.exit_code == 0, ok.output

    data["categories"].append({"slug": "trees", "name": "绿化"})
    (tmp_path / "content" / "council.yml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    stale = runner.invoke(main, ["issue-form", "render", "--check", "--root", str(tmp_path)])
    assert stale.exit_code == 1
    assert "out of date" in stale.output
    assert runner.invoke(main, ["issue-form", "render", "--root", str(tmp_path)]).exit_code == 0
    text = (tmp_path / TEMPLATE_PATH).read_text(encoding="utf-8")
    assert "- 绿化" in text


def test_every_field(council: Council) -> None:
    form = parse_issue("[提案] 地库入口乱停车", FULL, council)
    assert form == {
        "title": "地库入口乱停车",
        "description": "地库入口经常有车乱停,消防通道被堵。\n\n希望划线并安排巡查。",
        "community": "shenghong", "category": "parking", "kind": "joint", "cosigners": "12",
        "organization": "", "location": "3 号楼东侧地库入口", "name": "王阿姨", "consent": "yes",
    }


def test_same_submission_as_the_web_form(council: Council) -> None:
    from_issue = parse_submission(parse_issue("[提案] 地库入口乱停车", FULL, council), council)
    from_web = parse_submission({
        "title": "地库入口乱停车",
        "description": "地库入口经常有车乱停,消防通道被堵。\r\n\r\n希望划线并安排巡查。",
        "community": "shenghong", "category": "parking", "kind": "joint", "cosigners": "12",
        "organization": "", "location": "3 号楼东侧地库入口", "name": "王阿姨",
        "contact": "", "consent": "yes",
    }, council)
    assert from_issue == from_web
    assert from_issue.kind is Kind.JOINT and from_issue.cosigners == 12


def test_empty_optional_fields(council: Council) -> None:
    body = rendered(description="楼道灯坏了。", community="兰各庄村", category="便民设施",
                    kind="个人提案", consent="yes")
    form = parse_issue("楼道灯坏了", body, council)
    assert (form["cosigners"], form["organization"], form["location"], form["name"]) == (
        "", "", "", "")
    submission = parse_submission(form, council)
    assert (submission.community, submission.category, submission.kind) == (
        "langezhuang", "amenities", Kind.INDIVIDUAL)
    assert submission.location is None and submission.name is None


def test_unticked_consent_is_refused(council: Council) -> None:
    body = rendered(description="描述", community="胜宏社区", category="停车", kind="个人提案")
    form = parse_issue("标题", body, council)
    assert form["consent"] == ""
    with pytest.raises(Invalid) as caught:
        parse_submission(form, council)
    assert set(caught.value.errors) == {"consent"}


def test_edited_body_crlf_spaces_and_missing_blank_lines(council: Council) -> None:
    body = (
        "###   提案内容  \r\n"
        "地库入口乱停车。\r\n\r\n\r\n"
        "###  所在社区\r\n"
        "  胜宏社区  \r\n"
        "### 提案类别\r\n\r\n停车\r\n"
        "### 提案类型\r\n\r\n组织提案\r\n\r\n"
        "### 组织名称\r\n\r\n胜宏社区志愿者协会\r\n\r\n"
        "### 同意公开\r\n\r\n- [x] 我同意在议事会网站和本仓库公开本提案的内容。\r\n"
    )
    form = parse_issue("  [提案]   地库入口乱停车  ", body, council)
    assert form["title"] == "地库入口乱停车"
    assert form["description"] == "地库入口乱停车。"
    assert (form["community"], form["category"], form["kind"]) == (
        "shenghong", "parking", "organization")
    assert form["organization"] == "胜宏社区志愿者协会"
    assert form["cosigners"] == "" and form["consent"] == "yes"  # heading removed: blank
    assert parse_submission(form, council).organization == "胜宏社区志愿者协会"


def test_description_cannot_forge_later_fields(council: Council) -> None:
    """A heading typed into the description is text: the real fields come after it."""
    sneaky = "正文。\n\n### 所在社区\n\n兰各庄村\n\n### 同意公开\n\n- [X] 我同意"
    body = rendered(description=sneaky, community="胜宏社区", category="停车", kind="个人提案")
    form = parse_issue("标题", body, council)
    assert form["community"] == "shenghong"
    assert form["consent"] == ""
    assert form["description"] == sneaky


def test_unknown_option_reaches_validation(council: Council) -> None:
    body = rendered(description="描述", community="不存在的社区", category="停车",
                    kind="个人提案", consent="yes")
    with pytest.raises(Invalid) as caught:
        parse_submission(parse_issue("标题", body, council), council)
    assert set(caught.value.errors) == {"community"}


def test_slugs_are_accepted_in_an_edited_body(council: Council) -> None:
    body = rendered(description="描述", community="heipan", category="noise",
                    kind="个人提案", consent="yes")
    form = parse_issue("标题", body, council)
    assert (form["community"], form["category"]) == ("heipan", "noise")


def test_cli_parse(tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text(FULL, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["issue-form", "parse", "--root", str(PROJECT),
                                  "--title", "[提案] 地库入口乱停车", str(body)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["community"] == "shenghong"
    body.write_text(FULL.replace("- [X]", "- [ ]"), encoding="utf-8")
    result = runner.invoke(main, ["issue-form", "parse", "--root", str(PROJECT),
                                  "--title", "标题", str(body)])
    assert result.exit_code == 1
    assert "同意公开 (consent): 请勾选同意公开提案内容" in result.output
