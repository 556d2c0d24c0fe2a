from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import ProfileForm, SignupForm
from accounts.models import Throttle, User
from config.proxy import client_ip
from quiz.http import blueprint_or_404, next_url, parse_code

MAIL_WINDOW = timedelta(hours=1)


def site_link(path: str) -> str:
    """An absolute link for a mail, from ``SITE_URL``: never from the request's Host header,
    which the client chooses."""
    return settings.SITE_URL.rstrip("/") + path


def mail_allowed(request: HttpRequest, email: str) -> bool:
    """Whether the site may send one more account mail (reset, sign-up) to ``email`` for this
    client; counts it when so. Throttled per address and per client address (proxy-aware, as
    login is), in the database so that every worker and server shares the count."""
    now = timezone.now()
    keys = [
        (f"mail:address:{email.strip().lower()}", settings.ACCOUNT_MAILS_PER_ADDRESS),
        (f"mail:client:{client_ip(request)}", settings.ACCOUNT_MAILS_PER_CLIENT),
    ]
    if any(
        Throttle.objects.count_for(key, window=MAIL_WINDOW, now=now) >= limit for key, limit in keys
    ):
        return False
    for key, _ in keys:
        Throttle.objects.record(key, window=MAIL_WINDOW, now=now)
    return True


def too_many_mails(form) -> None:
    form.add_error(
        None,
        ValidationError(
            "Too many emails were requested for this address or from your network. "
            "Wait an hour, then try again.",
            code="throttled",
        ),
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, throttled, with the link built from ``SITE_URL``.

    An unknown address sees exactly what a known one sees (the "sent" page, or the throttle
    message: the throttle counts addresses whether or not they have an account).
    """

    def form_valid(self, form):
        if not mail_allowed(self.request, form.cleaned_data["email"]):
            too_many_mails(form)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return redirect(self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, locked like login after repeated wrong old passwords.

    A stolen session must not become a way to guess the password: after
    ``AXES_FAILURE_LIMIT`` wrong old passwords the form is refused for ``AXES_COOLOFF_HOURS``,
    even with the right one.
    """

    def _key(self) -> str:
        return f"password-change:user:{self.request.user.pk}"

    def _window(self) -> timedelta:
        return timedelta(hours=settings.AXES_COOLOFF_TIME)

    def post(self, request, *args, **kwargs):
        failures = Throttle.objects.count_for(
            self._key(), window=self._window(), now=timezone.now()
        )
        if failures >= settings.AXES_FAILURE_LIMIT:
            return TemplateResponse(
                request, "accounts/locked_out.html", {"password_change": True}, status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            Throttle.objects.record(self._key(), window=self._window(), now=timezone.now())
        return super().form_invalid(form)

    def form_valid(self, form):
        Throttle.objects.clear(self._key())
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an inactive account and mail its activation link.

    Whether the address already has an account is never shown: the answer is the same "check
    your inbox" page, and the owner of a taken address gets a mail saying someone tried (with
    the activation link again if their account was never activated).
    """
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not mail_allowed(request, email):
            too_many_mails(form)
            return TemplateResponse(request, "accounts/signup.html", {"form": form}, status=429)
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            user = form.save(commit=False)
            user.is_active = False
            user.save()
            _send_activation(user)
        elif not existing.is_active:
            _send_activation(existing)
        else:
            _send_mail(existing, "accounts/mail/signup_taken.txt", {"user": existing})
        return redirect("accounts:signup_done")
    return TemplateResponse(request, "accounts/signup.html", {"form": form})


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "accounts/signup_done.html")


@require_GET
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Activate the account the mailed link names, and log its owner in."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode("ascii")))
    except (ValueError, UnicodeDecodeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return TemplateResponse(request, "accounts/activation_invalid.html", status=400)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Welcome to examprep. Your account is ready.")
    return redirect("home")


def _send_activation(user: User) -> None:
    path = reverse(
        "accounts:activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    _send_mail(user, "accounts/mail/activate.txt", {"user": user, "link": site_link(path)})


def _send_mail(user: User, template: str, context: dict) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    text = render_to_string(template, context)
    subject, _, body = text.partition("\n")
    send_mail(subject.strip(), body.lstrip(), None, [user.email])


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")
    return TemplateResponse(request, "accounts/profile.html", {"form": form})


@login_required
@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Remember the candidate's text size; back to the page it was chosen on (204 for the
    script, which has already applied it)."""
    size = request.POST.get("size", "")
    if size not in User.TextSize.values:
        return HttpResponse("Unknown text size.", status=400, content_type="text/plain")
    User.objects.filter(pk=request.user.pk).update(text_size=size)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return HttpResponseRedirect(next_url(request, default=reverse("home")))


@login_required
@require_POST
def exam(request: HttpRequest) -> HttpResponse:
    """Remember the exam the candidate prepares for; back to the page it was chosen on.

    A malformed code is a 400 and an unknown one a 404; neither changes the profile.
    """
    blueprint = blueprint_or_404(parse_code(request.POST.get("blueprint"), name="blueprint"))
    User.objects.filter(pk=request.user.pk).update(exam=blueprint)
    messages.success(request, f"You are preparing for {blueprint.code}: {blueprint.name}.")
    return HttpResponseRedirect(next_url(request, default=reverse("home")))
