"""Dashboard pages for staff and supervisors; `?format=xlsx` on a table page exports that table."""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Unit
from common.errors import ActionError, ActionInvalid, ActionNotFound
from common.pagination import Count, FastPaginator
from suggestions.models import Assignment, AssignmentRole, AssignmentStatus, DeadlineKind, Rating, SuggestionStatus

from . import exports, page_selectors, selectors, services
from . import metrics as m
from .forms import PeriodForm, SettingsForm, period_from_query
from .models import Snapshot

SORTABLE = {"code", "label", "co_assigned", "score", "rank", *m.COUNTS, *m.RATES}


def dashboard_page(view):
    """Logged-in staff and supervisors only; others get 403 (the dashboards are not secret)."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.can_view_dashboards(request.user):
            raise PermissionDenied(_("Only deputy-affairs staff and supervisors may see the dashboards."))
        return view(request, *args, **kwargs)

    return wrapped


def _period(request: HttpRequest) -> tuple[PeriodForm, m.Period, list[int]]:
    form, period, years, _sessions = _period_and_sessions(request)
    return form, period, years


def _period_and_sessions(request: HttpRequest) -> tuple[PeriodForm, m.Period, list[int], list[tuple[int, int]]]:
    """The period asked for, the years to choose from and every session's (id, year), in one query."""
    sessions = selectors.session_years()
    years = selectors.available_years(sessions)
    form, period = period_from_query(request.GET, years[0] if years else m.today().year)
    return form, period, years, sessions


DRILL_PAGE = 100


class DrillPaginator(FastPaginator):
    """Pages of a drill-down whose count (`selectors.drill_count`) is known before the pages: exact,
    or "more than COUNT_LIMIT", in which case a full page has a next one."""

    def __init__(self, object_list, per_page, counted: Count):
        super().__init__(object_list, per_page)
        self.__dict__["counted"] = counted

    def _get_page(self, *args, **kwargs):
        return DrillPage(*args, **kwargs)


class DrillPage(Page):
    def has_next(self) -> bool:
        if self.paginator.counted.exact:
            return super().has_next()
        return len(self.object_list) >= self.paginator.per_page


def _sorted(request: HttpRequest, rows: list[dict[str, Any]], default: str) -> list[dict[str, Any]]:
    key = request.GET.get("sort") or default
    if key not in SORTABLE:
        key = default
    descending = request.GET.get("dir") == "desc"
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + missing  # empty rates last either way


def _drill_base(params: dict[str, str]) -> str:
    return f"{reverse('dashboards:drill')}?{urlencode(params)}"


@functools.lru_cache(maxsize=8)
def _flag_texts(language: str | None) -> dict[str, str]:
    """The flags' screen-reader texts in `language` (the active one): once, not 3 lookups a cell."""
    return {"green": _("on target"), "amber": _("near target"), "red": _("below target")}


def _rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _small_marks(small_sample: int | None) -> tuple[str, str]:
    """The small-sample badge's text and its title (the threshold in force, if any)."""
    title = _("Small sample: fewer than %(n)d items") % {"n": small_sample} if small_sample else ""
    return str(_("small sample")), title


@functools.lru_cache(maxsize=32)
def _small_badge(language: str | None, small_sample: int | None) -> str:
    label, title = (html.escape(x) for x in _small_marks(small_sample))
    return f' <span class="badge text-bg-secondary" title="{title}">{label}</span>'


@functools.lru_cache(maxsize=32)
def _rate_marks(language: str | None, small_sample: int | None) -> tuple[dict[str | None, tuple[str, str]], str]:
    """Per flag, the fixed markup before and after a rate cell's text; and the small-sample badge.
    Built once per language and threshold: the 2,700 rate cells of a 300-unit table only join them."""
    texts = _flag_texts(language)
    marks: dict[str | None, tuple[str, str]] = {}
    for flag in (None, *texts):
        hidden = f'<span class="visually-hidden"> ({html.escape(texts[flag])})</span>' if flag else ""
        marks[flag] = (f'<td class="text-end"><span class="rag rag-{flag or "none"}">', f"</span>{hidden}")
    return marks, _small_badge(language, small_sample)


def rate_cells_html(row: dict[str, Any], settings) -> str:
    """A row's rate `<td>`s, straight from the row: a dict per cell and an escape per text took a
    third of the 300-unit pages' Python time."""
    marks, badge = _rate_marks(get_language(), settings.small_sample if settings else None)
    flags, small = row["flags"], row["small"]
    out = []
    for name in m.RATES:
        # A rate's text is digits, '.', '%' or '—': nothing to escape.
        head, tail = marks[flags.get(name)]
        out.append(f"{head}{_rate_text(row.get(name))}{tail}{badge if small.get(name) else ''}</td>")
    return "".join(out)


_PATH_KEY = 987654321


def _row_heads(rows: list[dict[str, Any]], request: HttpRequest, *, unit_links: bool) -> list[str]:
    """Each row's name, linked to the unit's sheet with the same query when `unit_links`: one
    `reverse` for the table rather than a `{% url %}` and a query encoding per row."""
    if not unit_links:
        return [html.escape(str(r["label"])) for r in rows]
    # One unit sheet's path split around its key: every unit's path is that with its own key in
    # place (a reverse() per row was 300 resolver walks).
    before, after = reverse("dashboards:unit", args=[_PATH_KEY]).split(str(_PATH_KEY))
    query = html.escape(request.GET.urlencode())
    return [
        f'<a href="{html.escape(before)}{r["key"]}{html.escape(after)}?{query}">{html.escape(str(r["label"]))}</a>'
        for r in rows
    ]


def table_cells(
    request: HttpRequest,
    rows: list[dict[str, Any]],
    dimension: str,
    params: dict[str, str],
    *,
    with_units: bool,
    settings=None,
) -> dict[str, Any]:
    """Headers and cells of a metric table, written here as HTML: a template tag per cell costs
    milliseconds per row, which for 300 units would be most of the page's time."""
    drill = _drill_base(params)
    query = request.GET.copy()
    query.pop("format", None)

    def sort_href(name: str, direction: str | None) -> str:
        q = query.copy()
        q["sort"] = name
        if direction:
            q["dir"] = direction
        else:
            q.pop("dir", None)
        return "?" + q.urlencode()

    columns: list[tuple[str, str]] = []
    headers = []
    for name, c in m.COUNTS.items():
        columns.append((name, "count"))
        headers.append({"label": c.label, "formula": c.definition, "href": sort_href(name, "desc")})
        if name == "assigned" and with_units:
            columns.append(("co_assigned", "plain"))
            headers.append(
                {
                    "label": _("Co-assignments"),
                    "formula": _("live co-assignments (会办)"),
                    "href": sort_href("co_assigned", "desc"),
                }
            )
    for name, r in m.RATES.items():
        headers.append({"label": r.label, "formula": r.formula, "href": sort_href(name, "desc")})
    # A count cell links to its drill-down: the escaped link up to the key, once per column.
    links = {
        name: html.escape(f"{drill}&metric={name}&dim={dimension}&key=") for name, kind in columns if kind == "count"
    }
    heads = _row_heads(rows, request, unit_links=dimension == "unit")
    body = []
    for row, head in zip(rows, heads, strict=True):
        key = html.escape("none" if row["key"] is None else str(row["key"]))
        out = []
        for name, kind in columns:
            # Counts are integers: their text needs no escaping.
            value = row.get(name) or 0
            if kind == "count" and value:
                out.append(f'<td class="text-end"><a href="{links[name]}{key}">{value}</a></td>')
            else:
                out.append(f'<td class="text-end">{value}</td>')
        out.append(rate_cells_html(row, settings))
        body.append({"row": row, "head": mark_safe(head), "html": mark_safe("".join(out))})  # noqa: S308 - escaped above
    return {"headers": headers, "body": body, "label_href": sort_href("label", None)}


def _base_context(request, form, period, years, settings, **extra) -> dict[str, Any]:
    small_label, small_title = _small_marks(settings.small_sample if settings else None)
    return {
        "form": form,
        "period": period,
        "params": period.as_params(),
        "years": years,
        "settings": settings,
        "counts": m.COUNTS,
        "rates": m.RATES,
        "can_edit": selectors.can_edit_settings(request.user),
        "small_label": small_label,
        "small_title": small_title,
        **extra,
    }


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _suffix(period: m.Period) -> str:
    return "-".join(period.as_params().values()) or "all"


@dashboard_page
def overview(request: HttpRequest) -> HttpResponse:
    form, period, years = _period(request)
    settings = selectors.dashboard_settings()
    totals = selectors.totals(period, settings)
    trend = selectors.monthly_trend(period)
    sessions = selectors.session_table(period, settings)
    year_rows = selectors.year_table(settings)
    if _wants_xlsx(request):
        wb = exports.new_workbook()
        metric_cols = exports.metric_columns()
        exports.add_sheet(wb, _("Totals"), metric_cols, [totals])
        exports.add_sheet(
            wb,
            _("Trend by month"),
            [
                ("month", _("Month"), "text"),
                ("registered", _("Registered"), "int"),
                ("replied", _("Replied"), "int"),
                ("closed", _("Closed"), "int"),
            ],
            trend,
        )
        exports.add_sheet(wb, _("Sessions"), [*exports.LABEL_COLUMNS, *metric_cols], sessions)
        exports.add_sheet(wb, _("Years"), [("key", _("Year"), "int"), *metric_cols], year_rows)
        return exports.response(wb, f"overview-{_suffix(period)}.xlsx")
    chart = {
        "labels": [t["month"] for t in trend],
        "series": [
            {"name": _("Registered"), "data": [t["registered"] for t in trend]},
            {"name": _("Replied"), "data": [t["replied"] for t in trend]},
            {"name": _("Closed"), "data": [t["closed"] for t in trend], "type": "line"},
        ],
    }
    context = _base_context(
        request,
        form,
        period,
        years,
        settings,
        totals=totals,
        trend=trend,
        session_table=table_cells(
            request, sessions, "session", period.as_params(), with_units=False, settings=settings
        ),
        year_table=table_cells(request, year_rows, "year", {}, with_units=False, settings=settings),
        chart=chart,
    )
    return render(request, "dashboards/overview.html", context)


def _table_page(request, *, title, dimension, rows_fn, template="dashboards/table.html", first_columns, default_sort):
    form, period, years = _period(request)
    settings = selectors.dashboard_settings()
    rows = _sorted(request, rows_fn(period, settings), default_sort)
    with_units = dimension == "unit"
    if _wants_xlsx(request):
        wb = exports.table_workbook(str(title), first_columns, rows, with_units=with_units)
        return exports.response(wb, f"{dimension}-{_suffix(period)}.xlsx")
    chart = {
        "percent": True,
        "labels": [r["label"] for r in rows],
        "series": [
            {"name": str(m.RATES["reply_rate"].label), "data": [r["reply_rate"] for r in rows]},
            {"name": str(m.RATES["satisfaction_rate"].label), "data": [r["satisfaction_rate"] for r in rows]},
        ],
    }
    context = _base_context(
        request,
        form,
        period,
        years,
        settings,
        title=title,
        dimension=dimension,
        table=table_cells(request, rows, dimension, period.as_params(), with_units=with_units, settings=settings),
        chart=chart,
    )
    return render(request, template, context)


@dashboard_page
def units(request: HttpRequest) -> HttpResponse:
    return _table_page(
        request,
        title=_("Handling units"),
        dimension="unit",
        rows_fn=selectors.units_table,
        first_columns=exports.UNIT_COLUMNS,
        default_sort="code",
    )


@dashboard_page
def categories(request: HttpRequest) -> HttpResponse:
    return _table_page(
        request,
        title=_("Categories"),
        dimension="category",
        rows_fn=selectors.category_table,
        first_columns=exports.LABEL_COLUMNS,
        default_sort="label",
    )


@dashboard_page
def key_items(request: HttpRequest) -> HttpResponse:
    if not selectors.key_items_available():
        raise Http404("Key items are not available.")
    return _table_page(
        request,
        title=_("Key items (重点督办)"),
        dimension="key_item",
        rows_fn=selectors.key_item_table,
        first_columns=exports.LABEL_COLUMNS,
        default_sort="label",
    )


def _drill_args(request: HttpRequest) -> tuple[str, str | None, Any]:
    metric = request.GET.get("metric", "")
    if metric not in m.COUNTS:
        raise Http404("Unknown metric")
    dim = request.GET.get("dim") or None
    if dim is not None and dim not in m.DIMENSIONS:
        raise Http404("Unknown breakdown")
    key: Any = None
    if dim is not None:
        raw = request.GET.get("key", "")
        if raw != "none":
            try:
                key = int(raw)
            except ValueError:
                raise Http404("Bad key")
    return metric, dim, key


@dashboard_page
def drill(request: HttpRequest) -> HttpResponse:
    """The suggestions behind one number: the very rows the number counted."""
    form, period, years, sessions = _period_and_sessions(request)
    metric, dim, key = _drill_args(request)
    facts, source = selectors.drill_queryset(
        metric, period, dim, key, reader=request.user, sessions=selectors.period_sessions(period, sessions)
    )
    if _wants_xlsx(request):
        rows = [selectors.drill_row(f, source) for f in facts]
        columns: list[exports.Column] = [
            ("number", _("Number"), "text"),
            ("title", _("Title"), "text"),
            ("unit", _("Unit"), "text"),
            ("status", _("Status"), "text"),
            ("due_date", _("Due date"), "date"),
            ("released_at", _("First reply released"), "datetime"),
        ]
        flat = [
            {
                "number": r["suggestion"].display_number,
                "title": r["suggestion"].title,
                "unit": r["unit"].name if r["unit"] else "",
                "status": r["suggestion"].get_status_display(),
                "due_date": r["due_date"],
                "released_at": r["released_at"],
            }
            for r in rows
        ]
        wb = exports.new_workbook()
        exports.add_sheet(wb, str(m.COUNTS[metric].label), columns, flat)
        return exports.response(wb, f"drill-{metric}.xlsx")
    # A year holds up to a few hundred thousand rows: a capped count (or the stored figure) and the
    # page's rows by a deferred join, never an exact COUNT nor every row.
    counted = selectors.drill_count(metric, period, dim, key, facts, reader=request.user)
    page = DrillPaginator(facts, DRILL_PAGE, counted).get_page(request.GET.get("page"))
    page.object_list = [selectors.drill_row(f, source) for f in page.object_list]
    context = _base_context(
        request,
        form,
        period,
        years,
        None,
        metric=m.COUNTS[metric],
        dim=dim,
        key=key,
        label=page_selectors.drill_label(dim, key),
        page=page,
    )
    return render(request, "dashboards/drill.html", context)


@dashboard_page
def assessment(request: HttpRequest) -> HttpResponse:
    form, period, years = _period(request)
    settings = selectors.dashboard_settings()
    rows = selectors.assessment(period, settings, selectors.units_table(period, settings))
    if _wants_xlsx(request):
        columns = [
            ("rank", _("Rank"), "int"),
            *exports.UNIT_COLUMNS,
            ("score", _("Score"), "score"),
            *[(name, r.label, "rate") for name, r in m.RATES.items()],
        ]
        wb = exports.new_workbook()
        exports.add_sheet(wb, _("Assessment"), columns, rows)
        return exports.response(wb, f"assessment-{_suffix(period)}.xlsx")
    lines = [
        {"row": r, "head": mark_safe(head), "html": mark_safe(rate_cells_html(r, settings))}  # noqa: S308 - escaped
        for r, head in zip(rows, _row_heads(rows, request, unit_links=True), strict=True)
    ]
    context = _base_context(request, form, period, years, settings, lines=lines)
    return render(request, "dashboards/assessment.html", context)


UNIT_SHEET_PAGE = 50
REPORT_OVERDUE_ROWS = 100


@dashboard_page
def unit_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    form, period, years = _period(request)
    settings = selectors.dashboard_settings()
    row, units_count = selectors.unit_standing(unit, period, settings)
    assignments = selectors.unit_assignments(unit, period, reader=request.user)
    if _wants_xlsx(request):
        wb = exports.new_workbook()
        exports.add_sheet(
            wb, _("Suggestions"), exports.assignment_list_columns(), exports.assignment_list_rows(assignments)
        )
        if row is not None:
            exports.add_sheet(
                wb,
                _("Figures"),
                [("rank", _("Rank"), "int"), ("score", _("Score"), "score"), *exports.metric_columns(with_units=True)],
                [row],
            )
        return exports.response(wb, f"unit-{unit.code}-{_suffix(period)}.xlsx")
    # The page shows the unit's assignments a page at a time (the largest unit holds tens of thousands
    # a year: all of them on one page took 17 s at 10^6 suggestions); the .xlsx export has them all.
    # Latest assigned first, read backwards along the primary key: number order had to sort every row.
    counted = selectors.unit_assignments_count(row, assignments, reader=request.user)
    page = DrillPaginator(assignments.order_by("-id"), UNIT_SHEET_PAGE, counted).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _base_context(
        request,
        form,
        period,
        years,
        settings,
        unit=unit,
        row=row,
        assignments=page.object_list,
        assignment_rows=_assignment_rows(page.object_list),
        page=page,
        query=query.urlencode(),
        units_count=units_count,
    )
    return render(request, "dashboards/unit_sheet.html", context)


def _day(value) -> str:
    """A date, or an aware time's day in the current time zone (as the `date` filter shows it)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}"


def _assignment_rows(assignments: Iterable[Assignment]) -> list[str]:
    """A unit sheet's rows written here as HTML: each choice label translated once per page, not
    looked up per cell (`get_FOO_display` hashes the lazy choices on every call: most of the
    template's time for 50 rows), and no template variable or filter per cell."""
    roles = {value: html.escape(str(label)) for value, label in AssignmentRole.choices}
    statuses = {value: html.escape(str(label)) for value, label in AssignmentStatus.choices}
    states = {value: html.escape(str(label)) for value, label in SuggestionStatus.choices}
    rows: list[str] = []
    for a in assignments:
        s = a.suggestion
        rows.append(
            mark_safe(  # noqa: S308 - every text escaped here
                f"<td>{html.escape(s.display_number)}</td>"
                f'<td><a href="/suggestions/{a.suggestion_id}/">{html.escape(s.title)}</a></td>'
                f"<td>{roles.get(a.role) or html.escape(a.role)}</td><td>{statuses.get(a.status) or html.escape(a.status)}</td>"
                f"<td>{states.get(s.status) or html.escape(s.status)}</td>"
                f"<td>{_day(a.assigned_at)}</td><td>{_day(a.due_date)}</td><td>{_day(a.replied_at)}</td>"
                f"<td>{_day(s.closed_at)}</td>"
            )
        )
    return rows


def _overdue_rows(deadlines: list) -> list[str]:
    """The report's overdue rows written here as HTML (every text escaped): each deadline kind
    translated once (`get_kind_display` rebuilt and hashed the lazy choices for every row), and no
    template variable or filter per cell."""
    kinds = {value: html.escape(str(label)) for value, label in DeadlineKind.choices}
    return [
        mark_safe(  # noqa: S308 - every text escaped here
            f"<td>{html.escape(d.suggestion.display_number)}</td><td>{html.escape(d.suggestion.title)}</td>"
            f"<td>{html.escape(d.unit.name) if d.unit else ''}</td><td>{kinds.get(d.kind) or html.escape(d.kind)}</td>"
            f"<td>{_day(d.due_date)}</td>"
        )
        for d in deadlines
    ]


@dashboard_page
def report(request: HttpRequest) -> HttpResponse:
    """办理情况报告 for the standing committee: totals, per-unit table, overdue list, satisfaction."""
    form, period, years = _period(request)
    settings = selectors.dashboard_settings()
    totals = selectors.totals(period, settings)
    units = selectors.units_table(period, settings)
    overdue = page_selectors.overdue_assignments(request.user, period)
    satisfaction = page_selectors.satisfaction_summary(period)
    if _wants_xlsx(request):
        wb = exports.new_workbook()
        exports.add_sheet(wb, _("Totals"), exports.metric_columns(), [totals])
        exports.add_sheet(
            wb, _("Handling units"), [*exports.UNIT_COLUMNS, *exports.metric_columns(with_units=True)], units
        )
        exports.add_sheet(
            wb,
            _("Overdue"),
            [
                ("number", _("Number"), "text"),
                ("title", _("Title"), "text"),
                ("unit", _("Unit"), "text"),
                ("kind", _("Deadline"), "text"),
                ("due_date", _("Due date"), "date"),
                ("days", _("Days overdue"), "int"),
            ],
            [
                {
                    "number": d.suggestion.display_number,
                    "title": d.suggestion.title,
                    "unit": d.unit.name if d.unit else "",
                    "kind": d.get_kind_display(),
                    "due_date": d.due_date,
                    "days": (period.today - d.due_date).days,
                }
                for d in overdue
            ],
        )
        exports.add_sheet(
            wb,
            _("Satisfaction"),
            [("label", _("Round"), "text"), *[(v, label, "int") for v, label in Rating.choices]],
            satisfaction,
        )
        return exports.response(wb, f"handling-report-{_suffix(period)}.xlsx")
    # The page shows the longest overdue (a province has tens of thousands at 10^6 suggestions: all
    # of them on one page took 35 s); the .xlsx export and the drill-down list every one.
    shown = list(overdue[:REPORT_OVERDUE_ROWS])
    context = _base_context(
        request,
        form,
        period,
        years,
        settings,
        totals=totals,
        units=units,
        # Each unit's row written in one go (counts are integers; the name is escaped): an include per
        # rate cell took 0.4 s, and the template's five variables a row another 20 ms.
        unit_rows=[
            mark_safe(  # noqa: S308 - escaped
                f'<th scope="row">{html.escape(str(r["label"]))}</th><td class="text-end">{r["assigned"]}</td>'
                f'<td class="text-end">{r["co_assigned"]}</td><td class="text-end">{r["replied"]}</td>\n'
                f'{rate_cells_html(r, settings)}<td class="text-end">{r["overdue"]}</td>'
            )
            for r in units
        ],
        overdue=shown,
        overdue_rows=_overdue_rows(shown),
        overdue_limit=REPORT_OVERDUE_ROWS,
        satisfaction=satisfaction,
        ratings=Rating.choices,
        session=page_selectors.session_or_none(period.session_id),
    )
    return render(request, "dashboards/report.html", context)


@dashboard_page
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    settings = selectors.dashboard_settings()
    if request.method == "POST":
        if not selectors.can_edit_settings(request.user):
            raise PermissionDenied(_("Only deputy-affairs staff may change the dashboards."))
        form = SettingsForm(request.POST)
        if form.is_valid():
            services.settings_update(
                actor=request.user, small_sample=form.cleaned_data["small_sample"], metrics=form.metrics_payload()
            )
            messages.success(request, _("Targets and weights saved."))
            return redirect("dashboards:settings")
    else:
        form = SettingsForm(settings=settings)
    return render(
        request, "dashboards/settings.html", {"form": form, "can_edit": selectors.can_edit_settings(request.user)}
    )


@dashboard_page
@require_http_methods(["GET", "POST"])
def snapshots(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not selectors.can_edit_settings(request.user):
            raise PermissionDenied(_("Only deputy-affairs staff may freeze figures."))
        scope = request.POST.get("scope")
        try:
            if scope == "session":
                session = page_selectors.session_or_none(request.POST.get("session"))
                if session is None:
                    raise ActionInvalid.field("session", _("Choose a session."))
                snap = services.snapshot_freeze(
                    actor=request.user, session=session, label=request.POST.get("label", "")
                )
            else:
                try:
                    year = int(request.POST.get("year", ""))
                except ValueError:
                    raise ActionInvalid.field("year", _("Enter a year."))
                snap = services.snapshot_freeze(actor=request.user, year=year, label=request.POST.get("label", ""))
        except ActionError as exc:
            errors = exc.errors or {"scope": [exc.message]}
        else:
            messages.success(request, _("Figures frozen."))
            return redirect("dashboards:snapshot", pk=snap.pk)
    items = page_selectors.recent_snapshots()
    context = {
        "snapshots": items,
        "errors": errors,
        "sessions": page_selectors.sessions(),
        "years": selectors.available_years(),
        "can_edit": selectors.can_edit_settings(request.user),
    }
    return render(request, "dashboards/snapshots.html", context, status=400 if errors else 200)


def _get_snapshot(pk) -> Snapshot:
    try:
        return page_selectors.get_snapshot(pk)
    except ActionNotFound:
        raise Http404 from None


@dashboard_page
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Frozen figures beside the live ones for the same period."""
    snap = _get_snapshot(pk)
    period = m.Period(session_id=snap.session_id) if snap.session_id else m.Period(year=snap.year)
    settings = selectors.dashboard_settings()
    live_units = {r["key"]: r for r in selectors.units_table(period, settings)}
    live_totals = selectors.totals(period, settings)
    frozen_units = snap.data.get("units", [])
    rows = [{"frozen": r, "live": live_units.get(r["key"])} for r in frozen_units]
    frozen_keys = {r["key"] for r in frozen_units}
    rows += [{"frozen": None, "live": r} for k, r in live_units.items() if k not in frozen_keys]
    if _wants_xlsx(request):
        wb = exports.new_workbook()
        exports.add_sheet(wb, _("Frozen totals"), exports.metric_columns(), [snap.data.get("totals", {})])
        exports.add_sheet(
            wb, _("Frozen units"), [*exports.UNIT_COLUMNS, *exports.metric_columns(with_units=True)], frozen_units
        )
        return exports.response(wb, f"frozen-{snap.pk}.xlsx")
    context = {
        "snap": snap,
        "rows": rows,
        "frozen_totals": snap.data.get("totals", {}),
        "live_totals": live_totals,
        "rates": m.RATES,
        "counts": m.COUNTS,
        "params": period.as_params(),
    }
    return render(request, "dashboards/snapshot_detail.html", context)
