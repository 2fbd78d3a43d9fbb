from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def with_email(self, email):
        """The user with this address in any case, found through the unique index on
        lower(email) (``email__iexact`` cannot use it and reads the whole table)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def get_by_natural_key(self, username):
        return self.with_email(username).get()

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            # Applicants never have a password: they sign in by one-time link.
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Staff and applicants share one table; only staff have a password and TOTP."""

    email = models.EmailField(_("e-mail address"), max_length=254)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff"), default=False,
        help_text=_("Staff sign in with password and second factor."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.display_name or self.email

    @cached_property
    def has_course(self):
        """Takes part (or took part) in a course: the header links "My course".
        The backend reads it with the user (accounts.backends)."""
        return self.participations.exists()


class Role(models.Model):
    """A staff member's role in one programme; the permission matrix says what it allows."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        REVIEWER = "reviewer", _("Reviewer")
        LECTURER = "lecturer", _("Lecturer")
        EVALUATOR = "evaluator", _("Evaluator")
        FUNDER = "funder", _("Funder")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    institution = models.ForeignKey(
        "programmes.Institution", verbose_name=_("institution"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "kind"], name="role_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} ({self.programme})"


class LoginToken(models.Model):
    """A one-time sign-in link for an e-mail address.

    Only the SHA-256 of the token is stored. The link opens a page with a button;
    signing in happens on that button's POST, because mail scanners open links.
    """

    email = models.EmailField(max_length=254, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self):
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"
