"""The hand-written twin of the list API (issue 13), shared by bench/lists.py (in process) and
bench/http_load.py (over HTTP, through bench/http_urls.py). Import it after django.setup().

`twin` returns the caller's 50 newest visible rows as JSON with one `.values()` query on the index
that serves the order (`sugg_created_id`), for the same visible set as the API (staff: all; deputy:
their own, by the lead-deputy and co-signer indexes; unit: its live assignments, a unit with at most
5,000 of them read from its own rows and sorted, as the API does, its size counted once per process).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Value
from django.http import JsonResponse

from accounts.models import Role, Unit, User
from suggestions.models import Assignment, CoSigner, Suggestion


def largest_and_median_units() -> tuple[dict, dict]:
    """The generated units (`generate_data`'s GEN*) holding the most assignments and the median
    number, as {"pk", "n"}: the two unit personas every list and page benchmark measures."""
    units = list(
        Unit.objects.filter(code__startswith="GEN")
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .values("pk", "n")
    )
    if not units:
        raise SystemExit("no GEN units: this needs a database made by `manage.py generate_data`")
    return units[0], units[len(units) // 2]


def list_deputy() -> User:
    """The list benchmarks' deputy: the first generated one leading 8 suggestions or more."""
    deputy = (
        User.objects.filter(role=Role.DEPUTY, is_active=True, username__startswith="gen_deputy")
        .annotate(n=Count("led_suggestions"))
        .filter(n__gte=8)
        .order_by("pk")
        .first()
    )
    if deputy is None:
        raise SystemExit("no gen_deputy* leads 8 suggestions or more")
    return deputy


COLUMNS = ("id", "number", "title", "status", "session_id", "category_id", "lead_deputy_id", "created_at")


def twin(request):
    """The hand-written equivalent: the caller's 50 newest visible rows, one query, no serializer."""
    user = request.user
    qs = Suggestion.objects.all()
    if user.is_deputy:
        qs = qs.filter(
            pk__in=Suggestion.objects.filter(lead_deputy=user)
            .order_by()
            .values("pk")
            .union(CoSigner.objects.filter(deputy=user).order_by().values("suggestion_id"))
        )
    elif user.is_unit_user:
        qs = qs.filter(
            pk__in=Assignment.objects.filter(unit_id=user.unit_id).exclude(status="returned").values("suggestion_id")
        )
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    offset = int(request.GET.get("offset", 0))
    order = ["-created_at", "-id"]
    if user.is_unit_user and small_unit(user.unit_id):
        # A unit with few rows: read its own rows and sort them (the planner's walk of the whole
        # newest-first index took 175 ms at 1M); sized once, outside the timed requests.
        order = [(F("created_at") + Value(dt.timedelta(0))).desc(), "-id"]
    keys = qs.order_by(*order).values("pk")[offset : offset + 50]
    rows = list(Suggestion.objects.filter(pk__in=keys).order_by("-created_at", "-id").values(*COLUMNS))
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


_unit_sizes: dict[int, int] = {}


def small_unit(unit_id: int) -> bool:
    if unit_id not in _unit_sizes:
        _unit_sizes[unit_id] = Assignment.objects.filter(unit_id=unit_id).exclude(status="returned").count()
    return _unit_sizes[unit_id] <= 5000
