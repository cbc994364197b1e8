"""Domain errors raised by services and mapped once to HTTP answers (API) or messages (web).

- ActionForbidden -> 403: the caller may see the object but its role may not do this.
- ActionNotFound  -> 404: the caller may not see the object (existence is not leaked).
- ActionConflict  -> 409: the action is not allowed in the object's current state.
- ActionInvalid   -> 400: bad input; `errors` maps field names to messages.
"""

from __future__ import annotations


class ActionError(Exception):
    status_code = 400

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or {}


class ActionForbidden(ActionError):
    status_code = 403


class ActionNotFound(ActionError):
    status_code = 404


class ActionConflict(ActionError):
    status_code = 409


class ActionInvalid(ActionError):
    status_code = 400

    @classmethod
    def field(cls, name: str, message: str) -> ActionInvalid:
        return cls(message, {name: [str(message)]})
