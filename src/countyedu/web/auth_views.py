"""Log in (rate-limited), log out, the home page that sends each role to its page, language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.web import throttle
from countyedu.web.models import Role


class LoginView(auth_views.LoginView):
    """Django's login with the limit on failed attempts per address and user name (web/throttle.py,
    shared with the API's token endpoint)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        name = request.POST.get("username") or ""
        if throttle.locked(request, name):
            return render(request, "web/login.html", {"form": self.get_form(), "locked": True}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:  # failed
            throttle.failed(request, name)
        else:
            throttle.succeeded(request, name)
        return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    m = getattr(request.user, "membership", None)
    if m is None:
        return render(request, "web/no_role.html", {"message": _("Your account has no role yet.")}, status=403)
    if m.role == Role.SCHOOL:
        return redirect(reverse("web:school", args=[m.school_id]))
    if m.role == Role.TOWNSHIP:
        return redirect(reverse("web:township", args=[m.township_id]))
    return redirect(reverse("web:county"))
