"""What the signed-in header shows on every page: how many notifications are unread."""

from django.utils.functional import cached_property

from .selectors import unread_count


class UnreadNotifications:
    """The signed-in person's unread notifications, counted (one query) only when a template
    reads `count`, and once per page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # Anonymous visitors have none: nothing is counted for them.
        return {}
    return {"unread_notifications": UnreadNotifications(user)}
