from django.urls import path

from . import views, views_dashboard, views_proof

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("ausschreibungen/<int:pk>/zahlen/", views.call_figures, name="call_figures"),
    # Proof of use (Verwendungsnachweis)
    path("nachweise/<slug:slug>/", views_proof.proof_list, name="proof_list"),
    path("nachweis/<int:pk>/", views_proof.proof_detail, name="proof_detail"),
    path("nachweis/<int:pk>/texte/", views_proof.proof_texts, name="proof_texts"),
    path("nachweis/<int:pk>/einreichen/", views_proof.proof_submit, name="proof_submit"),
    path("nachweis/<int:pk>/pdf/", views_proof.proof_pdf_download, name="proof_pdf"),
    path("nachweis/<int:pk>/xlsx/", views_proof.proof_xlsx_download, name="proof_xlsx"),
    # The funder's dashboard
    path("geldgeber/<slug:slug>/", views_dashboard.dashboard, name="funder_dashboard"),
]
