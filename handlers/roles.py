"""Roles: who is a leader (from SAMEN_LEADERS) and who may change a learning."""

from __future__ import annotations

from handlers.context import Policy
from handlers.types import Actor
from storage.models import Learning, Member


def is_leader(policy: Policy, actor: Actor) -> bool:
    """Leaders are listed in SAMEN_LEADERS; with none listed, the local console user leads."""
    if actor.key in policy.leaders:
        return True
    return policy.console_leaders_when_unset and not policy.leaders and actor.platform == "console"


def may_change(learning: Learning, member: Member, leader: bool) -> bool:
    """Authors and leaders may change a learning."""
    return leader or (learning.author_id is not None and learning.author_id == member.id)
