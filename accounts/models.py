from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    """A candidate (or an author or admin: the same table, told apart by groups and flags)."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=80, blank=True, help_text="How we greet you. Leave blank to use your username."
    )
    extra_time_accommodation = models.BooleanField(
        "+30 minutes: English is not my first language",
        default=False,
        help_text="AWS grants this accommodation on request; mock exams then add the "
        "blueprint's extra minutes to the time.",
    )

    class TextSize(models.TextChoices):
        NORMAL = "normal", "Normal text"
        LARGE = "large", "Large text"
        LARGER = "larger", "Larger text"

    # The exam screens' zoom, as the real exam's: chosen on any page, kept for every device.
    text_size = models.CharField(max_length=6, choices=TextSize.choices, default=TextSize.NORMAL)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")
