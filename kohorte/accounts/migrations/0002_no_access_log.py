"""Delete the sign-in log django-axes kept before AXES_DISABLE_ACCESS_LOG (settings):
address and browser of every successful sign-in, needed by nobody."""

from django.db import migrations


def delete_access_log(apps, schema_editor):
    apps.get_model("axes", "AccessLog").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(delete_access_log, migrations.RunPython.noop),
    ]
