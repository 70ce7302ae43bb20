"""Account pages (``/accounts/``): login, own account, second factor, re-authentication, and the
consoles of the system administrator (``users/``) and the security administrator (``grants/``, ``roles/``,
``grants/pending/``), and the approvals of administrator-account resets (``resets/``) all three see."""

from django.urls import path

from zugong.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("reauth/", views.reauth, name="reauth"),
    # system administrator
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    # security administrator
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/picker/", views.grant_picker, name="grant_picker"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_edit, name="role_create"),
    path("roles/<int:pk>/edit/", views.role_edit, name="role_edit"),
    path("grants/pending/", views.pending_grants, name="pending_grants"),
    path("grants/pending/<int:pk>/confirm/", views.pending_grants_confirm, name="pending_grants_confirm"),
    # resets of administrator accounts (any administrator sees them; another kind approves)
    path("resets/", views.reset_request_list, name="reset_request_list"),
    path("resets/<int:pk>/approve/", views.reset_request_approve, name="reset_request_approve"),
    path("resets/<int:pk>/reject/", views.reset_request_reject, name="reset_request_reject"),
]
