from django.core.management.base import BaseCommand

from kohorte.demo import programme


class Command(BaseCommand):
    help = "Load the demo programme (idempotent; refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=60)

    def handle(self, *args, applications, **options):
        result = programme.load(applications=applications)
        self.stdout.write(
            f"Demo: {result['programme']} – {result['call']}: {result['sites']} sites, "
            f"{result['applications_created']} new sample applications."
        )
        if result.get("course") not in (None, "exists"):
            self.stdout.write(
                f"Demo course: {result['course']}: {result['participants']} participants, "
                f"{result['attendance']} attendance entries, {result['completed']} completed."
            )
