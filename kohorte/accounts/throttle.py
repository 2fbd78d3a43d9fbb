"""django-axes, which throttles failed staff sign-ins, told apart from the sign-ins
it has nothing to do with."""

from axes.handlers.database import AxesDatabaseHandler


class StaffSignInHandler(AxesDatabaseHandler):
    """Axes' database handler, which counts failed password sign-ins: only staff have
    passwords (accounts.services refuses staff an e-mail link). After an applicant's
    sign-in or sign-out by e-mail link there are no failures of theirs to reset, and
    the handler's clean-up of expired failures then cost every applicant four
    statements, two of them write transactions that wait for SQLite's one write lock.
    Staff sign-ins, failures and sign-outs keep all of axes' work (the clean-up runs
    with them)."""

    def user_logged_in(self, sender, request, user, **kwargs):
        if user.is_staff:
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if user is not None and user.is_staff:
            super().user_logged_out(sender, request, user, **kwargs)
