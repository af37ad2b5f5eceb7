"""Deterministic synthetic councils: N issues and N/10 meetings in Chinese, for benchmarks
and scale tests.

The same seed always writes the same files. Statuses and categories follow realistic
proportions, and every repository passes ``yishi check``: timelines follow the lifecycle,
each status reached at a meeting names a meeting whose agenda item has the matching outcome,
votes agree with their thresholds. Front matter is written as text (strings as JSON, which
is valid YAML) because ``yaml.dump`` would dominate the time at 20,000 issues.

    python -m yishi.synthetic --issues 5000 --out var/synthetic-5000

Public and supported for councils' own tests and benchmarks: a council can measure what its
machine builds and serves at the size it expects before the records grow that large.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click

from .git import run as run_git
from .ids import ALPHABET, SUFFIX_LENGTH
from .lifecycle import Status

#: Last day of the synthetic record: nothing is decided after it, upcoming meetings follow it.
TODAY = date(2025, 6, 30)
#: Issues a council of this kind receives in a year (回天 handles thousands).
ISSUES_PER_YEAR = 2000
#: Communities of the largest council in the seeds (回天地区, 129 社区村).
MAX_COMMUNITIES = 129

# The vocabularies of the demo council; categories carry their share of proposals.
LEVELS = [("grid", "网格"), ("community", "社区"), ("street", "街道"), ("town", "镇"), ("district", "区")]
PARTIES = [
    ("party_branch", "党支部"), ("residents_committee", "居委会"), ("village_committee", "村两委"),
    ("owners_committee", "业委会"), ("property", "物业公司"), ("resident_reps", "居民代表"),
    ("building_heads", "楼门长"), ("grid_workers", "网格员"), ("merchants", "商户"),
    ("villagers", "村民"), ("social_orgs", "社会组织"), ("volunteers", "志愿者"),
    ("experts", "专家"), ("government", "街镇职能部门"), ("supervisors", "监督委员会"),
]
CATEGORIES: list[tuple[str, str, int]] = [
    ("parking", "停车", 16), ("clutter", "堆物堆料", 10), ("ads", "小广告", 7),
    ("waste", "垃圾分类", 11), ("fire-safety", "消防安全", 6), ("renovation", "环境改造", 12),
    ("culture", "文化活动", 5), ("dogs", "养犬", 6), ("elevators", "电梯", 7),
    ("noise", "噪音", 6), ("amenities", "便民设施", 7), ("business", "商户治理", 3),
    ("repairs", "房屋维修", 4),
]
CRITERIA = [
    ("public", "公共性", "关系多数居民的共同利益,而非个人或少数人的私事。"),
    ("legal", "合法性", "符合法律法规和政策,不违背公序良俗。"),
    ("urgent", "迫切性", "居民反映强烈、亟待解决。"),
    ("feasible", "可行性", "社区有能力、有资源在合理时间内推动解决。"),
]
ENCOURAGED = [
    "小区公共空间微改造(座椅、凉亭、花坛、照明等)", "楼道、公共区域环境整治(小广告、堆物堆料)",
    "垃圾分类与垃圾房改造", "消防与公共安全隐患治理", "邻里公约与文明养犬、噪音治理",
    "便民服务设施(食堂、充电、快递、休息)",
]
NEGATIVE = [
    "个人或家庭私事、私人纠纷", "违反法律法规或政策的事项", "已进入司法程序或行政复议的事项",
    "涉及商业经营个人利益的诉求", "属于政府部门法定职责、应通过12345等渠道办理的事项",
    "宗教、民族等敏感事项", "超出社区范围、社区无能力协调的事项",
]

# Community names are composed like 回天's: a place name and a kind of estate.
PLACE_NAMES = [
    ("longze", "龙泽"), ("tiantong", "天通"), ("rongze", "融泽"), ("liuxing", "流星"),
    ("yunqu", "云趣"), ("jinyu", "金域"), ("fengya", "风雅"), ("baijia", "佰嘉"),
    ("xinkang", "新康"), ("shengye", "盛业"), ("shenghong", "胜宏"), ("jinsui", "金穗"),
    ("hepan", "河畔"), ("tongda", "通达"), ("wangdu", "望都"), ("lingxiu", "领秀"),
    ("hexie", "和谐"), ("dongcun", "东村"), ("beidian", "北店"), ("huoying", "霍营"),
    ("longjin", "龙锦"), ("longteng", "龙腾"), ("yuxin", "玉昕"), ("lixiang", "力鸿"),
]
ESTATE_KINDS = [
    ("yuan", "苑社区"), ("jiayuan", "家园社区"), ("huayuan", "花园社区"), ("xiaoqu", "小区"),
    ("beiyi", "北一区社区"), ("dongsan", "东三区社区"), ("cun", "村"),
]
GRIDS = ["一网格", "二网格", "三网格", "东区网格", "西区网格", "南区网格", "北区网格"]

# Proposal text by category: where, what is wrong, what residents ask.
PLACES = [
    "{n}号楼", "{n}号楼{u}单元", "小区南门", "小区北门", "东侧围墙边", "地下车库入口",
    "中心花园", "幼儿园门口", "菜市场旁", "社区卫生站门前", "{n}号楼与{m}号楼之间的通道",
]
PROBLEMS: dict[str, list[str]] = {
    "parking": ["车辆乱停乱放,消防通道经常被堵", "晚高峰一位难求,车辆停到绿地上",
                "僵尸车长期占用车位", "外来车辆随意进出,占用居民车位"],
    "clutter": ["楼道里堆满了纸箱和旧家具", "自行车和杂物堵住了安全出口",
                "有住户在楼道里存放电动车电瓶", "公共区域被私自圈占堆放建材"],
    "ads": ["楼道小广告层层叠叠,清理后很快又贴满", "单元门和电梯里贴满开锁、通下水道的小广告",
            "墙面被喷涂了办证小广告", "小广告贴到了消防栓上"],
    "waste": ["垃圾房周边异味很重,夏天招蚊蝇", "垃圾清运不及时,桶满了溢出来",
              "分类垃圾桶数量不够,居民只好混投", "大件垃圾长期无人清运"],
    "fire-safety": ["电动车在楼道里充电,存在火灾隐患", "消防通道被占用,消防车进不来",
                    "楼道灭火器过期无人更换", "飞线充电现象屡禁不止"],
    "renovation": ["小区路面坑洼不平,老人容易摔倒", "路灯损坏多时,晚上出行不安全",
                   "中心花园荒废,缺少休息座椅", "雨水管道堵塞,一下雨就积水"],
    "culture": ["社区缺少适合老年人的文体活动", "孩子放学后没有活动场地",
                "邻里之间互不认识,缺少交流机会", "社区活动室长期闲置"],
    "dogs": ["遛狗不拴绳,孩子们很害怕", "草坪上到处是狗粪无人清理",
             "夜里犬吠扰民,影响休息", "大型犬在小区内随意奔跑"],
    "elevators": ["老楼没有电梯,老人上下楼困难", "电梯经常故障,多次困人",
                  "加装电梯各楼层意见不一", "电梯维保不到位,运行噪音大"],
    "noise": ["广场舞音响声音太大,影响休息", "夜间施工噪音扰民",
              "底商空调外机噪音大", "清晨装卸货物声音吵闹"],
    "amenities": ["小区周边缺少便民早餐点", "快递柜不够用,包裹堆在门口",
                  "缺少电动自行车集中充电桩", "老年人吃饭难,希望开办社区食堂"],
    "business": ["商户占道经营,店外摆摊影响通行", "门前三包落实不到位,卫生脏乱",
                 "烧烤店油烟扰民", "商业街门头牌匾杂乱"],
    "repairs": ["楼顶防水层老化,顶楼漏雨", "外墙保温层脱落,有安全隐患",
                "单元门门禁损坏多时", "楼道墙皮大面积脱落"],
}
#: REQUESTS[category][i] answers PROBLEMS[category][i].
REQUESTS: dict[str, list[str]] = {
    "parking": ["希望施划停车线并清理消防通道", "希望重新规划停车位", "希望清理僵尸车",
                "建议安装道闸,外来车辆登记进出"],
    "clutter": ["希望组织集中清理", "希望清理安全出口的杂物", "希望物业劝导住户移走电瓶",
                "希望恢复公共区域"],
    "ads": ["希望志愿者定期巡查清理", "建议设置便民信息栏", "希望粉刷墙面并集中清理",
            "希望集中清理小广告"],
    "waste": ["建议改造垃圾房", "希望增加垃圾清运次数", "希望增设分类垃圾桶",
              "希望定期清运大件垃圾"],
    "fire-safety": ["希望增设集中充电桩", "建议清理消防通道", "希望更换过期灭火器",
                    "希望建设电动自行车充电棚"],
    "renovation": ["希望修补路面", "希望维修路灯", "建议增设休息座椅和凉亭", "希望疏通雨水管道"],
    "culture": ["希望组织老年文体活动", "希望开设四点半课堂", "希望组织邻里节活动",
                "建议开放社区活动室"],
    "dogs": ["希望开展文明养犬宣传", "建议设置宠物便便箱", "希望制定文明养犬公约",
             "希望划定遛狗区域"],
    "elevators": ["希望推动加装电梯", "建议更换维保单位", "希望召开加装电梯协商会",
                  "希望督促维保单位检修"],
    "noise": ["希望协商广场舞时间和音量", "建议限定施工时间", "希望商户调整外机位置",
              "希望调整装卸时间"],
    "amenities": ["希望引进便民早餐车", "建议增设快递柜", "希望增设充电桩", "希望开办社区食堂"],
    "business": ["希望规范商户经营", "希望落实门前三包责任", "希望加装油烟净化设备",
                 "建议统一更换门头牌匾"],
    "repairs": ["希望使用维修资金修缮", "建议尽快排查安全隐患", "希望维修单元门禁",
                "希望粉刷楼道"],
}
DETAILS = [
    "这个问题已经存在很长时间了,居民多次向物业反映,一直没有得到解决。",
    "家里有老人和孩子,每天进出都很不方便,大家心里也不舒坦。",
    "不少邻居在业主群里讨论过,都希望社区能出面协调。",
    "周末和晚上情况尤其严重,影响了大家的正常生活。",
    "我们楼的楼门长也向网格员反映过,希望议事会能拿出办法。",
    "希望各方坐下来好好商量,找到大家都能接受的方案。",
    "如果需要居民出力,我们愿意参加志愿服务。",
    "附近几个小区已经解决了类似问题,可以借鉴他们的做法。",
]
MINUTES = [
    "居民代表在会上提出:“要来一次全民行动,党员、楼门长、居民都要参与进来。”",
    "物业代表介绍了前期整改情况,居民代表提出了补充意见。",
    "专家就方案的可行性和经费来源作了说明,各方达成共识。",
    "会后由居委会将议事结果在公示栏和业主群公示,接受居民监督。",
]
DECISIONS = [
    "由物业牵头,{days}日内完成{request};楼门长负责日常巡查,居委会每月通报进展。",
    "同意{request},所需经费由社区公益金列支,业委会全程监督。",
    "组织党员、楼门长和志愿者集中行动,{request};此后纳入网格员日常巡查。",
    "原则同意{request},由居委会牵头制定方案,下次议事会通报。",
]
OUTCOMES = [
    "问题已解决,居民反映良好。", "已按决议完成整改,楼门长持续巡查。",
    "工程已完工验收,居民满意度调查已完成。", "相关设施已投入使用,运行情况良好。",
]
ACTIONS = [
    ("property", "物业完成整改"), ("residents_committee", "居委会制定实施方案"),
    ("volunteers", "志愿者集中清理"), ("building_heads", "楼门长日常巡查"),
    ("owners_committee", "业委会监督经费使用"), ("grid_workers", "网格员跟踪回访"),
    ("government", "街镇职能部门协调落实"),
]
ORGANIZATIONS = ["社区志愿者协会", "社区老年协会", "业主委员会", "社区妇女之家", "邻里互助会"]
PLACES_OF_MEETING = ["{c}议事厅", "{c}党群服务中心", "{c}活动室", "街道党群服务中心", "小区凉亭"]
CONVENERS = {"grid": "网格党支部", "community": "社区党委", "street": "街道工委"}

# Final statuses and their share of the record; a proposal that cannot yet have gone as far
# (its meeting would be after TODAY) stops earlier on its path.
STATUS_WEIGHTS: list[tuple[Status, int]] = [
    (Status.RECEIVED, 6), (Status.ACCEPTED, 4), (Status.REJECTED, 12), (Status.MERGED, 3),
    (Status.WITHDRAWN, 2), (Status.SCHEDULED, 3), (Status.DEFERRED, 3),
    (Status.NOT_ADOPTED, 4), (Status.ESCALATED, 4), (Status.DECIDED, 6),
    (Status.IN_PROGRESS, 12), (Status.DONE, 41),
]
CHANNELS = [("web", 40), ("mailbox", 20), ("meeting", 10), ("grid_worker", 25), ("issue_form", 5)]


def _q(text: str) -> str:
    """A YAML scalar for any string: JSON's double-quoted form is valid YAML."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class _Meeting:
    id: str
    day: date
    level: str
    community: str | None
    agenda: list[str] = field(default_factory=list)  # YAML of each agenda item


@dataclass
class SyntheticSummary:
    """What :func:`write_synthetic_repository` wrote."""

    root: Path
    issues: int
    meetings: int
    communities: int
    statuses: Counter[str]


class _Generator:
    """Composes one council's records from a seeded random source."""

    def __init__(self, issues: int, seed: int, communities: int) -> None:
        self.rng = random.Random(seed)
        self.n = issues
        self.used_ids: set[str] = set()
        self.communities = self._communities(communities)
        years = max(1, math.ceil(issues / ISSUES_PER_YEAR))
        self.start = TODAY - timedelta(days=365 * years)
        self.meetings = self._meetings(max(1, issues // 10))
        self.meeting_days = [m.day for m in self.meetings]
        self.issue_ids: list[str] = []
        self.statuses: Counter[str] = Counter()
        self.categories = [c[0] for c in CATEGORIES]
        self.category_weights = [c[2] for c in CATEGORIES]
        self.status_values = [s for s, _ in STATUS_WEIGHTS]
        self.status_weights = [w for _, w in STATUS_WEIGHTS]

    # -- ids and vocabularies ------------------------------------------------------------
    def new_id(self, day: date) -> str:
        while True:
            suffix = "".join(self.rng.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))
            record_id = f"{day:%Y}-{day:%m%d}-{suffix}"
            if record_id not in self.used_ids:
                self.used_ids.add(record_id)
                return record_id

    def _communities(self, count: int) -> list[tuple[str, str, list[str]]]:
        combos = [(p, e) for p in PLACE_NAMES for e in ESTATE_KINDS]
        self.rng.shuffle(combos)
        out = []
        for i in range(count):
            (pslug, pname), (eslug, ename) = combos[i % len(combos)]
            lap = i // len(combos)
            slug = f"{pslug}-{eslug}" + (f"-{lap + 1}" if lap else "")
            name = f"{pname}{ename}" if not lap else f"{pname}{'二三四五六七八九'[lap - 1]}{ename}"
            grids = self.rng.sample(GRIDS, self.rng.randint(0, 3))
            out.append((slug, name, grids))
        return out

    def _meetings(self, count: int) -> list[_Meeting]:
        # Held meetings are spread evenly (with a few days' jitter) so every stretch of the
        # record has one; a few are upcoming (after TODAY): scheduled proposals wait for them.
        upcoming = count // 40
        held = count - upcoming
        span = (TODAY - self.start).days
        days = sorted(
            [min(TODAY, self.start + timedelta(days=(i + 1) * span // held - self.rng.randint(0, 6)))
             for i in range(held)]
            + [TODAY + timedelta(days=self.rng.randint(1, 45)) for _ in range(upcoming)]
        )
        meetings = []
        for day in days:
            level = self.rng.choices(["community", "grid", "street"], [70, 20, 10])[0]
            community = None if level == "street" else self.rng.choice(self.communities)[0]
            meetings.append(_Meeting(self.new_id(day), day, level, community))
        return meetings

    def meeting_after(self, day: date) -> _Meeting | None:
        """One of the next few meetings held on or after ``day`` (and by TODAY)."""
        i = bisect.bisect_left(self.meeting_days, day)
        candidates = [m for m in self.meetings[i:i + 4] if m.day <= TODAY]
        return self.rng.choice(candidates) if candidates else None

    def upcoming_meeting(self) -> _Meeting | None:
        """Any meeting after TODAY: the backlog of accepted proposals goes on its agenda."""
        upcoming = self.meetings[bisect.bisect_right(self.meeting_days, TODAY):]
        return self.rng.choice(upcoming) if upcoming else None

    # -- text ------------------------------------------------------------------------
    def place(self) -> str:
        return self.rng.choice(PLACES).format(
            n=self.rng.randint(1, 40), m=self.rng.randint(1, 40), u=self.rng.randint(1, 6))

    def body(self, category: str, place: str, problem: str, request: str) -> str:
        rng = self.rng
        paragraphs = [f"{place}{problem}。{rng.choice(DETAILS)}"]
        paragraphs += [rng.choice(DETAILS) + rng.choice(DETAILS) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.3:
            paragraphs.append("具体建议:\n\n" + "\n".join(
                f"- {r}" for r in rng.sample(REQUESTS[category], 2)))
        paragraphs.append(f"{request},谢谢!")
        return "\n\n".join(paragraphs)

    # -- issues ----------------------------------------------------------------------
    def issue(self, index: int) -> tuple[str, str]:
        rng = self.rng
        # Submissions spread evenly over the years, so ids sort roughly by date.
        span = (TODAY - self.start).days
        submitted = self.start + timedelta(days=(index * span) // self.n + rng.randint(0, 2))
        submitted = min(submitted, TODAY)
        issue_id = self.new_id(submitted)
        category = rng.choices(self.categories, self.category_weights)[0]
        slug, cname, grids = rng.choice(self.communities)
        place = self.place()
        which = rng.randrange(len(PROBLEMS[category]))
        problem, request = PROBLEMS[category][which], REQUESTS[category][which]
        title = f"{place}{problem.split(',')[0]},{request}"[:80]
        target = rng.choices(self.status_values, self.status_weights)[0]
        lines = [
            "---", f"id: {issue_id}", f"title: {_q(title)}", f"community: {slug}",
        ]
        if grids:
            lines.append(f"grid: {_q(rng.choice(grids))}")
        lines.append(f"category: {category}")
        kind = rng.choices(["individual", "joint", "organization"], [70, 20, 10])[0]
        lines.append(f"kind: {kind}")
        if kind == "joint":
            lines.append(f"cosigners: {rng.randint(2, 60)}")
        elif kind == "organization":
            lines.append(f"organization: {_q(cname + rng.choice(ORGANIZATIONS))}")
        if rng.random() < 0.2:
            lines.append(f"proposer: {_q(rng.choice('王李张刘陈杨赵黄周吴') + rng.choice(['女士', '先生', '阿姨', '大爷']))}")
        lines.append(f"submitted: {submitted.isoformat()}")
        lines.append(f"channel: {rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]}")
        lines.append(f"location: {_q(cname.removesuffix('社区') + place)}")
        fm, status = self.path(issue_id, submitted, target, category, request)
        lines.append(f"status: {status.value}")
        lines += fm
        if self.issue_ids and rng.random() < 0.05:
            lines.append(f"related: [{rng.choice(self.issue_ids[-300:])}]")
        lines.append("---")
        self.issue_ids.append(issue_id)
        self.statuses[status.value] += 1
        return issue_id, "\n".join(lines) + "\n" + self.body(category, place, problem, request) + "\n"

    def path(
        self, issue_id: str, submitted: date, target: Status, category: str, request: str
    ) -> tuple[list[str], Status]:
        """Front-matter lines from ``screening`` on, and the status actually reached."""
        rng = self.rng
        timeline = [f"  - {{ date: {submitted}, status: received }}"]
        fm: list[str] = []
        extra: list[str] = []
        screened = submitted + timedelta(days=rng.choice([1, 2, 3, 5, 7, 10, 14, 20, 30]))
        if target is Status.RECEIVED or screened > TODAY:
            return ["timeline:", *timeline], Status.RECEIVED
        S = Status
        if target in (S.REJECTED, S.WITHDRAWN) or (target is S.MERGED and not self.issue_ids):
            if target is S.WITHDRAWN:
                timeline.append(f"  - {{ date: {screened}, status: withdrawn, note: {_q('提案人表示问题已自行协调解决,申请撤回')} }}")
                return ["timeline:", *timeline], S.WITHDRAWN
            if rng.random() < 0.5:
                item = rng.randint(1, len(NEGATIVE))
                fm += ["screening:", f"  date: {screened}", f"  negative_item: {item}",
                       f"  note: {_q('属于负面清单第 ' + str(item) + ' 项:' + NEGATIVE[item - 1] + '。')}"]
            else:
                fm += ["screening:", f"  date: {screened}",
                       "  criteria: { public: false, legal: true, urgent: true, feasible: true }",
                       "  note: 属于个别住户诉求,建议通过物业服务渠道解决。"]
            timeline.append(f"  - {{ date: {screened}, status: rejected, note: {_q('已向提案人说明理由')} }}")
            return [*fm, "timeline:", *timeline], S.REJECTED
        if target is S.MERGED:
            other = rng.choice(self.issue_ids[-200:])
            timeline.append(f"  - {{ date: {screened}, status: merged, note: {_q('与已有提案内容相同')} }}")
            return ["timeline:", *timeline, f"merged_into: {other}"], S.MERGED
        fm += ["screening:", f"  date: {screened}",
               "  criteria: { public: true, legal: true, urgent: true, feasible: true }"]
        if rng.random() < 0.4:
            fm.append(f"  encouraged_item: {rng.randint(1, len(ENCOURAGED))}")
        timeline.append(f"  - {{ date: {screened}, status: accepted }}")
        if target is S.ACCEPTED:
            return [*fm, "timeline:", *timeline], S.ACCEPTED
        meeting = (self.upcoming_meeting() if target is S.SCHEDULED
                   else self.meeting_after(screened + timedelta(days=3)))
        if meeting is None:
            return [*fm, "timeline:", *timeline], S.ACCEPTED
        timeline.append(f"  - {{ date: {screened}, status: scheduled, meeting: {meeting.id} }}")
        if target is S.SCHEDULED:
            meeting.agenda.append(
                f"  - {{ issue: {issue_id}, note: {_q('列入议程,待会议协商')} }}")
            return [*fm, "timeline:", *timeline], S.SCHEDULED
        if target is S.DEFERRED:
            meeting.agenda.append(
                f"  - {{ issue: {issue_id}, outcome: deferred, note: {_q('各方意见分歧较大,待进一步调研后再议')} }}")
            timeline.append(f"  - {{ date: {meeting.day}, status: deferred, meeting: {meeting.id} }}")
            return [*fm, "timeline:", *timeline], S.DEFERRED
        if target is S.NOT_ADOPTED:
            meeting.agenda.append(
                f"  - issue: {issue_id}\n    outcome: not_adopted\n    note: 多数居民代表不同意该方案\n"
                + self.vote(passed=False))
            timeline.append(f"  - {{ date: {meeting.day}, status: not_adopted, meeting: {meeting.id} }}")
            return [*fm, "timeline:", *timeline], S.NOT_ADOPTED
        if target is S.ESCALATED or (target is S.DONE and rng.random() < 0.08):
            meeting.agenda.append(
                f"  - {{ issue: {issue_id}, outcome: escalated, note: {_q('超出社区协调能力,提交街道协商')} }}")
            timeline.append(f"  - {{ date: {meeting.day}, status: escalated, meeting: {meeting.id} }}")
            extra.append("escalated_to: { level: street, body: 街道城市管理办公室 }")
            later = meeting.day + timedelta(days=rng.randint(20, 120))
            if target is S.ESCALATED or later > TODAY:
                return [*fm, "timeline:", *timeline, *extra], S.ESCALATED
            timeline.append(f"  - {{ date: {later}, status: done, note: {_q('经街道协调已解决')} }}")
            return [*fm, "timeline:", *timeline, *extra,
                    f"outcome: {_q(rng.choice(OUTCOMES))}"], S.DONE
        # Decided, then perhaps carried out: the decision and its actions live in the meeting.
        decision = rng.choice(DECISIONS).format(days=rng.choice([7, 15, 30]), request=request.removeprefix("希望").removeprefix("建议"))
        decided = [f"  - issue: {issue_id}", "    outcome: decided", f"    decision: {_q(decision)}"]
        if rng.random() < 0.7:
            decided.append(self.vote(passed=True))
        actions = rng.sample(ACTIONS, rng.randint(1, 3))
        decided.append("    actions:")
        for party, what in actions:
            due = meeting.day + timedelta(days=rng.choice([7, 15, 30, 60]))
            decided.append(f"      - {{ what: {what}, responsible: {party}, due: {due} }}")
        meeting.agenda.append("\n".join(decided))
        timeline.append(f"  - {{ date: {meeting.day}, status: decided, meeting: {meeting.id} }}")
        if target is S.DECIDED:
            return [*fm, "timeline:", *timeline], S.DECIDED
        started = meeting.day + timedelta(days=rng.randint(1, 10))
        if started > TODAY:
            return [*fm, "timeline:", *timeline], S.DECIDED
        timeline.append(f"  - {{ date: {started}, status: in_progress }}")
        party, what = actions[0]
        extra += ["actions:", f"  - what: {what}", f"    responsible: {party}",
                  f"    progress: {_q(rng.choice(['已完成过半', '方案已确定,正在施工', '已进场施工']))}"]
        finished = started + timedelta(days=rng.randint(5, 90))
        if target is S.IN_PROGRESS or finished > TODAY:
            return [*fm, "timeline:", *timeline, *extra], S.IN_PROGRESS
        timeline.append(f"  - {{ date: {finished}, status: done }}")
        extra.append(f"outcome: {_q(rng.choice(OUTCOMES))}")
        if rng.random() < 0.6:
            total = rng.randint(5, 80)
            dissatisfied = rng.randint(0, total // 6)
            basic = rng.randint(0, (total - dissatisfied) // 3)
            extra += ["feedback:", f"  date: {finished + timedelta(days=rng.randint(3, 20))}",
                      f"  satisfied: {total - dissatisfied - basic}",
                      f"  basically_satisfied: {basic}", f"  dissatisfied: {dissatisfied}",
                      f"  resolved: {'true' if rng.random() < 0.85 else 'false'}"]
        return [*fm, "timeline:", *timeline, *extra], S.DONE

    def vote(self, passed: bool) -> str:
        rng = self.rng
        eligible = rng.randint(9, 45)
        threshold = rng.choice([0.5, 0.67])
        need = math.ceil(threshold * eligible)
        yes = rng.randint(need, eligible) if passed else rng.randint(0, need - 1)
        no = rng.randint(0, eligible - yes)
        abstain = rng.randint(0, eligible - yes - no)
        result = "pass" if passed else "fail"
        return (f"    vote: {{ for: {yes}, against: {no}, abstain: {abstain}, "
                f"eligible: {eligible}, threshold: {threshold}, result: {result} }}")

    # -- meetings and council ----------------------------------------------------------
    def meeting_text(self, meeting: _Meeting) -> str:
        rng = self.rng
        names = {slug: name for slug, name, _ in self.communities}
        where = names[meeting.community] if meeting.community else "示范街道"
        topic = rng.choice(["月度", "专题", "停车治理", "环境整治", "民生实事", "加装电梯"])
        title = f"{where}{topic}协商议事会"
        parties = rng.sample(PARTIES[:8] + PARTIES[10:], rng.randint(2, 5))
        counts = [rng.randint(1, 9) for _ in parties]
        lines = [
            "---", f"id: {meeting.id}", f"title: {_q(title)}", f"date: {meeting.day}",
            f'time: "{rng.choice(["09:30", "14:30", "19:00", "19:30"])}"',
            f"level: {meeting.level}",
        ]
        if meeting.community:
            lines.append(f"community: {meeting.community}")
        lines += [
            f"place: {_q(rng.choice(PLACES_OF_MEETING).format(c=where))}",
            f"convener: {CONVENERS[meeting.level]}", "supervisor: 社区监督委员会主任", "parties:",
            *(f"  - {{ party: {slug}, count: {n} }}" for (slug, _), n in zip(parties, counts, strict=True)),
            f"attendance: {sum(counts)}",
        ]
        if meeting.agenda:
            lines += ["agenda:", *meeting.agenda]
        lines.append("---")
        minutes = [
            f"会议由{CONVENERS[meeting.level]}主持,{len(parties)}方代表共 {sum(counts)} 人参加,监督委员会全程监督。",
            f"会议共审议议题 {len(meeting.agenda)} 项。与会各方轮流发言,充分表达意见后形成结论。",
            rng.choice(MINUTES),
        ]
        return "\n".join(lines) + "\n" + "\n\n".join(minutes) + "\n"

    def council_yaml(self) -> str:
        out = [
            "# A synthetic council for benchmarks and scale tests (yishi.synthetic).",
            "name: 示范街道居民议事协商委员会", "short_name: 示范议事会", "level: street",
            "region: 示范街道", "description: 合成数据:用于性能测试的虚构议事会。",
            "licence: CC BY 4.0", 'timezone: "+08:00"', "levels:",
            *(f"  - {{ slug: {s}, name: {n} }}" for s, n in LEVELS), "communities:",
        ]
        for slug, name, grids in self.communities:
            out += [f"  - slug: {slug}", f"    name: {name}",
                    f"    grids: [{', '.join(grids)}]"]
        out += ["parties:", *(f"  - {{ slug: {s}, name: {n} }}" for s, n in PARTIES)]
        out += ["categories:", *(f"  - {{ slug: {s}, name: {n} }}" for s, n, _ in CATEGORIES)]
        out += ["criteria:", *(f"  - {{ slug: {s}, name: {n}, description: {_q(d)} }}" for s, n, d in CRITERIA)]
        out += ["encouraged:", *(f"  - {{ number: {i}, text: {_q(t)} }}" for i, t in enumerate(ENCOURAGED, 1))]
        out += ["negative:", *(f"  - {{ number: {i}, text: {_q(t)} }}" for i, t in enumerate(NEGATIVE, 1))]
        out += ["metrics:", "  screening_days: 15", "  count_basically_satisfied: true"]
        return "\n".join(out) + "\n"


#: The smallest configuration a Yishi site needs, used when no other is given. It is not a
#: copy of the project's ``mkdocs.yml`` (copies drift): pass that file as ``mkdocs_yml`` for a
#: like-for-like build, as the benchmarks do.
DEFAULT_MKDOCS_YML = """\
site_name: 合成议事会
docs_dir: content
site_dir: site
theme:
  name: material
  language: zh
  font: false
plugins:
  - yishi
"""


def default_communities(issues: int) -> int:
    """Communities for a council of this size: 回天's 129 from about a thousand issues up."""
    return min(MAX_COMMUNITIES, max(3, issues // 8))


def write_synthetic_repository(
    root: Path | str,
    issues: int,
    seed: int = 0,
    *,
    communities: int | None = None,
    mkdocs_yml: Path | str | None = None,
    git: bool = False,
) -> SyntheticSummary:
    """Write a council, ``issues`` issues and ``issues // 10`` meetings under ``root``.

    ``mkdocs_yml`` is copied as the site configuration (default: :data:`DEFAULT_MKDOCS_YML`).
    With ``git`` the folder becomes a git repository with one commit, as CI sees it.
    """
    if issues < 1:
        raise ValueError("issues must be at least 1")
    root = Path(root)
    gen = _Generator(issues, seed, communities or default_communities(issues))
    content = root / "content"
    (content / "issues").mkdir(parents=True, exist_ok=True)
    (content / "meetings").mkdir(parents=True, exist_ok=True)
    (content / "council.yml").write_text(gen.council_yaml(), encoding="utf-8")
    for index in range(issues):
        issue_id, text = gen.issue(index)
        (content / "issues" / f"{issue_id}.md").write_text(text, encoding="utf-8")
    for meeting in gen.meetings:
        (content / "meetings" / f"{meeting.id}.md").write_text(gen.meeting_text(meeting), encoding="utf-8")
    config = Path(mkdocs_yml).read_text(encoding="utf-8") if mkdocs_yml else DEFAULT_MKDOCS_YML
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    if git:
        _commit(root)
    return SyntheticSummary(root, issues, len(gen.meetings), len(gen.communities), gen.statuses)


def _commit(root: Path) -> None:
    """Make ``root`` a git repository whose one commit holds the records."""
    env_args = ["-c", "user.name=Yishi synthetic", "-c", "user.email=synthetic@example.invalid",
                "-c", "commit.gpgsign=false"]
    (root / ".gitignore").write_text("/site/\n/.cache/\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 [*env_args, "commit", "-q", "-m", "Synthetic council"]):
        run_git(root, *args)


@click.command()
@click.option("--issues", "-n", type=click.IntRange(min=1), required=True, help="Number of issues.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (content/ and mkdocs.yml go inside).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option("--communities", type=click.IntRange(min=1), default=None,
              help="Number of communities [default: up to 129, by size].")
@click.option("--mkdocs-yml", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Site configuration to copy [default: a minimal Yishi site].")
@click.option("--git/--no-git", default=False, show_default=True,
              help="Make the folder a git repository with one commit.")
def cli(issues: int, out: Path, seed: int, communities: int | None,
        mkdocs_yml: Path | None, git: bool) -> None:
    """Write a synthetic council of ISSUES issues and ISSUES/10 meetings to OUT."""
    if (out / "content").exists() and any((out / "content").iterdir()):
        raise click.ClickException(f"{out / 'content'} already holds files; choose an empty folder")
    summary = write_synthetic_repository(
        out, issues, seed, communities=communities, mkdocs_yml=mkdocs_yml, git=git)
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(summary.statuses.items()))
    click.echo(f"Wrote {summary.issues} issues, {summary.meetings} meetings, "
               f"{summary.communities} communities to {out} ({statuses})")


if __name__ == "__main__":
    cli()
