"""Ministry admins keep the aid catalogue: schemes, their versions (rules validated on save and
previewed against sample households) and the poverty lines."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from santuni.accounts.admin import ReadOnlyInline

from .models import PovertyLine, Scheme, SchemeVersion
from .rules import SAMPLES, PovertyLines, evaluate, is_amount, validate_rules


class SchemeVersionForm(forms.ModelForm):
    class Meta:
        model = SchemeVersion
        fields = [
            *("scheme", "effective_from", "amount_kind", "amount", "child_rates", "family_cap"),
            *("rules", "source", "source_en", "source_date", "uncertain", "note"),
        ]

    def clean_rules(self):
        rules = self.cleaned_data["rules"]
        errors = validate_rules(rules)
        if errors:
            raise forms.ValidationError(errors)
        return rules

    def clean_child_rates(self):
        rates = self.cleaned_data["child_rates"] or []
        valid = isinstance(rates, list) and all(
            isinstance(r, dict) and isinstance(r.get("max_age"), int) and is_amount(r.get("amount"))
            for r in rates
        )
        if not valid:
            raise forms.ValidationError(
                _(
                    "Write the rates like "
                    '[{"max_age": 6, "amount": 250}, {"max_age": 17, "amount": 200}].'
                )
            )
        return rates

    def clean(self):
        data = super().clean()
        kind = data.get("amount_kind")
        if (
            kind in (SchemeVersion.AmountKind.FIXED, SchemeVersion.AmountKind.PER_PERSON)
            and data.get("amount") is None
        ):
            self.add_error("amount", _("This kind of amount needs the RM a month."))
        if kind == SchemeVersion.AmountKind.PER_CHILD and not data.get("child_rates"):
            self.add_error("child_rates", _("Give the rate per child by age."))
        return data


@admin.register(SchemeVersion)
class SchemeVersionAdmin(admin.ModelAdmin):
    form = SchemeVersionForm
    list_display = ["scheme", "effective_from", "amount_kind", "amount", "uncertain"]
    list_filter = ["scheme", "uncertain"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview against sample households (today)"))
    def preview(self, version):
        if version.pk is None:
            return _("Save the version to see how it answers sample households.")
        today = timezone.localdate()
        lines = PovertyLines(max(today, version.effective_from))
        rows = []
        for label, household in SAMPLES:
            result = evaluate(version, household, today, lines.find(household))
            rows.append(
                (str(label), result.status_label, result.amount_text, " ".join(result.reasons))
            )
        return format_html_join("", "<p><strong>{}</strong>: {} {}<br><small>{}</small></p>", rows)


class VersionInline(ReadOnlyInline):
    model = SchemeVersion
    fields = ["effective_from", "amount_kind", "amount", "family_cap", "uncertain"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [VersionInline]


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    list_display = ["state", "area", "amount", "effective_from", "source", "uncertain"]
    list_filter = ["state", "area"]
