"""A trigram index for the co-signer type-ahead (`suggestions.forms.search_deputies`).

Its `full_name`/`username` ICONTAINS ('%…%') walked every active deputy: 55-132 ms at 83,000
deputies for a query matching few (e.g. "代表0833"). pg_trgm (a trusted extension since
PostgreSQL 13, so the database owner may create it) answers such a LIKE from a GIN index: 0.2 ms.
PostgreSQL only; SQLite keeps the scan, as its data are small.
"""

from django.db import migrations

INDEX = "user_deputy_name_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # UPPER(...) as Django writes ICONTAINS; the partial condition as the search filters.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_user USING gin "
        "(UPPER(full_name) gin_trgm_ops, UPPER(username) gin_trgm_ops) "
        "WHERE role = 'deputy' AND is_active"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_role_name_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
