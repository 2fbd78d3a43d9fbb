from django.conf import settings


def site(request):
    """What every page needs to know about the installation."""
    return {"SITE_URL": settings.SITE_URL, "PRODUCTION": settings.PRODUCTION}
