from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.template import loader

from accounts.models import User
from accounts.tasks import send_email
from quiz.bank.blueprint import DEFAULT_BLUEPRINT_CODE
from quiz.queue import enqueue


class BoundedUsernameMixin:
    """Refuse a username longer than any account's before it is authenticated.

    Django's login form shows the limit but does not check it, and axes records every failed
    attempt's username in a 255-character column: on PostgreSQL a longer one failed with a 500
    (found by the hostile-input sweep)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]  # type: ignore[attr-defined]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        # Whether the address is taken is never said here: the sign-up view answers the same
        # either way and mails the owner.
        return self.cleaned_data["email"].strip()

    def validate_unique(self) -> None:
        # The model's unique email check would say it on the form; the view handles it.
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "exam", "extra_time_accommodation")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Say what "no choice" means rather than Django's dashes.
        self.fields["exam"].empty_label = f"Not chosen ({DEFAULT_BLUEPRINT_CODE} is shown)"


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the message handed to the background queue instead of sent in
    the request: the page answers at once whatever the mail server does (and says the same
    thing whether or not the address has an account, as before)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        html = ""
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
        enqueue(
            send_email,
            subject=subject,
            body=loader.render_to_string(email_template_name, context),
            to=[to_email],
            from_email=from_email,
            html=html,
        )
