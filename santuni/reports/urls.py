from django.urls import path

from .booklet.views import booklet_file, booklet_request, booklet_status
from .dashboards.views import dashboard, export

app_name = "reports"
urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("eksport/<slug:table>.<str:fmt>", export, name="export"),
    path("buku-kecil", booklet_request, name="booklet"),
    path("buku-kecil/<uuid:booklet_id>", booklet_status, name="booklet_status"),
    path("buku-kecil/<uuid:booklet_id>/pdf", booklet_file, name="booklet_file"),
]
