"""The course: a cohort, its schedule, attendance, practice projects and certificates.

One module per area; each area's services, views and tests live beside it
(``services/<area>.py``, ``views/<area>.py``, ``tests/test_<area>_*.py``).
"""

from .attendance import Attendance
from .certificates import Certificate, CertificateBatch, CertificateSignatory
from .cohort import Cohort, Material, Module, Participant, Session
from .projects import PracticeProject, ProjectFeedback, ProjectVersion

__all__ = [
    "Attendance",
    "Certificate",
    "CertificateBatch",
    "CertificateSignatory",
    "Cohort",
    "Material",
    "Module",
    "Participant",
    "PracticeProject",
    "ProjectFeedback",
    "ProjectVersion",
    "Session",
]
