"""Agency focal points now see only the referrals of their district or state. One that has
neither (and an open invitation to be one) acts where the district officer who invited them
does; with no such officer it keeps neither, and sees nothing until a new role is given."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

FOCAL_POINT = "agency_focal_point"


def focal_point_area_from_inviter(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    Invitation = apps.get_model("accounts", "Invitation")
    inviter = Membership.objects.filter(pk=OuterRef("invited_by"), district__isnull=False)
    without_area = {
        "role": FOCAL_POINT,
        "district__isnull": True,
        "state__isnull": True,
        "invited_by__district__isnull": False,
    }
    Membership.objects.filter(**without_area).update(
        district=Subquery(inviter.values("district")[:1])
    )
    Invitation.objects.filter(
        **without_area, accepted_at__isnull=True, cancelled_at__isnull=True
    ).update(district=Subquery(inviter.values("district")[:1]))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_scope_state")]

    operations = [migrations.RunPython(focal_point_area_from_inviter, migrations.RunPython.noop)]
