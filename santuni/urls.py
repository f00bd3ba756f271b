"""Santuni URLs: public pages in Malay at /, English under /en/; the admin in Malay."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from santuni.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/hsds/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", include("santuni.directory.urls")),
    path("", include("santuni.pages.urls")),
    path("akaun/", include("santuni.accounts.urls")),
    path("urus/", include("santuni.listings.urls")),
    path("kes/", include("santuni.cases.urls")),
    path("bantuan/", include("santuni.aid.urls")),
    path("laporan/", include("santuni.reports.urls")),
    path("latihan/", include("santuni.training.urls")),
    prefix_default_language=False,
)

handler500 = "santuni.lib.errors.server_error"
