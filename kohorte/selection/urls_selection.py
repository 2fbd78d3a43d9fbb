"""The selection's pages: the coordinator's under /verwaltung/, the applicant's own under
/bewerbungen/ and /angebote/ (included at the site root)."""

from django.urls import path

from .views import offers, selection

app_name = "selection"
urlpatterns = [
    # The coordinator: runs, pins and exclusions.
    path("verwaltung/ausschreibungen/<int:pk>/auswahl/", selection.call_selection,
         name="call_selection"),
    path("verwaltung/ausschreibungen/<int:pk>/auswahl/vorbereiten/", selection.run_prepare,
         name="run_prepare"),
    path("verwaltung/auswahllaeufe/<int:pk>/", selection.run_detail, name="run_detail"),
    path("verwaltung/auswahllaeufe/<int:pk>/<slug:name>.json", selection.run_download,
         name="run_download"),
    path("verwaltung/auswahllaeufe/<int:pk>/ziehung/", selection.run_draw, name="run_draw"),
    path("verwaltung/auswahllaeufe/<int:pk>/bestaetigen/", selection.run_confirm,
         name="run_confirm"),
    path("verwaltung/auswahllaeufe/<int:pk>/verwerfen/", selection.run_discard,
         name="run_discard"),
    path("verwaltung/bewerbungen/<int:pk>/festlegen/", selection.candidate_edit,
         name="candidate_edit"),
    path("verwaltung/bewerbungen/<int:pk>/vorrang/", selection.candidate_priority,
         name="candidate_priority"),
    # The coordinator: offers, the waiting list, letters, messages to a group.
    path("verwaltung/ausschreibungen/<int:pk>/angebote/", offers.call_offers,
         name="call_offers"),
    path("verwaltung/angebote/<int:pk>/zuruecknehmen/", offers.offer_withdraw,
         name="offer_withdraw"),
    path("verwaltung/ausschreibungen/<int:pk>/briefe/", selection.letter_list,
         name="letter_list"),
    path("verwaltung/ausschreibungen/<int:pk>/briefe/<slug:key>/", selection.letter_edit,
         name="letter_edit"),
    path("verwaltung/ausschreibungen/<int:pk>/nachricht/", selection.group_message,
         name="group_message"),
    # The applicant.
    path("bewerbungen/<int:pk>/auswahl/", offers.application_status, name="application_status"),
    path("bewerbungen/<int:pk>/auswahl/vorrang/", offers.priority_consent,
         name="priority_consent"),
    path("bewerbungen/<int:pk>/auswahl/vorrang/widerrufen/", offers.priority_withdraw,
         name="priority_withdraw"),
    path("angebote/<int:pk>/", offers.offer_detail, name="offer_detail"),
    path("angebote/<int:pk>/annehmen/", offers.offer_accept, name="offer_accept"),
    path("angebote/<int:pk>/ablehnen/", offers.offer_decline, name="offer_decline"),
]
