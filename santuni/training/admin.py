"""Ministry admins keep the programmes and their events here; attendance is recorded on the
officers' pages (santuni.training.views), which check scope, so the admin only shows it."""

from django.contrib import admin
from django.db.models import Count

from santuni.accounts.admin import ReadOnlyInline

from .models import Attendance, Event, Programme


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["name", "date", "end_date", "district"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organiser", "is_sample"]
    list_filter = ["is_sample", "target_groups"]
    search_fields = ["name", "name_en", "organiser__name"]
    autocomplete_fields = ["organiser"]
    filter_horizontal = ["target_groups"]
    list_select_related = ["organiser"]
    inlines = [EventInline]


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["organization", "name", "role", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "organization",
                "recorded_by__user",
                "recorded_by__organization",
                "recorded_by__district",
            )
        )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "date", "district", "attendees", "is_sample"]
    list_filter = ["district", "programme", "is_sample"]
    search_fields = ["name", "name_en", "place", "programme__name"]
    autocomplete_fields = ["programme", "district"]
    date_hierarchy = "date"
    list_select_related = ["programme", "district"]
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_count=Count("attendances"))

    @admin.display(description=Attendance._meta.verbose_name_plural, ordering="attendee_count")
    def attendees(self, event):
        return event.attendee_count
