"""Sign-in and sign-out for officers (Django's auth views with our template), the lockout page, the role
switcher."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..roles import choose


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: nhập sai nhiều lần liên tiếp, tài khoản sẽ bị "
            "tạm khóa."
        ),
        "inactive": gettext_lazy("Tài khoản này đã bị vô hiệu hóa. Vui lòng liên hệ quản trị hệ thống."),
    }
    username = forms.CharField(max_length=254)


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "nav": "login"}


class LogoutView(auth_views.LogoutView):
    pass


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers once an account is locked (AXES_LOCKOUT_CALLABLE): a page in Vietnamese."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    message = _(
        "Tài khoản đã bị tạm khóa do đăng nhập sai %(limit)d lần liên tiếp. Vui lòng thử lại sau "
        "%(minutes)d phút, hoặc liên hệ quản trị hệ thống để được mở khóa."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(
        request,
        "backoffice/login.html",
        {"locked": message, "form": LoginForm(request), "nav": "login"},
        status=429,
    )


@require_POST
def choose_role(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    try:
        ok = choose(request, int(request.POST.get("assignment", "")))
    except ValueError:
        ok = False
    if not ok:
        from django.contrib import messages

        messages.error(request, _("Vai trò được chọn không còn hiệu lực."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/ho-so/"
    # A dossier list filtered for the previous role means little for the new one: start from its inbox.
    if target.startswith("/ho-so/?"):
        target = "/ho-so/"
    return redirect(target)
