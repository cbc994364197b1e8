from .selectors import unread_count


def unread_notifications(request):
    """Unread count for the bell in base.html (one indexed COUNT, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user)}
