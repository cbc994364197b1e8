"""Demo data from the source article (Jiangmen, 2020), driven through the real services.

Idempotent: master data is get-or-created, and each demo suggestion is created only if no
suggestion with its title exists yet.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import DeputyProfile, Role, Unit, UnitKind, User

from . import services
from .models import Category, CongressSession, Suggestion, SuggestionStatus

DEMO_PASSWORD = "jiangmen2020"

DELEGATIONS = ["蓬江区", "江海区", "新会区", "台山市", "开平市", "鹤山市", "恩平市"]

UNITS = [
    ("SLJ", "江门市水利局", UnitKind.GOVERNMENT),
    ("ZJJ", "江门市住房和城乡建设局", UnitKind.GOVERNMENT),
    ("JTJ", "江门市交通运输局", UnitKind.GOVERNMENT),
    ("ZRJ", "江门市自然资源局", UnitKind.GOVERNMENT),
    ("GXJ", "江门市工业和信息化局", UnitKind.GOVERNMENT),
    ("GAJ", "江门市公安局", UnitKind.GOVERNMENT),
    ("MZJ", "江门市民政局", UnitKind.GOVERNMENT),
    ("JYJ", "江门市教育局", UnitKind.GOVERNMENT),
    ("CZJ", "江门市财政局", UnitKind.GOVERNMENT),
    ("NYJ", "江门市农业农村局", UnitKind.GOVERNMENT),
    ("CGJ", "江门市城市管理和综合执法局", UnitKind.GOVERNMENT),
    ("ZY", "江门市中级人民法院", UnitKind.COURT),
    ("JCY", "江门市人民检察院", UnitKind.PROCURATORATE),
]

# The standard departments of a prefecture-level city with their duties (三定职责) in this project's
# own words: the unit router's cold start. The thirteen codes above keep their names and accounts.
UNITS_FILE = Path(__file__).resolve().parent.parent / "textanalysis" / "data" / "units.json"


def demo_units() -> list[tuple[str, str, str, str]]:
    """(code, name, kind, duties) of every demo unit: the file's, or the thirteen without duties."""
    try:
        listed = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [(code, name, kind, "") for code, name, kind in UNITS]
    names = {code: name for code, name, _ in UNITS}
    return [(u["code"], names.get(u["code"], u["name"]), u["kind"], u.get("duties", "")) for u in listed]


CATEGORIES = ["财政经济", "城乡建设", "农业农村", "教科文卫", "内务司法", "其他"]

# (username, full name, role, unit code, delegation)
ACCOUNTS = [
    ("staff", "梁工委", Role.STAFF, None, ""),
    ("supervisor", "赵主任", Role.SUPERVISOR, None, ""),
    ("deputy", "黄代表", Role.DEPUTY, None, "江海区"),
    ("deputy2", "李代表", Role.DEPUTY, None, "台山市"),
    ("deputy3", "陈代表", Role.DEPUTY, None, "鹤山市"),
    ("handler", "水利局承办人", Role.UNIT_HANDLER, "SLJ", ""),
    ("head", "水利局局长", Role.UNIT_HEAD, "SLJ", ""),
    ("co_handler", "财政局承办人", Role.UNIT_HANDLER, "CZJ", ""),
    ("co_head", "财政局局长", Role.UNIT_HEAD, "CZJ", ""),
]


def unit_account(code: str, kind: str) -> str:
    """The demo's unit accounts: handler/head for 水利局, co_handler/co_head for 财政局, <code>_<kind> otherwise."""
    return {"SLJ": kind, "CZJ": f"co_{kind}"}.get(code, f"{code.lower()}_{kind}")


def session_for_year(year: int) -> CongressSession:
    """Jiangmen's terms run five years from 2012 (十四届); the 2011 session closes the 13th term."""
    term, number = (13, 5) if year < 2012 else (14 + (year - 2012) // 5, (year - 2012) % 5 + 1)
    session, _ = CongressSession.objects.get_or_create(
        term=term, number=number, defaults={"year": year, "start_date": dt.date(year, 1, 15)}
    )
    return session


class Demo:
    def __init__(self, out=None):
        self.out = out
        self.units: dict[str, Unit] = {}
        self.users: dict[str, User] = {}
        self.categories: dict[str, Category] = {}

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    def _create_user(self, *, username, password, **fields) -> User:
        # Hash the shared demo password once; PBKDF2 per account would make loading slow.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(password)
        user = User(username=username, password=self._password_hash, **fields)
        user.save()
        return user

    # -- master data --------------------------------------------------------------------------
    def master_data(self) -> None:
        for code, name, kind, duties in demo_units():
            unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "duties": duties})
            if duties and not unit.duties:  # a database loaded before units had duties
                Unit.objects.filter(pk=unit.pk).update(duties=duties)
            self.units[code] = unit
        for order, name in enumerate(CATEGORIES):
            self.categories[name], _ = Category.objects.get_or_create(name=name, parent=None, defaults={"order": order})
        for username, full_name, role, unit_code, delegation in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = self._create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    role=role,
                    unit=self.units[unit_code] if unit_code else None,
                    email=f"{username}@demo.rendajianyi.local",
                )
                if role == Role.DEPUTY:
                    DeputyProfile.objects.create(
                        user=user, delegation=f"{delegation}代表团", term=16, phone="0750-0000000"
                    )
            self.users[username] = user
        for code, unit in self.units.items():
            for kind, role in (("handler", Role.UNIT_HANDLER), ("head", Role.UNIT_HEAD)):
                username = unit_account(code, kind)
                user = User.objects.filter(username=username).first() or self._create_user(
                    username=username, password=DEMO_PASSWORD, role=role, unit=unit,
                    full_name=f"{unit.name.removeprefix('江门市')}{'承办人' if kind == 'handler' else '负责人'}",
                )  # fmt: skip
                self.users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin", "admin@demo.rendajianyi.local", DEMO_PASSWORD, full_name="系统管理员"
            )
        for year in range(2011, timezone.localdate().year + 1):
            session_for_year(year)

    # -- driving suggestions through the services ----------------------------------------------
    def suggestion(
        self,
        title: str,
        *,
        deputy: str = "deputy",
        year: int | None = None,
        to: str = SuggestionStatus.DRAFT,
        category: str = "城乡建设",
        lead: str = "SLJ",
        co: tuple[str, ...] = (),
        cosigners: tuple[str, ...] = (),
        result_class: str = "A",
        due_date: dt.date | None = None,
        repeat_of: Suggestion | None = None,
        follows_up: Suggestion | None = None,
        body: str = "",
    ) -> Suggestion:
        existing = Suggestion.objects.filter(title=title).first()
        if existing is not None:
            return existing
        with transaction.atomic():
            return self._drive(
                title, deputy, year or timezone.localdate().year, to, category, lead, co, cosigners, result_class,
                due_date, repeat_of, follows_up, body,
            )  # fmt: skip

    def _drive(self, title, deputy, year, to, category, lead, co, cosigners, result_class, due_date, repeat_of,
               follows_up, body):  # fmt: skip
        u, staff = self.users, self.users["staff"]
        s = services.suggestion_create(
            author=u[deputy],
            title=title,
            body=body or f"{title.removeprefix('关于').removesuffix('的建议')}。问题、分析与具体建议:……",
            session=session_for_year(year),
            category=self.categories[category],
            co_signers=[u[c].pk for c in cosigners],
            suggested_unit=self.units[lead],
            repeat_of=repeat_of,
            follows_up=follows_up,
        )
        order = [
            "draft", "submitted", "registered", "assigned", "handling", "replied", "rehandling", "follow_up", "closed",
        ]  # fmt: skip
        for c in cosigners:
            services.suggestion_cosign(suggestion=s, actor=u[c], accept=True)
        if to == SuggestionStatus.DRAFT:
            return s
        services.suggestion_submit(suggestion=s, actor=u[deputy])
        if to == SuggestionStatus.WITHDRAWN:
            services.suggestion_withdraw(suggestion=s, actor=u[deputy])
            return s
        if to == SuggestionStatus.NOT_ACCEPTED:
            services.suggestion_reject(
                suggestion=s, actor=staff, reason="属于个人诉求,转为代表来信处理。", keep_as_letter=True
            )
            return s
        if to == SuggestionStatus.MERGED:
            target = Suggestion.objects.filter(title="关于扩宽礼睦路全路段工程的建议").first()
            services.suggestion_merge(suggestion=s, actor=staff, into=target)
            return s
        if to == SuggestionStatus.SUBMITTED:
            return s
        services.suggestion_accept(suggestion=s, actor=staff)
        if to == SuggestionStatus.REGISTERED:
            return s
        head_of = {code: unit_account(code, "head") for code in self.units}
        handler_of = {code: unit_account(code, "handler") for code in self.units}
        services.suggestion_assign(
            suggestion=s,
            actor=staff,
            lead_units=[self.units[lead]],
            co_units=[self.units[c] for c in co],
            due_date=due_date,
        )
        if to == SuggestionStatus.ASSIGNED:
            return s
        lead_assignment = s.assignments.get(role="lead")
        services.assignment_sign(assignment=lead_assignment, actor=u[handler_of[lead]])
        for assignment in s.assignments.filter(role="co"):
            services.assignment_sign(assignment=assignment, actor=u[handler_of[assignment.unit.code]])
            services.opinion_send(
                assignment=assignment, actor=u[handler_of[assignment.unit.code]], body="同意主办单位意见,配合落实资金。"
            )
        if to == SuggestionStatus.HANDLING:
            return s
        self._reply(s, lead_assignment, u[handler_of[lead]], u[head_of[lead]], result_class)
        if to == SuggestionStatus.REPLIED:
            return s
        if to == SuggestionStatus.REHANDLING:
            services.suggestion_evaluate(
                suggestion=s,
                actor=u[deputy],
                attitude="satisfied",
                result="unsatisfied",
                comment="答复未回应具体建议,请重新办理。",
            )
            return s
        services.suggestion_evaluate(suggestion=s, actor=u[deputy], attitude="satisfied", result="satisfied")
        assert order.index(s.status) <= order.index(to), (title, s.status, to)
        return s

    def _reply(self, s, assignment, handler, head, result_class):
        services.contact_log(
            assignment=assignment, actor=handler, phase="before", method="meeting", met_by="head",
            contacted_at=timezone.now(), summary="办前与代表座谈,了解建议背景和具体诉求。",
        )  # fmt: skip
        commitments = []
        if result_class in {"B", "C"}:
            commitments = [
                {"description": "完成项目立项并启动施工", "target_date": timezone.localdate() + dt.timedelta(days=120)}
            ]
        services.reply_draft(
            assignment=assignment, actor=handler, body="经研究,已将该事项列入年度工作计划,具体如下:……",
            result_class=result_class, adoption="adopted", contact_person=handler.full_name,
            contact_phone="0750-3000000", commitments=commitments,
        )  # fmt: skip
        services.reply_approve(assignment=assignment, actor=head)

    # -- the article's suggestions -------------------------------------------------------------
    def suggestions(self) -> None:
        today = timezone.localdate()
        # 南冲电排站: raised ten years in a row (江海区), finally solved.
        previous = None
        first_year = today.year - 9
        for year in range(first_year, today.year + 1):
            last = year == today.year
            previous = self.suggestion(
                "关于尽快建设南冲电排站的建议" + ("" if last else f"({year}年)"),
                year=year,
                to=SuggestionStatus.CLOSED,
                category="农业农村",
                lead="SLJ",
                co=("CZJ",) if last else (),
                cosigners=("deputy2",) if last else (),
                result_class="A" if last else "D",
                repeat_of=previous,
                body="礼乐街道农田和村居长期受水浸困扰,现有排涝能力不足。建议尽快立项建设南冲电排站,"
                "明确资金来源和建设时间表。",
            )
        road = self.suggestion(
            "关于扩宽礼睦路全路段工程的建议", to=SuggestionStatus.HANDLING, lead="JTJ", co=("ZJJ",), category="城乡建设"
        )
        assert road is not None
        self.suggestion("关于礼睦路拓宽工程的补充建议", deputy="deputy3", to=SuggestionStatus.MERGED, lead="JTJ")
        self.suggestion(
            "关于出台鼓励利用和盘活闲置厂房优惠政策的建议", deputy="deputy2", to=SuggestionStatus.REPLIED,
            lead="GXJ", co=("ZRJ",), category="财政经济",
        )  # fmt: skip
        self.suggestion(
            "关于加大对市民进行电动车购买和驾驶等知识的宣传力度的建议", deputy="deputy3", to=SuggestionStatus.CLOSED,
            lead="GAJ", category="内务司法",
        )  # fmt: skip
        self.suggestion(
            "关于农村低保脱保处理的建议", deputy="deputy3", to=SuggestionStatus.REHANDLING, lead="MZJ",
            category="内务司法",
        )  # fmt: skip
        guangdong_road = self.suggestion(
            "关于尽快对台城广海路口至温泉路段进行整修的建议", deputy="deputy2", to=SuggestionStatus.FOLLOW_UP,
            lead="JTJ", result_class="B",
        )  # fmt: skip
        self.suggestion(
            "关于台城广海路口至武装部仓库路段美化绿化环境的建议", deputy="deputy2", to=SuggestionStatus.ASSIGNED,
            lead="CGJ", follows_up=guangdong_road,
        )  # fmt: skip
        self.suggestion(
            "关于增加优质学位供给的建议", to=SuggestionStatus.ASSIGNED, lead="JYJ", category="教科文卫",
            # Entered after the fact with its real due date, which has passed: an overdue demo deadline.
            due_date=today - dt.timedelta(days=20),
        )  # fmt: skip
        self.suggestion(
            "关于完善镇村污水管网建设的建议", to=SuggestionStatus.ASSIGNED, lead="SLJ", co=("CZJ",),
            due_date=today - dt.timedelta(days=3),
        )  # fmt: skip
        self.suggestion(
            "关于加强中小学校园周边交通安全管理的建议", to=SuggestionStatus.SUBMITTED, lead="GAJ", category="教科文卫"
        )
        self.suggestion(
            "关于推进农村生活垃圾分类处理的建议", to=SuggestionStatus.REGISTERED, lead="CGJ", category="农业农村"
        )
        self.suggestion(
            "关于提高镇级卫生院服务能力的建议", to=SuggestionStatus.DRAFT, cosigners=("deputy2",), category="教科文卫"
        )
        self.suggestion(
            "关于调整个人车位纠纷处理方式的建议", deputy="deputy2", to=SuggestionStatus.NOT_ACCEPTED, category="其他"
        )
        self.suggestion("关于增设公交站点的建议", deputy="deputy3", to=SuggestionStatus.WITHDRAWN, lead="JTJ")

    def load(self) -> None:
        """Master data and suggestions; `manage.py load_demo` (the demo app) adds supervision's demo."""
        with transaction.atomic():
            self.master_data()
        self.suggestions()
