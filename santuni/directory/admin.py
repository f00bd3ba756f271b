"""Admin for all directory data (shown in Malay by default)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import models
from .indexing import affected_services, index_services


class SearchIndexed:
    """Admin writes reach the search index in the same transaction."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_services(affected_services([form.instance]))

    def delete_model(self, request, obj):
        affected = affected_services([obj])
        super().delete_model(request, obj)
        index_services(affected)

    def delete_queryset(self, request, queryset):
        affected = affected_services(list(queryset))
        super().delete_queryset(request, queryset)
        index_services(affected)


class PhoneInline(admin.TabularInline):
    model = models.Phone
    extra = 0
    fields = ["number", "type", "description", "description_en"]


class ScheduleInline(admin.TabularInline):
    model = models.Schedule
    extra = 0
    fields = ["byday", "opens_at", "closes_at", "valid_from", "valid_to", "description"]


class AddressInline(admin.StackedInline):
    model = models.Address
    extra = 0
    autocomplete_fields = ["district", "mukim"]


class ServiceAtLocationInline(admin.TabularInline):
    model = models.ServiceAtLocation
    extra = 0
    autocomplete_fields = ["location"]


class ServiceAreaInline(admin.TabularInline):
    model = models.ServiceArea
    extra = 0
    fields = ["district", "mukim", "name", "description"]
    autocomplete_fields = ["district", "mukim"]


class RequiredDocumentInline(admin.TabularInline):
    model = models.RequiredDocument
    extra = 0


class LanguageInline(admin.TabularInline):
    model = models.Language
    extra = 0
    fields = ["code", "name", "note"]


class CostOptionInline(admin.TabularInline):
    model = models.CostOption
    extra = 0


class FundingInline(admin.TabularInline):
    model = models.Funding
    extra = 0
    fk_name = "service"


class ContactInline(admin.StackedInline):
    model = models.Contact
    extra = 0
    fields = ["name", "title", "title_en", "department", "email"]


class CboProfileInline(admin.StackedInline):
    model = models.CboProfile
    extra = 0
    autocomplete_fields = ["district", "mukims"]
    filter_horizontal = ["target_groups"]


class OrganizationIdentifierInline(admin.TabularInline):
    model = models.OrganizationIdentifier
    extra = 0


class IsCboFilter(admin.SimpleListFilter):
    title = _("CBO")
    parameter_name = "cbo"

    def lookups(self, request, model_admin):
        return [("yes", _("CBOs only")), ("no", _("Other organizations"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cbo__isnull=False)
        if self.value() == "no":
            return queryset.filter(cbo__isnull=True)
        return queryset


@admin.register(models.Organization)
class OrganizationAdmin(SearchIndexed, admin.ModelAdmin):
    list_display = ["name", "is_sample", "last_modified"]
    list_filter = [IsCboFilter, "is_sample", "cbo__district", "cbo__is_active"]
    search_fields = ["name", "name_en", "alternate_name", "cbo__registration_number"]
    inlines = [CboProfileInline, PhoneInline, OrganizationIdentifierInline, ContactInline]


@admin.register(models.Service)
class ServiceAdmin(SearchIndexed, admin.ModelAdmin):
    list_display = ["name", "organization", "status", "assured_date"]
    list_filter = ["status", "organization__is_sample", "assured_date"]
    search_fields = ["name", "name_en", "description", "organization__name"]
    autocomplete_fields = ["organization", "program"]
    date_hierarchy = "assured_date"
    inlines = [
        ServiceAtLocationInline,
        ServiceAreaInline,
        PhoneInline,
        ScheduleInline,
        RequiredDocumentInline,
        LanguageInline,
        CostOptionInline,
        FundingInline,
        ContactInline,
    ]

    def save_model(self, request, obj, form, change):
        obj.last_modified = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(models.Location)
class LocationAdmin(SearchIndexed, admin.ModelAdmin):
    list_display = ["name", "organization", "location_type", "is_confidential"]
    list_filter = ["is_confidential", "location_type", "addresses__district"]
    search_fields = ["name", "name_en", "organization__name", "addresses__address_1"]
    autocomplete_fields = ["organization"]
    inlines = [AddressInline, PhoneInline, ScheduleInline]


class TaxonomyTermInline(admin.TabularInline):
    model = models.TaxonomyTerm
    extra = 0
    fields = ["code", "name", "name_en", "description", "description_en", "position"]


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en"]
    inlines = [TaxonomyTermInline]


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(SearchIndexed, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "taxonomy"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "name_en", "code"]


@admin.register(models.Attribute)
class AttributeAdmin(SearchIndexed, admin.ModelAdmin):
    list_display = ["link_entity", "link_id", "taxonomy_term"]
    list_filter = ["link_entity", "taxonomy_term__taxonomy", "taxonomy_term"]
    search_fields = ["link_id"]


@admin.register(models.Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "name_en"]
    autocomplete_fields = ["organization"]


@admin.register(models.CboProfile)
class CboProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "district", "head_name", "head_consent", "is_active"]
    list_filter = ["district", "is_active", "head_consent", "mukims"]
    search_fields = ["organization__name", "registration_number", "head_name"]
    autocomplete_fields = ["organization", "district", "mukims"]
    filter_horizontal = ["target_groups"]


class IndexedPartAdmin(SearchIndexed, admin.ModelAdmin):
    pass


for model in [models.Phone, models.Schedule, models.Contact]:
    admin.site.register(model)
for model in [models.Address, models.ServiceArea, models.ServiceAtLocation]:
    admin.site.register(model, IndexedPartAdmin)

admin.site.site_header = _("Santuni administration")
admin.site.site_title = _("Santuni")
admin.site.index_title = _("Directory data")
