"""Ministry admins keep the JKM aid statistics: edit a figure, or import a CSV of them."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from santuni.accounts.access import active_membership
from santuni.aid.rules import rm

from .aid_statistics import csv_import, services
from .models import AidStatistic

# A year of figures for every state and scheme is a few hundred rows, well under this.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
SHOWN_PROBLEMS = 100


class AidStatisticForm(forms.ModelForm):
    """The amount in ringgit, as the sources give it; stored in sen."""

    amount_rm = forms.DecimalField(
        label=gettext_lazy("amount paid (RM)"),
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty if not published."),
    )

    class Meta:
        model = AidStatistic
        fields = ["year", "state", "scheme", "recipients", "as_of", "source", "source_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.amount_sen is not None:
            self.initial["amount_rm"] = Decimal(self.instance.amount_sen) / 100

    def save(self, commit=True):
        amount = self.cleaned_data.get("amount_rm")
        self.instance.amount_sen = int(amount * 100) if amount is not None else None
        return super().save(commit)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


@admin.register(AidStatistic)
class AidStatisticAdmin(admin.ModelAdmin):
    form = AidStatisticForm
    list_display = ["year", "state_or_malaysia", "scheme_or_all", "recipients", "amount", "as_of"]
    list_filter = ["year", "state", "scheme"]
    search_fields = ["source"]
    list_select_related = ["state", "scheme"]

    @admin.display(description=gettext_lazy("state"), ordering="state__name")
    def state_or_malaysia(self, statistic):
        return statistic.state or _("Malaysia")

    @admin.display(description=gettext_lazy("scheme"), ordering="scheme__order")
    def scheme_or_all(self, statistic):
        return statistic.scheme or _("All schemes")

    @admin.display(description=gettext_lazy("amount paid"), ordering="amount_sen")
    def amount(self, statistic):
        return rm(Decimal(statistic.amount_sen) / 100) if statistic.amount_sen is not None else ""

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="reports_aidstatistic_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        # Bound on every POST, one without a file too, so that it says what is missing.
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = services.aid_statistics_import(
                    data=upload.read(),
                    actor=active_membership(request),
                    user=request.user,
                    filename=upload.name,
                )
            except csv_import.AidCsvError as error:
                problems = error.messages
            else:
                self.message_user(
                    request,
                    _(
                        "%(file)s imported: %(created)d figures added, %(updated)d updated, "
                        "%(unchanged)d unchanged."
                    )
                    % {
                        "file": upload.name,
                        "created": counts.created,
                        "updated": counts.updated,
                        "unchanged": counts.unchanged,
                    },
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:reports_aidstatistic_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import JKM aid statistics"),
            "form": form,
            "problems": problems[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
            "columns": csv_import.COLUMN_HELP,
            "example": csv_import.EXAMPLE,
        }
        return TemplateResponse(request, "admin/reports/aidstatistic/import.html", context)
