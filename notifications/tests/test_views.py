"""Notification centre pages: the bell, the list, settings, the staff outbox page and the urge form."""

import re

import pytest
from django.test import Client

from notifications.models import Channel, Delivery, DeliveryStatus, Kind, Notification, NotificationPreference
from suggestions import services
from suggestions.models import Event
from testing.factories import lead_assignment, suggestion_in_state


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_bell_count_and_list_in_fixed_queries(henry, hannah, django_assert_max_num_queries):
    for i in range(3):
        Notification.objects.create(recipient=henry, kind=Kind.OVERDUE, params={"days": i})
    Notification.objects.create(recipient=hannah, kind=Kind.OVERDUE)
    c = client_for(henry)
    with django_assert_max_num_queries(6) as ctx:
        r = c.get("/notifications/")
    few = len(ctx.captured_queries)
    assert r.status_code == 200
    assert r.context["unread_notifications"] == 3
    assert re.search(r'href="/notifications/".*?class="badge[^"]*"[^>]*>3</span>', r.content.decode(), re.S)
    for i in range(20):
        Notification.objects.create(recipient=henry, kind=Kind.DUE_SOON, params={"days": i})
    with django_assert_max_num_queries(few):
        c.get("/notifications/")


@pytest.mark.django_db
def test_mark_read_from_the_page(henry, hannah):
    n = Notification.objects.create(recipient=henry, kind=Kind.OVERDUE)
    assert client_for(hannah).post(f"/notifications/{n.pk}/read/").status_code == 404
    r = client_for(henry).post(f"/notifications/{n.pk}/read/")
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.read
    client_for(henry).post("/notifications/read-all/")
    assert client_for(henry).get("/notifications/").context["unread_notifications"] == 0


@pytest.mark.django_db
def test_preferences_form_saves_and_names_the_bad_field(henry):
    c = client_for(henry)
    r = c.post("/notifications/preferences/", {"sms": "on", "phone": "", "language": "en", "quiet_start": "22:00",
                                                "quiet_end": "07:00"})  # fmt: skip
    assert r.status_code == 200 and "phone" in r.context["form"].errors
    r = c.post("/notifications/preferences/", {"email": "on", "digest": "on", "language": "en",
                                                "quiet_start": "21:30", "quiet_end": "08:00"})  # fmt: skip
    assert r.status_code == 302
    pref = NotificationPreference.objects.get(user=henry)
    assert pref.digest and pref.language == "en" and pref.quiet_start.hour == 21


@pytest.mark.django_db
def test_delivery_failures_page_is_for_staff(sam, henry, water):
    from django.utils import timezone

    d = Delivery.objects.create(key="webhook:x", channel=Channel.WEBHOOK, unit=water, next_attempt_at=timezone.now(),
                                attempts=2, last_error="webhook: HTTP 500", status=DeliveryStatus.PENDING)  # fmt: skip
    assert client_for(henry).get("/notifications/deliveries/").status_code == 403
    r = client_for(sam).get("/notifications/deliveries/")
    assert r.status_code == 200 and "HTTP 500" in r.content.decode()
    Delivery.objects.filter(pk=d.pk).update(status=DeliveryStatus.FAILED)
    assert client_for(henry).post(f"/notifications/deliveries/{d.pk}/retry/").status_code == 403
    assert client_for(sam).post(f"/notifications/deliveries/{d.pk}/retry/").status_code == 302
    assert Delivery.objects.get(pk=d.pk).status == DeliveryStatus.PENDING


@pytest.mark.django_db
def test_urge_form(cast, sam, henry, oscar):
    a = lead_assignment(suggestion_in_state("assigned", cast=cast, co_unit=False))  # water, not yet signed
    assert client_for(oscar).get(f"/notifications/urge/{a.pk}/").status_code == 404
    assert client_for(henry).get(f"/notifications/urge/{a.pk}/").status_code == 403
    c = client_for(sam)
    assert c.get(f"/notifications/urge/{a.pk}/").status_code == 200
    r = c.post(f"/notifications/urge/{a.pk}/", {"message": ""})
    assert r.status_code == 200 and "message" in r.context["form"].errors
    r = c.post(f"/notifications/urge/{a.pk}/", {"message": "请尽快签收"})
    assert r.status_code == 302
    assert Event.objects.filter(action="urge").count() == 1
    assert Notification.objects.filter(recipient=henry, kind=Kind.URGE).exists()
    services.assignment_request_return(assignment=a, actor=henry, reason="非本单位职责")
    services.assignment_approve_return(assignment=a, actor=sam, note="")
    r = c.post(f"/notifications/urge/{a.pk}/", {"message": "x"})
    # Staff still see a returned assignment; the form says why nothing was sent.
    assert r.status_code == 200 and r.context["form"].non_field_errors()
