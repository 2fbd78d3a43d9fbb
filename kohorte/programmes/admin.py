from django.contrib import admin

from kohorte.core.admin import MatrixAdmin

from .models import Funder, Institution, Organisation, Programme, Region, Site, SiteFunding


@admin.register(Funder)
class FunderAdmin(MatrixAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name", "former_names"]


@admin.register(Institution)
class InstitutionAdmin(MatrixAdmin):
    list_display = ["name", "short_name", "city"]
    search_fields = ["name", "short_name", "city"]


@admin.register(Programme)
class ProgrammeAdmin(MatrixAdmin):
    programme_path = "pk"
    add_allowed = False  # a new programme starts with its roles: superusers create it
    list_display = ["name", "funder", "lead_institution", "period_start", "period_end"]
    list_select_related = ["funder", "lead_institution"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(MatrixAdmin):
    list_display = ["name", "kind", "district", "code", "valid_from", "valid_to"]
    list_filter = ["district", "kind"]
    search_fields = ["name", "code", "nuts3"]


@admin.register(Organisation)
class OrganisationAdmin(MatrixAdmin):
    list_display = ["name", "municipality"]
    search_fields = ["name", "municipality"]


class SiteFundingInline(admin.TabularInline):
    model = SiteFunding
    extra = 0

    def _may(self, request, obj):
        # Fundings belong to a programme: only the programmes the person edits.
        return request.user.is_superuser or self.admin_site._registry[Site].may(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(programme__in=self.admin_site._registry[Site]._programmes(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme" and not request.user.is_superuser:
            kwargs["queryset"] = self.admin_site._registry[Site]._programmes(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


@admin.register(Site)
class SiteAdmin(MatrixAdmin):
    list_display = ["name", "municipality", "organisation", "region"]
    list_select_related = ["organisation", "region"]
    list_filter = ["region__district"]
    search_fields = ["name", "municipality", "organisation__name"]
    inlines = [SiteFundingInline]


@admin.register(SiteFunding)
class SiteFundingAdmin(MatrixAdmin):
    programme_path = "programme"
    delete_allowed = True  # a funding entered by mistake is removed, not kept
    list_display = ["site", "programme", "year"]
    list_select_related = ["site", "programme"]
    list_filter = ["year", "programme"]
    search_fields = ["site__name", "site__municipality"]
