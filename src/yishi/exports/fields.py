"""What every field of the downloads means, in Chinese and English, for the /data/ page.

A test checks that every property of the generated JSON Schemas is documented here, so a new
record field cannot reach the downloads undocumented.
"""

from __future__ import annotations

Doc = tuple[str, str, str]  # (field, 中文, English)

ENVELOPE_FIELDS: list[Doc] = [
    ("generated_at", "生成时间(ISO 8601,带时区)", "When the file was built (ISO 8601 with offset)"),
    ("commit", "生成时记录仓库的 git 提交", "The git commit of the records the file was built from"),
    ("council", "议事会名称", "The council's name"),
    ("licence", "数据许可协议", "Licence of the data"),
    ("site_url", "网站地址(未设置时为 null,链接为相对路径)",
     "The site's URL (null when unset; links are then relative to the site root)"),
    ("history_complete", "是否取得了完整的 git 历史(浅克隆时为 false)",
     "Whether the full git history was available (false on a shallow clone)"),
    ("schema", "本文件的 JSON Schema 路径", "Path of this file's JSON Schema"),
    ("count", "记录条数", "Number of records"),
    ("issues", "提案列表(issues.json)", "The issues (issues.json)"),
    ("meetings", "议事会列表(meetings.json)", "The meetings (meetings.json)"),
]

HISTORY_FIELDS: list[Doc] = [
    ("source", "记录文件在仓库中的路径", "Path of the record file in the repository"),
    ("last_changed", "记录最后修改时间(git)", "When the record last changed (git)"),
    ("history_complete", "本记录的修改记录是否完整", "Whether this record's history is complete"),
    ("history", "修改记录:每次 git 提交的 commit、short、date、subject,最新在前",
     "Commits that changed the record (commit, short, date, subject), newest first"),
]

ISSUE_FIELDS: list[Doc] = [
    ("id", "提案编号:提交日期加随机后缀,永不改变", "Issue id: submission date plus a random suffix; never changes"),
    ("title", "标题", "Title"),
    ("community", "社区代码(见 council.yml)", "Community slug (see council.yml)"),
    ("grid", "网格", "Grid (网格)"),
    ("category", "类别代码", "Category slug"),
    ("kind", "提案类型:individual 个人、joint 联名、organization 组织",
     "Kind: individual, joint or organization"),
    ("cosigners", "联名人数(联名提案)", "Number of co-signers (joint proposals)"),
    ("organization", "提案组织(组织提案)", "Proposing organisation (organisation proposals)"),
    ("proposer", "公开署名,默认“居民”", "Public display name; 居民 (resident) by default"),
    ("submitted", "提交日期", "Date submitted"),
    ("channel", "提交渠道:web 网上、issue_form、mailbox 信箱、meeting 会上、grid_worker 网格员",
     "Channel: web, issue_form, mailbox, meeting, grid_worker"),
    ("location", "地点", "Location, where known"),
    ("status", "状态代码(见生命周期)", "Status code (see the lifecycle)"),
    ("screening", "筛选结果:日期、四项标准是否符合、引用的负面/鼓励清单条目、说明",
     "Screening: date, criteria met, negative/encouraged list item cited, note"),
    ("timeline", "办理进程:每次状态变化的日期、状态、说明、议事会编号(只追加)",
     "Timeline of status changes: date, status, note, meeting (append-only)"),
    ("actions", "落实事项:内容、责任方、期限、完成日期、进展", "Action items: what, responsible, due, done, progress"),
    ("outcome", "办理结果", "Outcome as reported"),
    ("feedback", "居民评价:满意、基本满意、不满意人数,其中来自在线评价的份数,评分,是否解决",
     "Residents' feedback: satisfied, basically satisfied, dissatisfied, how many from online "
     "ratings, rating, resolved"),
    ("related", "相关提案编号", "Ids of related issues"),
    ("merged_into", "并入的提案编号", "Id of the issue it was merged into"),
    ("escalated_to", "提级去向:层级与承办单位", "Where it was escalated: level and body"),
    ("photos", "照片文件", "Photo files"),
    ("description", "居民反映的内容(Markdown)", "The proposal's text (markdown)"),
    ("url", "提案页面永久链接", "Permalink of the issue's page"),
    ("status_label", "状态中文名", "Status in Chinese"),
    ("stage", "所处阶段:screening 筛选、deliberation 协商、action 实施、closed 结束",
     "Stage: screening, deliberation, action, closed"),
    ("open311_status", "Open311 状态:open 或 closed", "Open311 status: open or closed"),
    ("community_name", "社区名称", "Community name"),
    ("category_name", "类别名称", "Category name"),
    ("references", "解析后的关联:decision 决议(议事会、日期、链接、决议内容、表决)、agenda 议程记录、"
     "merged_into 并入的提案、merged_from 并入本提案的提案、related 相关提案",
     "Resolved cross-references: decision (meeting, date, link, text, vote), agenda items, "
     "merged_into, merged_from, related"),
    *HISTORY_FIELDS,
]

MEETING_FIELDS: list[Doc] = [
    ("id", "议事会编号,永不改变", "Meeting id; never changes"),
    ("title", "标题", "Title"),
    ("date", "日期", "Date"),
    ("time", "开始时间(HH:MM,议事会所在时区)", "Start time (HH:MM, the council's time zone)"),
    ("level", "层级代码:网格、社区、街道……", "Level slug: grid, community, street …"),
    ("community", "社区代码", "Community slug"),
    ("place", "地点", "Place"),
    ("convener", "召集人", "Convener"),
    ("supervisor", "监督人", "Supervisor"),
    ("parties", "参会各方:party 代码、count 人数、names 姓名", "Parties present: party slug, count, names"),
    ("attendance", "参会人数", "Attendance"),
    ("agenda", "议程:每项的提案编号、结果、决议、表决(赞成/反对/弃权/缺席、门槛)、落实事项、说明",
     "Agenda items: issue id, outcome, decision, vote (for/against/abstain/absent, threshold), "
     "actions, note"),
    ("minutes", "会议纪要(Markdown)", "Minutes (markdown)"),
    ("url", "议事会页面永久链接", "Permalink of the meeting's page"),
    ("level_name", "层级名称", "Level name"),
    ("community_name", "社区名称", "Community name"),
    ("references", "议程中各提案的标题、状态、链接和决议链接",
     "The agenda's issues resolved: title, status, link, decision link"),
    *HISTORY_FIELDS,
]

OPEN311_REQUEST_FIELDS: list[Doc] = [
    ("service_request_id", "提案编号", "The issue id"),
    ("status", "open 或 closed(已办结、未受理、未通过、已合并、已撤回为 closed)",
     "open or closed (done, rejected, not adopted, merged and withdrawn are closed)"),
    ("status_notes", "当前状态及说明", "Current status and its note"),
    ("service_name", "类别名称", "Category name"),
    ("service_code", "类别代码", "Category slug"),
    ("description", "居民反映的内容(最多 4000 字)", "The proposal's text (at most 4,000 characters)"),
    ("agency_responsible", "负责机构(提级后为承办单位)", "Responsible body (after escalation, the body that took it up)"),
    ("service_notice", "(未使用)", "(unused)"),
    ("requested_datetime", "提交时间", "When it was submitted"),
    ("updated_datetime", "最近状态变化时间", "When its status last changed"),
    ("expected_datetime", "(未使用)", "(unused)"),
    ("address", "地点", "Location, where known"),
    ("address_id", "(未使用)", "(unused)"),
    ("zipcode", "(未使用)", "(unused)"),
    ("lat", "(未使用,不公开坐标)", "(unused: no coordinates are published)"),
    ("long", "(未使用,不公开坐标)", "(unused: no coordinates are published)"),
    ("media_url", "(未使用)", "(unused)"),
]
