"""Sources in both languages: the seeded English names ("Budget 2025") move to source_en and
source takes their Malay names ("Belanjawan 2025"), as a Malay page shows them."""

from django.db import migrations, models

MALAY = {
    "Budget 2021": "Belanjawan 2021",
    "Budget 2024": "Belanjawan 2024",
    "Budget 2025": "Belanjawan 2025",
    "Budget 2025 (the rate before January 2025)": "Belanjawan 2025 (kadar sebelum Januari 2025)",
    "DOSM, Household Income Survey 2022": "DOSM, Survei Pendapatan Isi Rumah 2022",
    "budget.mof.gov.my FAQ": "Soalan lazim budget.mof.gov.my",
    "budget.mof.gov.my FAQ 2023": "Soalan lazim budget.mof.gov.my 2023",
}


def to_malay(apps, schema_editor):
    for name in ("PovertyLine", "SchemeVersion"):
        model = apps.get_model("aid", name)
        for english, malay in MALAY.items():
            model.objects.filter(source=english).update(source=malay, source_en=english)


def to_english(apps, schema_editor):
    for name in ("PovertyLine", "SchemeVersion"):
        model = apps.get_model("aid", name)
        for english, malay in MALAY.items():
            model.objects.filter(source=malay, source_en=english).update(source=english)


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0002_seed"),
    ]

    operations = [
        migrations.AddField(
            model_name="povertyline",
            name="source_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="source (English)"),
        ),
        migrations.AddField(
            model_name="schemeversion",
            name="source_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="source (English)"),
        ),
        migrations.RunPython(to_malay, to_english),
    ]
