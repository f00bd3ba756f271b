"""Administrators extend the synonym families (the data file holds the shipped ones)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import synonyms
from .models import SynonymFamily


class SynonymFamilyForm(forms.ModelForm):
    class Meta:
        model = SynonymFamily
        fields = ["members", "is_active"]

    def clean_members(self):
        members = synonyms.parse([self.cleaned_data["members"].replace("\n", ",")])
        if not members or len(members[0]) < 2:
            raise forms.ValidationError(
                _("Give at least two words or phrases, separated by commas.")
            )
        return ", ".join(members[0])


@admin.register(SynonymFamily)
class SynonymFamilyAdmin(admin.ModelAdmin):
    form = SynonymFamilyForm
    list_display = ["members", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["members"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        synonyms.FAMILIES.forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        synonyms.FAMILIES.forget()
