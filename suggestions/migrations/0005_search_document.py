import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

BUILD_LIMIT = 50_000


def build_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS searchdoc_vector_gin ON suggestions_searchdocument USING gin (vector)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS searchdoc_public_vector_gin ON suggestions_searchdocument USING gin (public_vector)"
    )
    Suggestion = apps.get_model("suggestions", "Suggestion")
    total = Suggestion.objects.count()
    if total > BUILD_LIMIT:
        # Segmenting a large table takes minutes; the operator runs it separately and sees progress.
        print(f"\n  {total} suggestions: run `manage.py rebuild_search_index` to build the search index.")
        return
    from suggestions.search import search_documents_refresh

    ids = list(Suggestion.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        search_documents_refresh(suggestion_ids=ids[start : start + 1000])


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_vector_gin")
        schema_editor.execute("DROP INDEX IF EXISTS searchdoc_public_vector_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0004_commitment_delivery"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "suggestion",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="suggestions.suggestion",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("public_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={"verbose_name": "search document", "verbose_name_plural": "search documents"},
        ),
        migrations.RunPython(build_indexes, drop_indexes),
    ]
