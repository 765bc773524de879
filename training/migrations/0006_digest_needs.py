"""The digest's customer-needs section: what customers asked for, per channel kind, from agents'
notes (a third section beside top offers and objections; the count of notes naming the need)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0005_digital_teams")]

    operations = [
        migrations.RemoveConstraint(
            model_name="digestitem",
            name="digest_item_section_valid",
        ),
        migrations.AddField(
            model_name="digestitem",
            name="mentions",
            field=models.PositiveIntegerField(default=0, verbose_name="notes naming this need"),
        ),
        migrations.AlterField(
            model_name="digestitem",
            name="section",
            field=models.CharField(
                choices=[
                    ("offer", "Top offers and their scripts"),
                    ("objection", "Objections"),
                    ("need", "What customers asked for"),
                ],
                max_length=10,
                verbose_name="section",
            ),
        ),
        migrations.AddConstraint(
            model_name="digestitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("section__in", ["offer", "objection", "need"])),
                name="digest_item_section_valid",
            ),
        ),
    ]
