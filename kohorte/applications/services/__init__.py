"""Business actions on calls and applications (one function per action)."""

from .calls import call_close, call_publish  # noqa: F401
from .documents import document_upload, release_upload_open  # noqa: F401
from .eligibility import eligibility_assess, eligibility_override  # noqa: F401
from .erasure import erasure_request_decide  # noqa: F401
from .references import reference_next_number, reference_next_number_set  # noqa: F401
from .submission import (  # noqa: F401
    ApplicationClosed,
    application_erasure_request,
    application_save_step,
    application_start,
    application_submit,
    application_submit_own,
    application_withdraw,
    missing_steps,
)
