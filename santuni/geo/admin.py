from django.contrib import admin

from .models import District, Mukim, State


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "weekend"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"slug": ["name"]}


class MukimInline(admin.TabularInline):
    model = Mukim
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "state"]
    list_filter = ["state"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MukimInline]


@admin.register(Mukim)
class MukimAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "uncertain"]
    list_filter = ["district__state", "district", "uncertain"]
    search_fields = ["name", "district__name"]
    prepopulated_fields = {"slug": ["name"]}
