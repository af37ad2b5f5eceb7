"""Every message a resident reads from the intake, in Chinese, in one place."""

from __future__ import annotations

REQUIRED = "请填写此项。"
TOO_LONG = "内容过长,最多 {limit} 个字。"
NOT_A_CHOICE = "请从列表中选择。"
UNKNOWN_COMMUNITY = "请选择列表中的社区。"
UNKNOWN_CATEGORY = "请选择列表中的类别。"
UNKNOWN_KIND = "请选择提案类型:个人、联名或组织。"
COSIGNERS_NUMBER = "请填写联名人数(1 至 10000 之间的整数)。"
COSIGNERS_ONLY_JOINT = "只有联名提案需要填写联名人数。"
ORGANIZATION_REQUIRED = "组织提案请填写组织名称。"
CONSENT_REQUIRED = "请勾选同意公开提案内容,否则无法提交。"
PERSONAL_DATA = "这里似乎有{what},提案会公开发布,请删去;联系方式请填在“联系方式”一栏(不公开)。"
PERSONAL_DATA_KINDS = {"mobile": "手机号", "id_card": "身份证号", "email": "电子邮箱"}
NOTIFY_NEEDS_CONTACT = "选择“有进展时通知我”时,请填写联系方式(电子邮箱或手机号)。"
NOTIFY_CONTACT_KIND = "要接收进展通知,联系方式请填写电子邮箱或手机号。"
BAD_ENCODING = "提交的文字编码无效,请换用其他浏览器重试。"
BAD_FORM = "表单格式无效,请刷新页面后重新填写。"

TOKEN_MISSING = "表单已失效,请刷新页面后重新提交。"
TOKEN_INVALID = "表单已失效,请刷新页面后重新提交。"
TOKEN_EXPIRED = "表单已过期,请刷新页面后重新提交。"
TOKEN_USED = "此表单已经提交过了,如需再提一条提案,请刷新页面后重新填写。"
TOO_FAST = "提交太快了,请检查内容后稍等几秒再提交。"
HONEYPOT = "提交未通过校验,请刷新页面后重新提交。"

TOO_MANY_PHOTOS = "最多上传 {limit} 张照片。"
PHOTO_TOO_LARGE = "照片“{name}”太大,每张不超过 {limit_mb} MB。"
PHOTO_TOO_MANY_PIXELS = "照片“{name}”尺寸过大,请缩小后再上传。"
PHOTO_NOT_IMAGE = "“{name}”不是支持的图片格式,请上传 JPEG、PNG 或 WebP 照片。"

RATE_LIMITED = "提交次数过多,请 {minutes} 分钟后再试。"
BODY_TOO_LARGE = "提交内容过大(上限 12 MB),请减少或压缩照片后重试。"
LOOKUPS_LIMITED = "查询太频繁了,请稍等一分钟再查。"
NOT_FOUND = "没有找到这个回执编号,请核对后再查。"
BODY_TOO_SLOW = "上传中断或过慢,请检查网络后重新提交;您填写的内容没有丢失。"
BUSY = "提交的照片较多,系统正在处理,请稍等半分钟后再提交;您填写的内容没有丢失。"
STORE_UNAVAILABLE = "系统暂时无法保存提案,请稍后再试;您填写的内容没有丢失,可直接重新提交。"

#: Receipt statuses as residents read them.
STATUS_LABELS = {
    "queued": "已收到,正在登记",
    "pr_open": "已登记,等待审核",
    "published": "已公开发布",
    "declined": "未予登记",
    "failed_retrying": "已收到,登记稍有延迟,系统会自动重试",
}
