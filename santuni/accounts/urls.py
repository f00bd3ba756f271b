from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk", views.sign_in, name="sign_in"),
    path("masuk/kod", views.sign_in_code, name="sign_in_code"),
    path("keluar", views.sign_out, name="sign_out"),
    path("peranan", views.choose_role, name="choose_role"),
    path("sahkan-semula", views.reauthenticate, name="reauthenticate"),
    path("jemputan/terima", views.invitation_accept, name="invitation_accept"),
    path("jemputan/<str:token>", views.invitation, name="invitation"),
    path("2fa", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/kod-pemulihan", views.recovery_codes, name="recovery_codes"),
    path("pengguna", views.people, name="people"),
    path("pengguna/<int:membership_id>/buang", views.membership_remove, name="membership_remove"),
    path(
        "pengguna/jemputan/<uuid:invitation_id>/batal",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("audit", views.audit_trail, name="audit"),
    path(
        "kata-laluan/lupa",
        views.PasswordReset.as_view(),
        name="password_reset",
    ),
    path(
        "kata-laluan/dihantar",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "kata-laluan/baru/<uidb64>/<token>",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "kata-laluan/siap",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
