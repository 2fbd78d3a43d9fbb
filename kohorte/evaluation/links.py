"""Links the evaluation adds to the course's cohort page (``cohort_links``; the lead
wires it in, e.g. through a setting like KOHORTE_CALL_PAGE_LINKS)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kohorte.core.access import can
from kohorte.core.extensions import Link


def cohort_links(*, user, cohort) -> list[Link]:
    """The cohort's surveys (response counts), the programme's instruments, the report
    and the pseudonym key, each only for those allowed."""
    programme = cohort.programme
    found = []
    if can(user, programme, "survey", "responses"):
        found.append(Link(_("Surveys"), reverse("evaluation:survey_list", args=[cohort.pk])))
    if can(user, programme, "survey", "manage"):
        found.append(Link(_("Survey instruments"),
                          reverse("evaluation:instrument_list", args=[programme.slug])))
    if can(user, programme, "evaluation_report", "view"):
        found.append(Link(_("Evaluation report"),
                          reverse("evaluation:report_cohort", args=[cohort.pk])))
    if can(user, programme, "pseudonym_key", "manage"):
        found.append(Link(_("Pseudonym key"),
                          reverse("evaluation:keys_destroy", args=[cohort.pk])))
    return found


def module_links(*, user, module) -> list[Link]:
    """For the course's module page: the summary of the module's feedback, for
    coordinators and evaluators, and for lecturers of that module."""
    cohort = module.cohort
    programme = cohort.call.programme
    if not can(user, programme, "module_feedback", "view"):
        return []
    if not (can(user, programme, "cohort", "manage")
            or can(user, programme, "survey", "responses")
            or module.lecturers.filter(pk=user.pk).exists()):
        return []
    return [Link(_("Feedback on this module"),
                 reverse("evaluation:report_module_feedback", args=[module.pk]))]
