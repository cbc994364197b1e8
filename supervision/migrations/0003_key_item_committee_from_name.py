"""Key items named their committee as free text; link each to a Committee record of that name.

A name no committee carries yet becomes a working committee (工作委员会) without members, which
staff then complete; the text stays as it was, so nothing shown changes.
"""

from django.db import migrations


def link_committees(apps, schema_editor):
    Committee = apps.get_model("supervision", "Committee")
    KeySuggestion = apps.get_model("supervision", "KeySuggestion")
    by_name = {c.name: c for c in Committee.objects.all()}
    for item in KeySuggestion.objects.exclude(committee="").filter(committee_ref__isnull=True):
        name = item.committee.strip()
        if not name:
            continue
        committee = by_name.get(name)
        if committee is None:
            committee = by_name[name] = Committee.objects.create(name=name, kind="working_committee")
        KeySuggestion.objects.filter(pk=item.pk).update(committee_ref=committee)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_committees"),
    ]

    operations = [
        migrations.RunPython(link_committees, migrations.RunPython.noop),
    ]
