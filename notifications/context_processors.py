def unread_notifications(request):
    """Unread count for the bell; filled in by the reminders work."""
    return {"unread_notifications": 0}
