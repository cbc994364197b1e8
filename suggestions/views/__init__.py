"""HTML views: fetch through selectors (404 for what a user may not see), call one service per action.

Split by audience: `pages` (home, lists, queues, overview), `drafting` (the deputy's form),
`detail` (the suggestion page and every action posted from it).
"""

from .detail import (
    assignment_action,
    attachment_download,
    commitment_fulfil,
    contact_dispute,
    reply_letter,
    suggestion_action,
    suggestion_assign,
    suggestion_detail,
)
from .drafting import deputy_search, suggestion_create, suggestion_edit
from .pages import (
    home,
    inbox,
    intake,
    my_suggestions,
    overview,
    request_queue,
    suggestion_list,
)
from .public import public_detail, public_list

__all__ = [
    "assignment_action",
    "attachment_download",
    "commitment_fulfil",
    "contact_dispute",
    "deputy_search",
    "home",
    "inbox",
    "intake",
    "my_suggestions",
    "overview",
    "public_detail",
    "public_list",
    "reply_letter",
    "request_queue",
    "suggestion_action",
    "suggestion_assign",
    "suggestion_create",
    "suggestion_detail",
    "suggestion_edit",
    "suggestion_list",
]
