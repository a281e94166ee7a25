from django.urls import path, register_converter

from . import views

app_name = "departments"


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export_format")

urlpatterns = [
    path("", views.department_list, name="department-list"),
    path("assets/", views.asset_list, name="asset-list"),
    path("assets/new/", views.asset_create, name="asset-create"),
    path("assets/export.<export_format:fmt>", views.asset_export, name="asset-export"),
    path("assets/import/", views.asset_import, name="asset-import"),
    path("assets/import/template.csv", views.asset_import_template, name="asset-import-template"),
    path("assets/import/<int:pk>/", views.asset_import_detail, name="asset-import-detail"),
    path("assets/import/<int:pk>/retry/", views.asset_import_retry, name="asset-import-retry"),
    path("assets/import/<int:pk>/file/", views.asset_import_file, name="asset-import-file"),
    path("assets/<int:pk>/", views.asset_detail, name="asset-detail"),
    path("assets/<int:pk>/edit/", views.asset_edit, name="asset-edit"),
    path("assets/<int:pk>/retire/", views.asset_retire, name="asset-retire"),
    path("<slug:code>/", views.department_detail, name="department-detail"),
]
