"""The practice project: the participant writes a plan, later a report; a lecturer
answers each with written feedback and a verdict.

The states and their order are ``PracticeProject.TRANSITIONS``. A part is a draft until
the participant submits it; a submitted part is read-only until the feedback sends it
back for revision, because the lecturer's verdict must be about the text they read.
Every change is audited; feedback reaches the participant by e-mail (outbox, same
transaction), with a link that only opens their project page.
"""

from datetime import date, timedelta

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kohorte.core.audit import audit_record
from kohorte.core.uploads import upload_content_type
from kohorte.notifications.services import mail_enqueue

from ..models import Cohort, Participant, PracticeProject, ProjectFeedback, ProjectVersion

STAGES = ("plan", "report")
# Judged by the file's content, never by its name or the browser's claim.
ALLOWED_FILE_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
# Office files are ZIP archives: their type shows in the names of the first entries.
SNIFF_BYTES = 64 * 1024
TEXT_LIMITS = {"plan": 10000, "report": 20000}
REMIND_DAYS_BEFORE = 7


def sniff_file_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind and kind.mime in ALLOWED_FILE_TYPES else None


def project_file_check(uploaded_file) -> str:
    """The file's content type if it may be stored; a translated error otherwise."""
    return upload_content_type(
        uploaded_file, allowed=ALLOWED_FILE_TYPES, sniff_bytes=SNIFF_BYTES,
        wrong_type_message=_("Please upload a PDF, DOCX, ODT, JPEG or PNG file."))


def text_limit_error(stage: str, text: str) -> ValidationError | None:
    limit = TEXT_LIMITS[stage]
    if len(text) <= limit:
        return None
    return ValidationError(
        _("Please shorten the text to %(limit)s characters; it has %(count)s."),
        code="max_length", params={"limit": number_format(limit, force_grouping=True),
                                   "count": number_format(len(text), force_grouping=True)})


def _locked_project(participant) -> PracticeProject:
    """The participant's project row, made on first use, locked for the change."""
    project, _created = PracticeProject.objects.get_or_create(participant=participant)
    return PracticeProject.objects.select_for_update().get(pk=project.pk)


def _move(project, state):
    if not project.can_move_to(state):
        raise ValidationError(
            _("The project is in the state “%(state)s” and cannot change like this."),
            code="state", params={"state": project.get_state_display()})
    project.state = state


@transaction.atomic
def project_save_draft(*, participant: Participant, stage: str, text: str, actor,
                       title: str | None = None, uploaded_file=None,
                       remove_file: bool = False, now=None) -> PracticeProject:
    """Keep the participant's draft of the plan or the report.

    Only the part the project's state lets them write (the plan before it is accepted,
    then the report), and only while they take part in the course.
    """
    if stage not in STAGES:
        raise ValueError(stage)
    now = now or timezone.now()
    if participant.state != Participant.State.ACTIVE:
        raise ValidationError(_("Only people taking part in the course can work on a "
                                "practice project."), code="left")
    project = _locked_project(participant)
    if project.editable_stage != stage:
        raise ValidationError(_("This part of the project cannot be changed now."),
                              code="state")
    text = (text or "").strip()
    if error := text_limit_error(stage, text):
        raise ValidationError({"text": error})
    fields = [stage]
    setattr(project, stage, text)
    if stage == "plan" and title is not None:
        project.title = title.strip()[:200]
        fields.append("title")
    file_field, name_field = f"{stage}_file", f"{stage}_file_name"
    old_file = getattr(project, file_field)
    old_name = old_file.name or ""
    if uploaded_file is not None:
        project_file_check(uploaded_file)
        name = (uploaded_file.name or "datei").replace("\\", "/").rsplit("/", 1)[-1][:200]
        getattr(project, file_field).save(name, uploaded_file, save=False)
        setattr(project, name_field, name)
        fields += [file_field, name_field]
    elif remove_file and old_name:
        setattr(project, file_field, "")
        setattr(project, name_field, "")
        fields += [file_field, name_field]
    project.save(update_fields=[*fields, "updated_at"])
    if old_name and old_name != getattr(project, file_field).name and \
            not project.versions.filter(file=old_name).exists():
        # A replaced or removed file that no handed-in version holds is kept by nobody:
        # delete it once the change holds.
        storage = old_file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    audit_record(actor=actor, action=f"project.{stage}_draft_saved", obj=project,
                 data={"participant": participant.pk, "characters": len(text),
                       "file": bool(getattr(project, file_field))})
    return project


def missing_for_submit(project: PracticeProject, stage: str) -> list[str]:
    """What a part still lacks before it can be submitted, in words."""
    missing = []
    if stage == "plan" and not project.title.strip():
        missing.append(_("a title"))
    if not getattr(project, stage).strip():
        missing.append(_("the text of the plan") if stage == "plan"
                       else _("the text of the report"))
    return missing


@transaction.atomic
def project_submit(*, participant: Participant, stage: str, actor,
                   now=None) -> PracticeProject:
    """Hand in the plan or the report for feedback. From then on it is read-only until
    a lecturer sends it back for revision."""
    if stage not in STAGES:
        raise ValueError(stage)
    now = now or timezone.now()
    if participant.state != Participant.State.ACTIVE:
        raise ValidationError(_("Only people taking part in the course can work on a "
                                "practice project."), code="left")
    project = _locked_project(participant)
    if project.editable_stage != stage:
        raise ValidationError(_("This part of the project cannot be submitted now."),
                              code="state")
    if missing := missing_for_submit(project, stage):
        raise ValidationError(_("Please add %(missing)s before you submit."),
                              code="incomplete", params={"missing": ", ".join(missing)})
    _move(project, PracticeProject.State.PLAN_SUBMITTED if stage == "plan"
          else PracticeProject.State.REPORT_SUBMITTED)
    setattr(project, f"{stage}_submitted_at", now)
    project.save(update_fields=["state", f"{stage}_submitted_at", "updated_at"])
    # The part as handed in: a later revision is written on the project and handed in as
    # the next version, this one stays as the lecturer read it.
    number = project.versions.filter(stage=stage).count() + 1
    ProjectVersion.objects.create(
        project=project, stage=stage, number=number,
        title=project.title if stage == "plan" else "", text=getattr(project, stage),
        file=getattr(project, f"{stage}_file").name or "",
        file_name=getattr(project, f"{stage}_file_name"), submitted_at=now)
    audit_record(actor=actor, action=f"project.{stage}_submitted", obj=project,
                 data={"participant": participant.pk})
    return project


@transaction.atomic
def project_feedback_give(*, project: PracticeProject, verdict: str, text: str, actor,
                          now=None) -> ProjectFeedback:
    """A lecturer's (or coordinator's) written feedback on the submitted part, with the
    verdict: accepted moves the project on, revision lets the participant write again.
    The participant is told by e-mail; the feedback is never edited afterwards."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Please write your feedback.")}, code="required")
    if verdict not in ProjectFeedback.Verdict.values:
        raise ValidationError({"verdict": _("Please choose a verdict.")}, code="invalid")
    project = (PracticeProject.objects.select_for_update(of=("self",))
               .select_related("participant__cohort__call__programme").get(pk=project.pk))
    stage = project.awaiting_feedback
    if stage is None:
        raise ValidationError(_("Nothing is waiting for feedback on this project."),
                              code="state")
    accepted = verdict == ProjectFeedback.Verdict.ACCEPTED
    target = {("plan", True): PracticeProject.State.PLAN_ACCEPTED,
              ("plan", False): PracticeProject.State.PLAN_REVISION,
              ("report", True): PracticeProject.State.ACCEPTED,
              ("report", False): PracticeProject.State.REPORT_REVISION}[(stage, accepted)]
    _move(project, target)
    fields = ["state", "updated_at"]
    if target == PracticeProject.State.ACCEPTED:
        project.accepted_at = now
        fields.append("accepted_at")
    project.save(update_fields=fields)
    version = project.versions.filter(stage=stage).order_by("-number").first()
    feedback = ProjectFeedback.objects.create(project=project, stage=stage, verdict=verdict,
                                              text=text, author=actor, created_at=now,
                                              version=version)
    audit_record(actor=actor, action="project.feedback", obj=project,
                 data={"stage": stage, "verdict": verdict, "feedback": feedback.pk,
                       "participant": project.participant_id})
    participant = project.participant
    mail_enqueue(to=participant.email, template="course_project_feedback",
                 context={"participant": participant, "cohort": participant.cohort,
                          "project": project, "feedback": feedback},
                 about=participant, idempotency_key=f"course-project-feedback-{feedback.pk}")
    return feedback


@transaction.atomic
def cohort_project_dates_set(*, cohort: Cohort, plan_due: date | None,
                             report_due: date | None, actor) -> Cohort:
    """Set when plans and reports are due. A moved date is reminded of again."""
    if plan_due and report_due and report_due < plan_due:
        raise ValidationError({"project_report_due": _(
            "The report cannot be due before the plan.")}, code="order")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = {"plan": cohort.project_plan_due, "report": cohort.project_report_due}
    cohort.project_plan_due, cohort.project_report_due = plan_due, report_due
    cohort.save(update_fields=["project_plan_due", "project_report_due"])
    projects = PracticeProject.objects.filter(participant__cohort=cohort)
    if before["plan"] != plan_due:
        projects.update(reminded_plan_at=None)
    if before["report"] != report_due:
        projects.update(reminded_report_at=None)
    audit_record(actor=actor, action="cohort.project_dates_set", obj=cohort, data={
        "plan_due": [d.isoformat() if d else None for d in (before["plan"], plan_due)],
        "report_due": [d.isoformat() if d else None for d in (before["report"], report_due)],
    })
    return cohort


# Whose turn it is: a reminder goes only to those who still have to hand something in.
REMIND_STATES = {
    "plan": {PracticeProject.State.NOT_STARTED, PracticeProject.State.PLAN_REVISION},
    "report": {PracticeProject.State.NOT_STARTED, PracticeProject.State.PLAN_SUBMITTED,
               PracticeProject.State.PLAN_REVISION, PracticeProject.State.PLAN_ACCEPTED,
               PracticeProject.State.REPORT_REVISION},
}


def reminder_window(due: date) -> tuple[date, date]:
    return due - timedelta(days=REMIND_DAYS_BEFORE), due


@transaction.atomic
def project_remind(*, participant: Participant, stage: str, now=None) -> bool:
    """Remind the participant once that their plan or report is due in a week.

    Nothing happens when they left, already handed it in, were reminded for this stage
    or the day is outside the week before the due date; so the job may run often.
    """
    now = now or timezone.now()
    participant = Participant.objects.select_related("cohort").get(pk=participant.pk)
    due = getattr(participant.cohort, f"project_{stage}_due")
    today = timezone.localdate(now)
    if participant.state != Participant.State.ACTIVE or due is None:
        return False
    start, end = reminder_window(due)
    if not start <= today <= end:
        return False
    project = _locked_project(participant)
    if getattr(project, f"reminded_{stage}_at") is not None or project.state not in REMIND_STATES[stage]:
        return False
    setattr(project, f"reminded_{stage}_at", now)
    project.save(update_fields=[f"reminded_{stage}_at"])
    audit_record(actor=None, action=f"project.{stage}_reminded", obj=project,
                 data={"participant": participant.pk, "due": due.isoformat()})
    mail_enqueue(to=participant.email, template="course_project_reminder",
                 context={"participant": participant, "cohort": participant.cohort,
                          "stage": stage, "due": due},
                 about=participant,
                 idempotency_key=f"course-project-remind-{stage}-{participant.pk}-{due.isoformat()}")
    return True
