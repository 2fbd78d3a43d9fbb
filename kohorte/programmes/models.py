from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Funder(models.Model):
    """Who pays (e.g. a state ministry). Names change: they are data, never code."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    former_names = models.CharField(_("former names"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        return self.short_name or self.name


class Institution(models.Model):
    """A partner institution that delivers the programme (e.g. a university)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    # Printed on certificates and reports (PNG, JPEG or SVG).
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.name


class Programme(models.Model):
    """A funded qualification programme; calls and cohorts belong to it."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short identifier"), unique=True)
    funder = models.ForeignKey(Funder, verbose_name=_("funder"), on_delete=models.PROTECT)
    lead_institution = models.ForeignKey(
        Institution, verbose_name=_("lead institution"), on_delete=models.PROTECT,
        related_name="led_programmes",
    )
    partners = models.ManyToManyField(
        Institution, verbose_name=_("partner institutions"), blank=True,
        related_name="partner_programmes",
    )
    budget = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))], default=Decimal("0"),
    )
    period_start = models.DateField(_("funding period start"), null=True, blank=True)
    period_end = models.DateField(_("funding period end"), null=True, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Statistical confidentiality (docs/reporting.md): a count of 1 or 2 in a Kreis can
    # point to a person. Below 3 a withheld count could be worked out again.
    min_cell = models.PositiveSmallIntegerField(
        _("smallest count shown in aggregates"), default=3, validators=[MinValueValidator(3)],
        help_text=_("Counts from 1 up to one less than this are withheld from everyone who "
                    "may not see the applications themselves, such as the funder."))
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_nonnegative"),
            models.CheckConstraint(condition=Q(min_cell__gte=3), name="programme_min_cell_at_least_3"),
        ]

    def __str__(self):
        return self.name


class Region(models.Model):
    """A Kreis or kreisfreie Stadt with its Regierungsbezirk and validity.

    Keyed by its own id, since a new Kreis may not have its official code yet.
    """

    code = models.CharField(_("official code (AGS)"), max_length=12, blank=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    district = models.CharField(_("Regierungsbezirk"), max_length=60)
    nuts3 = models.CharField(_("NUTS-3 code"), max_length=8, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="region_code_validity"),
        ]

    def __str__(self):
        # "Kassel (Landkreis)" and "Kassel (Kreisfreie Stadt)" are two regions.
        return f"{self.name} ({self.kind})" if self.kind else self.name

    def is_valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Organisation(models.Model):
    """A Träger: the municipal or non-profit operator of sites."""

    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("organisation (Träger)")
        verbose_name_plural = _("organisations (Träger)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Site(models.Model):
    """A Quartier office: run by one organisation, in one region."""

    name = models.CharField(_("Quartier"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=120)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation (Träger)"), on_delete=models.PROTECT,
        related_name="sites",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("Kreis"), on_delete=models.PROTECT, related_name="sites"
    )
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("site (Quartier)")
        verbose_name_plural = _("sites (Quartiere)")
        ordering = ["municipality", "name"]

    def __str__(self):
        return f"{self.municipality}: {self.name}"

    def is_funded(self, programme, year):
        return self.fundings.filter(programme=programme, year=year).exists()


class SiteFunding(models.Model):
    """That a programme funded a site in a year (funding changes yearly)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="fundings")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="site_fundings")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("site funding")
        verbose_name_plural = _("site fundings")
        constraints = [
            models.UniqueConstraint(fields=["site", "programme", "year"], name="site_funding_unique"),
        ]

    def __str__(self):
        return f"{self.site} {self.year}"
