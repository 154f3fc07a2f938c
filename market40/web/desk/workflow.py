"""Which workflow buttons a user gets on a vendor, and why not: asked of the domain itself.

Each candidate move runs through ``registry.workflow.apply_transition`` inside a
savepoint that is always rolled back, so the page offers exactly the moves the
POST would accept and, where it would refuse, shows the domain's own reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from market40.auth import can
from market40.errors import DomainError
from market40.models import User, Vendor
from market40.registry.makers import maker_ids
from market40.registry.workflow import CHECKER_ACTIONS, TRANSITIONS, apply_transition

PERMISSION = {"submit": "vendors.write", "approve": "vendors.approve",
              "reject": "vendors.approve", "revert": "vendors.approve"}
ACTIONS = tuple(PERMISSION)
NEEDS_REASON = frozenset({"reject", "revert"})


@dataclass(frozen=True)
class ActionOption:
    action: str
    allowed: bool
    why_not: DomainError | None = None


class _DryRun(Exception):
    pass


def action_options(session: Session, vendor: Vendor, user: User) -> list[ActionOption]:
    """The moves of ``vendor``'s current status the user's role allows, each checked."""
    options = []
    makers: set[int] | None = None
    for action in ACTIONS:
        sources, _ = TRANSITIONS[action]
        if vendor.status not in sources or not can(user, PERMISSION[action], vendor=vendor):
            continue
        problem: DomainError | None = None
        if action in CHECKER_ACTIONS and makers is None:
            makers = maker_ids(session, vendor)  # read before any move, like transition()
        try:
            with session.begin_nested():
                apply_transition(vendor, action, user, reason="dry run",
                                 expected_version=vendor.version,
                                 makers=makers if action in CHECKER_ACTIONS else None)
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as error:
            problem = error
        session.expire(vendor)  # drop the rehearsed move; the next read reloads it
        options.append(ActionOption(action, problem is None, problem))
    return options
