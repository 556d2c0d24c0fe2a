from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


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
        fields = ("display_name", "extra_time_accommodation")
