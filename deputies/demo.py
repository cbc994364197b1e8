"""Demo data of the deputies' records: a delegation leader (代表团团长) to read them with.

Idempotent: the account is created once; running again only makes sure it still leads.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import DeputyProfile, Role, User
from suggestions.demo import DEMO_PASSWORD

LEADER = "leader"
# The delegation of the demo's main deputy (`deputy`, 黄代表): the leader reads that record.
DELEGATION = "江海区代表团"


@transaction.atomic
def load() -> User:
    user = User.objects.filter(username=LEADER).first()
    if user is None:
        user = User.objects.create(
            username=LEADER,
            password=make_password(DEMO_PASSWORD),
            full_name="吴团长",
            role=Role.DEPUTY,
            email=f"{LEADER}@demo.rendajianyi.local",
        )
    DeputyProfile.objects.update_or_create(
        user=user,
        defaults={"delegation": DELEGATION, "term": 16, "phone": "0750-0000000", "is_delegation_leader": True},
    )
    return user
