"""Referrals keep their case's urgency and category and how long each step took, for the
dashboards; existing referrals are filled in from their case and timestamps."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Referral = apps.get_model("cases", "Referral")
    Case = apps.get_model("cases", "Case")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    Referral.objects.update(
        urgency=Subquery(case.values("urgency")[:1]),
        category=Subquery(case.values("category")[:1]),
    )
    # Durations in seconds have no portable SQL expression; the referrals so far are few.
    timed = Referral.objects.filter(sent_at__isnull=False).only(
        "pk", "sent_at", "acknowledged_at", "completed_at"
    )
    batch = []
    for referral in timed.iterator(chunk_size=2000):
        for stamp, field in (
            ("acknowledged_at", "seconds_to_acknowledge"),
            ("completed_at", "seconds_to_complete"),
        ):
            at = getattr(referral, stamp)
            if at is not None:
                setattr(referral, field, max(0, int((at - referral.sent_at).total_seconds())))
        batch.append(referral)
        if len(batch) == 2000:
            Referral.objects.bulk_update(batch, ["seconds_to_acknowledge", "seconds_to_complete"])
            batch = []
    Referral.objects.bulk_update(batch, ["seconds_to_acknowledge", "seconds_to_complete"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_public_holidays")]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="urgency",
            field=models.CharField(
                choices=[
                    ("immediate", "Immediate danger"),
                    ("high", "High"),
                    ("normal", "Normal"),
                ],
                default="",
                editable=False,
                max_length=10,
                verbose_name="urgency",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="category",
            field=models.CharField(
                choices=[
                    ("child_protection", "Child protection"),
                    ("domestic_violence", "Domestic violence"),
                    ("oku", "Disability (OKU)"),
                    ("elderly", "Elderly care"),
                    ("financial", "Financial hardship"),
                    ("health", "Health"),
                    ("shelter", "Housing or shelter"),
                    ("other", "Other"),
                ],
                default="",
                editable=False,
                max_length=20,
                verbose_name="category",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="seconds_to_acknowledge",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="seconds_to_complete",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="case", name="cas_case_district"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["district", "status", "urgency", "category"], name="cas_case_district_figs"
            ),
        ),
        migrations.RemoveIndex(model_name="referral", name="cas_referral_district"),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["district", "status", "acknowledge_due"], name="cas_ref_district_ack_due"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["district", "status", "complete_due"], name="cas_ref_district_done_due"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["urgency", "seconds_to_acknowledge", "seconds_to_complete"],
                name="cas_ref_times",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["urgency", "seconds_to_complete"], name="cas_ref_done_time"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["category"], name="cas_ref_category"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["district", "urgency", "seconds_to_acknowledge", "seconds_to_complete"],
                name="cas_ref_district_times",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["district", "urgency", "seconds_to_complete"],
                name="cas_ref_district_done_time",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["district", "category"], name="cas_ref_district_category"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["district", "organization"], name="cas_ref_district_to"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["case", "sent_at"], name="cas_ref_case_sent"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["district", "sent_at"], name="cas_ref_district_sent"),
        ),
    ]
