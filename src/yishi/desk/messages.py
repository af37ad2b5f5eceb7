"""Every message a moderator reads on the desk, in Chinese, in one place."""

from __future__ import annotations

LOGIN_FAILED = "用户名或密码错误。"
LOCKED_OUT = ("登录失败次数过多,账号“{name}”已暂时锁定。请 {minutes} 分钟后再试,"
              "或请管理员用 `yishi desk user reset` 重设密码。")
CLIENT_LOCKED = "此设备登录失败次数过多,请 {minutes} 分钟后再试。"
CSRF_FAILED = "表单已失效(缺少或不匹配安全令牌),请返回、刷新页面后重新提交。"
APPROVERS_ONLY = "此页面只对审核人开放。"
NOT_FOUND = "没有找到这个页面或记录。"
BODY_TOO_LARGE = "提交的内容过大(上限 {limit_mb} MB)。"
LOGGED_OUT = "已退出登录。"
SESSION_ENDED = "登录已过期或已失效,请重新登录。"
#: Why a session ended, told only to the holder of its cookie (see ``session_ends``).
SESSION_ENDED_BECAUSE = {
    "expired": "登录已过期,请重新登录。",
    "logged_out": "你已在别处退出登录(同一账号的另一个窗口或设备),请重新登录。",
    "disabled": "账号已被停用,无法继续使用议事台。如有疑问请联系管理员。",
    "reset": "密码已被重设,请用新密码重新登录。",
}
SERVER_ERROR = "议事台出了点问题,操作没有完成。请稍后再试;如果一直这样,请联系管理员查看议事台日志。"

#: A change's operation (``ChangeSet.operation``) as the audit log names it.
CHANGE_OPERATIONS = {
    "screen": "筛查", "merge": "合并到已有议题", "withdraw": "撤回", "plan": "安排议事会",
    "replan": "调整议事会", "cancel": "取消议事会", "record": "记录议事会",
    "escalate": "上报", "follow_up": "跟进", "close": "结案", "feedback": "记录反馈",
    "import": "导入纸质提案",
}
#: Every action the audit log records (``AuditLog.record``), in Chinese; the raw word stays
#: beside it on the page for anyone searching logs.
AUDIT_ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录",
    "contact_view": "查看联系方式",
    "proposal_approve": "批准提案", "proposal_decline": "驳回提案",
    "approve": "批准变更", "approve_refused": "批准被拒(不能批准自己提出的变更)",
    "decline": "驳回变更", "merge_pull": "合并拉取请求",
    **{f"change_{op}": f"提交变更:{label}" for op, label in CHANGE_OPERATIONS.items()},
}
