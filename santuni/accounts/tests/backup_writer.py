"""The other process of test_backup.py: records cases one after another in the database of
DATABASE_URL, as the CBO head persona, and prints the number written after each commit;
stops when its standard input closes.

    DATABASE_URL=... SANTUNI_TESTING=1 python -m santuni.accounts.tests.backup_writer
"""

import os
import sys
import threading
from types import SimpleNamespace


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    import django

    django.setup()
    from santuni.accounts.models import Membership
    from santuni.cases.tests.factories import make_case

    membership = Membership.objects.get(user__email="cbo.head@example.invalid")
    head = SimpleNamespace(membership=membership)  # what make_case needs of a persona
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    written = 0
    while not stop.is_set():
        make_case(head)
        written += 1
        print(written, flush=True)


if __name__ == "__main__":
    main()
