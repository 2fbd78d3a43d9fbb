from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import KernForm
from .models import SiteText


def _site_text(key):
    text = SiteText.objects.filter(key=key).first()
    return text.body_for(get_language()) if text else "", text


def home(request):
    from kohorte.applications.selectors import call_list_open

    easy, easy_obj = _site_text(SiteText.Key.EASY_LANGUAGE)
    return render(request, "core/home.html", {
        "calls": call_list_open(now=timezone.now()),
        "easy_language": easy,
        "sign_language_video": easy_obj.sign_language_video if easy_obj else "",
    })


def _text_page(request, key, title):
    body, _obj = _site_text(key)
    return render(request, "core/text_page.html", {"title": title, "body": body})


def imprint(request):
    return _text_page(request, SiteText.Key.IMPRINT, _("Imprint"))


def privacy(request):
    return _text_page(request, SiteText.Key.PRIVACY, _("Privacy"))


class FeedbackForm(KernForm):
    page = forms.CharField(label=_("Which page?"), max_length=300, required=False,
                           help_text=_("The address or the name of the page."))
    message = forms.CharField(label=_("What did not work for you?"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    email = forms.EmailField(label=_("Your e-mail address"), required=False,
                             help_text=_("Only if you want an answer. We use it for nothing else."))


@require_http_methods(["GET", "POST"])
def accessibility(request):
    from kohorte.core.services import accessibility_feedback_submit

    body, _obj = _site_text(SiteText.Key.ACCESSIBILITY)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            accessibility_feedback_submit(**form.cleaned_data)
            messages.success(request, _("Thank you. We have received your message."))
            return redirect("core:accessibility")
        status = 400
    else:
        status = 200
    return render(request, "core/accessibility.html", {"body": body, "form": form},
                  status=status)
