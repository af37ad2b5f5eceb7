"""What the intake says on the issue, in Chinese (with English for maintainers), in one place."""

from __future__ import annotations

OPENED = (
    "{marker}\n"
    "已收到并登记本提案,回执编号 `{issue_id}`。提案记录的拉取请求:{url}\n\n"
    "议事会审核合并后,提案会在网站上公开,本议题随之关闭。\n\n"
    "Registered as `{issue_id}`; pull request: {url}"
)
INVALID = (
    "本提案还不能登记,请修改议题内容:\n\n{errors}\n\n"
    "修改后,请维护者移除并重新添加 `accepted` 标签。\n\n"
    "This issue cannot be registered yet: edit it, then remove and re-add the `accepted` label."
)
NOT_A_MAINTAINER = (
    "只有本仓库的维护者(写权限)才能受理提案;`accepted` 标签未生效。\n\n"
    "Only maintainers with write access can accept a proposal: the `accepted` label "
    "added by @{login} (permission: {permission}) was ignored."
)
#: How the errors name the issue's title, which is not a field of the form's body.
TITLE_LABEL = "议题标题"
#: The issue changed after the maintainer labelled it: what they accepted is not what is there.
EDITED_AFTER_LABEL = (
    "议题在加上 `accepted` 标签之后被修改过(最后修改:{edited}),受理未生效:"
    "请维护者重新阅读议题,确认无误后移除并重新加上 `accepted` 标签。\n\n"
    "The issue was edited after it was labelled `accepted` (last change: {edited}), so what "
    "was accepted is not what it says now: a maintainer must read it again, then remove and "
    "re-add the label."
)
