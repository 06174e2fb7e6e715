from django.db import migrations

from phoihop.audit import guard


def install(apps, schema_editor):
    guard.install(schema_editor.connection)


def remove(apps, schema_editor):
    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_scope_request_ip")]
    operations = [migrations.RunPython(install, remove)]
