from django.urls import path

from . import booklet_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("eksport/<slug:table>.<str:fmt>", views.export, name="export"),
    path("buku-kecil", booklet_views.booklet_request, name="booklet"),
    path("buku-kecil/<uuid:booklet_id>", booklet_views.booklet_status, name="booklet_status"),
    path("buku-kecil/<uuid:booklet_id>/pdf", booklet_views.booklet_file, name="booklet_file"),
]
