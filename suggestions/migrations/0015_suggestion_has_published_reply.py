"""`Suggestion.has_published_reply`: whether a reply of the suggestion is published (released and
public), the one part of the public rule (SPEC section 8) that lives on another table. Kept by
triggers on the replies (and on an assignment moved to another suggestion), in the statement that
changes them, whoever issues it (services, a queryset update, a bulk insert, the admin, raw SQL), so
it cannot lag behind. With it the public list walks one partial index in its order instead of asking
each walked row for its replies (page 500 of the public list read 10,000 rows' replies)."""

from django.db import migrations, models
from django.db.models import Q

PUBLISHED_STATUSES = ["replied", "rehandling", "follow_up", "closed"]

# Whether the suggestion `{sid}` has a published reply: the rule the flag stores.
EXISTS = """EXISTS (SELECT 1 FROM suggestions_reply r JOIN suggestions_assignment a ON a.id = r.assignment_id
                    WHERE a.suggestion_id = {sid} AND r.status = 'released' AND r.public)"""

BACKFILL = """
UPDATE suggestions_suggestion SET has_published_reply = TRUE WHERE id IN (
    SELECT a.suggestion_id FROM suggestions_reply r JOIN suggestions_assignment a ON a.id = r.assignment_id
    WHERE r.status = 'released' AND r.public)
"""

POSTGRES = f"""
CREATE OR REPLACE FUNCTION suggestions_published_reply_refresh(ids bigint[]) RETURNS void AS $$
BEGIN
    IF ids IS NULL THEN
        RETURN;
    END IF;
    -- Lock the suggestions first, then look (a new snapshot): a concurrent change to another reply of
    -- the same suggestion has then committed, and is seen, or waits for this one; reading first could
    -- let two transactions each write what they saw without the other's reply.
    PERFORM 1 FROM suggestions_suggestion WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
    UPDATE suggestions_suggestion s SET has_published_reply = x.published
    FROM (SELECT id, {EXISTS.format(sid="s2.id")} AS published FROM suggestions_suggestion s2 WHERE id = ANY(ids)) x
    WHERE s.id = x.id AND s.has_published_reply IS DISTINCT FROM x.published;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION suggestions_reply_published_flag() RETURNS trigger AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT a.suggestion_id) INTO ids
        FROM new_rows r JOIN suggestions_assignment a ON a.id = r.assignment_id;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT a.suggestion_id) INTO ids
        FROM old_rows r JOIN suggestions_assignment a ON a.id = r.assignment_id;
    ELSE
        -- Only rows whose status, publicity or assignment changed (a reply's text edit changes nothing).
        SELECT array_agg(DISTINCT a.suggestion_id) INTO ids
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN suggestions_assignment a ON a.id IN (o.assignment_id, n.assignment_id)
        WHERE (o.status, o.public, o.assignment_id) IS DISTINCT FROM (n.status, n.public, n.assignment_id);
    END IF;
    PERFORM suggestions_published_reply_refresh(ids);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION suggestions_assignment_published_flag() RETURNS trigger AS $$
BEGIN
    PERFORM suggestions_published_reply_refresh(ARRAY[OLD.suggestion_id, NEW.suggestion_id]::bigint[]);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS suggestions_reply_published_ins ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_reply_published_upd ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_reply_published_del ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_assignment_published_upd ON suggestions_assignment;
-- Once per statement, over its transition rows: a bulk insert of replies refreshes each suggestion once.
CREATE TRIGGER suggestions_reply_published_ins AFTER INSERT ON suggestions_reply
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION suggestions_reply_published_flag();
CREATE TRIGGER suggestions_reply_published_upd AFTER UPDATE ON suggestions_reply
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION suggestions_reply_published_flag();
CREATE TRIGGER suggestions_reply_published_del AFTER DELETE ON suggestions_reply
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION suggestions_reply_published_flag();
CREATE TRIGGER suggestions_assignment_published_upd AFTER UPDATE OF suggestion_id ON suggestions_assignment
    FOR EACH ROW WHEN (OLD.suggestion_id IS DISTINCT FROM NEW.suggestion_id)
    EXECUTE FUNCTION suggestions_assignment_published_flag();
"""  # noqa: S608 - fixed text, no input

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS suggestions_reply_published_ins ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_reply_published_upd ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_reply_published_del ON suggestions_reply;
DROP TRIGGER IF EXISTS suggestions_assignment_published_upd ON suggestions_assignment;
DROP FUNCTION IF EXISTS suggestions_reply_published_flag();
DROP FUNCTION IF EXISTS suggestions_assignment_published_flag();
DROP FUNCTION IF EXISTS suggestions_published_reply_refresh(bigint[]);
"""

# SQLite (the embedded default): row triggers; writes there are serialised, so no lock is needed.
_SET = "UPDATE suggestions_suggestion SET has_published_reply = " + EXISTS.format(sid="suggestions_suggestion.id")  # noqa: S608
SQLITE = [
    f"""CREATE TRIGGER suggestions_reply_published_ins AFTER INSERT ON suggestions_reply BEGIN
        {_SET} WHERE id = (SELECT suggestion_id FROM suggestions_assignment WHERE id = NEW.assignment_id); END""",  # noqa: S608
    f"""CREATE TRIGGER suggestions_reply_published_upd AFTER UPDATE OF status, public, assignment_id
        ON suggestions_reply BEGIN
        {_SET} WHERE id IN (SELECT suggestion_id FROM suggestions_assignment
                            WHERE id IN (OLD.assignment_id, NEW.assignment_id)); END""",  # noqa: S608
    f"""CREATE TRIGGER suggestions_reply_published_del AFTER DELETE ON suggestions_reply BEGIN
        {_SET} WHERE id = (SELECT suggestion_id FROM suggestions_assignment WHERE id = OLD.assignment_id); END""",  # noqa: S608
    f"""CREATE TRIGGER suggestions_assignment_published_upd AFTER UPDATE OF suggestion_id ON suggestions_assignment
        BEGIN {_SET} WHERE id IN (OLD.suggestion_id, NEW.suggestion_id); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS suggestions_reply_published_ins",
    "DROP TRIGGER IF EXISTS suggestions_reply_published_upd",
    "DROP TRIGGER IF EXISTS suggestions_reply_published_del",
    "DROP TRIGGER IF EXISTS suggestions_assignment_published_upd",
]


def forwards(apps, schema_editor):
    schema_editor.execute(BACKFILL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0014_inbox_tab_index_suggestion")]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="has_published_reply",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="has a published reply"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="suggestion", name="sugg_public_session_number"),
        migrations.AddIndex(
            model_name="suggestion",
            index=models.Index(
                fields=["session", "number", "id"],
                condition=Q(confidential=False, status__in=PUBLISHED_STATUSES, has_published_reply=True),
                name="sugg_published_session_number",
            ),
        ),
    ]
