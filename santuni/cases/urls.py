from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("baru", views.case_new, name="case_new"),
    path("kecemasan", views.danger, name="danger"),
    path("<uuid:case_id>", views.case_detail, name="case"),
    path("<uuid:case_id>/nota", views.case_note, name="case_note"),
    path("<uuid:case_id>/lampiran", views.case_attach, name="case_attach"),
    path("<uuid:case_id>/tutup", views.case_close, name="case_close"),
    path("<uuid:case_id>/eksport", views.client_export, name="client_export"),
    path("<uuid:case_id>/tarik-persetujuan", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:case_id>/rujuk", views.referral_new, name="referral_new"),
    path("lampiran/<uuid:attachment_id>", views.attachment, name="attachment"),
    path("rujukan", views.referral_list, name="referrals"),
    path("rujukan/<uuid:referral_id>", views.referral_detail, name="referral"),
    path("daerah", views.district_dashboard, name="dashboard"),
    path("notifikasi", views.notifications, name="notifications"),
]
