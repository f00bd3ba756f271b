"""The Django side of the reliability runs, each step in a process of its own:

    python -m tools.reliability.world setup WRITERS   -> JSON: sessions, services, words
    python -m tools.reliability.world verify FILE     -> JSON: writes found, integrity
    python -m tools.reliability.world counts          -> JSON: rows of the directory tables
    python -m tools.reliability.world districts       -> the synthetic directory's districts

The runs sign CBO heads in by making their sessions here, as `force_login` does: the load is
on the pages, not on the password hasher.
"""

import json
import os
import sys
import time


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    django.setup()


def setup(writers: int) -> dict:
    """Sample CBO heads (one per demo CBO in turn) signed in, and what the users will ask for."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from santuni.accounts.access import MEMBERSHIP_SESSION_KEY, REAUTH_SESSION_KEY
    from santuni.accounts.models import Membership, Role
    from santuni.directory.models import CboProfile, Organization, Service

    cbos = list(CboProfile.objects.select_related("organization").order_by("pk"))
    if not cbos:
        raise SystemExit("no CBOs: load the demo data first")
    sessions = []
    for n in range(writers):
        cbo = cbos[n % len(cbos)]
        email = f"beban.{n}@example.invalid"
        user = get_user_model().objects.create_user(
            username=email, email=email, password=None, first_name=f"Ketua Sampel Beban {n}"
        )
        membership = Membership.objects.create(
            user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=cbo.district
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session[MEMBERSHIP_SESSION_KEY] = membership.pk
        session[REAUTH_SESSION_KEY] = time.time()
        session.save()
        sessions.append(session.session_key)
    agencies = Organization.objects.filter(cbo__isnull=True)
    services = Service.objects.filter(organization__in=agencies, status="active")
    return {
        "sessions": sessions,
        "services": [str(pk) for pk in services.values_list("pk", flat=True)],
        "organizations": [str(pk) for pk in Organization.objects.values_list("pk", flat=True)],
    }


def districts() -> dict:
    """The synthetic directory's districts (tools.benchdata), for its import."""
    from tools.bench import _add_districts

    _add_districts()
    return {}


def counts() -> dict:
    """Rows of the tables an HSDS import writes, and the import rows of the audit trail."""
    from django.apps import apps

    from santuni.audit.models import AuditEntry

    tables = {
        m._meta.label: m.objects.count() for m in apps.get_app_config("directory").models.values()
    }
    tables["imports"] = AuditEntry.objects.filter(action="hsds.imported").count()
    return tables


def verify(path: str) -> dict:
    """Which acknowledged writes are in the database, and whether the database is whole."""
    from django.db import connection

    from santuni.audit.trail import verify_chain
    from santuni.cases.models import Case, Referral

    with open(path, encoding="utf-8") as file:
        acknowledged = json.load(file)
    found = {
        "case": set(
            Case.objects.filter(submission_key__in=acknowledged["case"]).values_list(
                "submission_key", flat=True
            )
        ),
        "referral": set(
            Referral.objects.filter(submission_key__in=acknowledged["referral"]).values_list(
                "submission_key", flat=True
            )
        ),
    }
    missing = {
        kind: sorted(k for k in keys if _uuid(k) not in found[kind])
        for kind, keys in acknowledged.items()
    }
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            integrity = cursor.execute("PRAGMA integrity_check").fetchone()[0]
            foreign = cursor.execute("PRAGMA foreign_key_check").fetchall()
        whole = integrity == "ok" and not foreign
    else:
        # PostgreSQL checks constraints as it writes; a crash leaves committed rows only.
        whole = True
    checked, broken = verify_chain()
    return {
        "acknowledged": {kind: len(keys) for kind, keys in acknowledged.items()},
        "missing": missing,
        "duplicates": _duplicates(),
        "integrity": whole,
        "audit_entries": checked,
        "audit_intact": broken is None,
        "cases": Case.objects.count(),
        "referrals": Referral.objects.count(),
    }


def _uuid(text: str):
    import uuid

    return uuid.UUID(text)


def _duplicates() -> int:
    """Cases written twice from one form: the load gives each form its own situation text."""
    from django.db.models import Count

    from santuni.cases.models import Case

    return Case.objects.values("situation").annotate(n=Count("pk")).filter(n__gt=1).count()


def main() -> None:
    _django()
    step, *args = sys.argv[1:]
    result = {"setup": lambda: setup(int(args[0])), "verify": lambda: verify(args[0])}
    result |= {"counts": counts, "districts": districts}
    print(json.dumps(result[step]()))


if __name__ == "__main__":
    main()
