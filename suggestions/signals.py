from django.dispatch import Signal

# Sent inside the transaction that wrote a timeline event, with `event=<Event>`. Receivers that
# write rows (notifications, look-back deadlines) therefore commit or roll back with the change.
event_recorded = Signal()
