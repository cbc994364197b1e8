"""Outside channels: e-mail, the unit's group robot (WeCom/DingTalk webhook) and an SMS gateway.

Each sender either returns (sent) or raises `DeliveryError` (to be retried later); none of them
touches the database, so the outbox step decides what a failure means.
"""

from __future__ import annotations

import logging
from typing import Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = (3.05, 5)  # (connect, read) seconds: a hung robot must not stall the sender.


class DeliveryError(Exception):
    pass


def send_email(*, to: str, subject: str, body: str, message_id: str) -> None:
    # The Message-ID carries the outbox key, so a resend after a crash is recognisable as the same mail.
    msg = EmailMessage(subject=subject, body=body, to=[to], headers={"Message-ID": message_id})
    try:
        msg.send(fail_silently=False)
    except Exception as exc:  # SMTP and socket errors alike mean "try again later"
        raise DeliveryError(f"e-mail: {exc}") from exc


def send_webhook(*, url: str, content: str, key: str) -> None:
    """POST {"msgtype":"text","text":{"content":…}}; WeCom and DingTalk answer errcode 0 when accepted."""
    try:
        response = requests.post(
            url,
            json={"msgtype": "text", "text": {"content": content}},
            headers={"X-Idempotency-Key": key},
            timeout=WEBHOOK_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise DeliveryError(f"webhook: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise DeliveryError(f"webhook: HTTP {response.status_code}: {response.text[:200]}")
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(f"webhook: errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, key: str) -> None: ...


class LoggingSmsGateway:
    """The default gateway: writes the message to the log. A real one raises DeliveryError on failure."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        logger.info("SMS to %s [%s]: %s", phone, key, text)


def sms_gateway() -> SmsGateway:
    path = getattr(settings, "NOTIFICATIONS_SMS_GATEWAY", "notifications.channels.LoggingSmsGateway")
    return import_string(path)()
