# ListingChange moves to the listings app; its table stays where it is (listings 0001 takes
# the model over in Django's state, with the same table).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_cbo_verification_and_listing_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ListingChange")],
            database_operations=[],
        ),
    ]
