"""On PostgreSQL the timeline is append-only in the database itself, not only in the ORM:
an UPDATE or DELETE of an event row raises, whoever issues it (admin, shell, raw SQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION suggestions_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'suggestions_event is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS suggestions_event_no_change ON suggestions_event;
CREATE TRIGGER suggestions_event_no_change BEFORE UPDATE OR DELETE ON suggestions_event
    FOR EACH ROW EXECUTE FUNCTION suggestions_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS suggestions_event_no_change ON suggestions_event;
DROP FUNCTION IF EXISTS suggestions_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
