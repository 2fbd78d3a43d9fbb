"""Demo data for reporting: a draft final proof of use for the demo's 2026 budget
period, with short sample texts. Idempotent: an existing final proof is left as it is,
and nothing happens without the period (load the budget demo first)."""

from django.db import transaction

from kohorte.budget.models import FundingPeriod

from . import services
from .models import ProofOfUse

TEXTS = {
    "goals": "Hauptamtliche Fachkräfte der Gemeinwesenarbeit in Hessen werden in acht "
             "Bausteinen berufsbegleitend qualifiziert; Ziel ist die methodische Sicherheit "
             "in Sozialraumanalyse, Beteiligung und Netzwerkarbeit.",
    "activities": "Die ersten vier Bausteine fanden abwechselnd in Fulda und Wiesbaden statt. "
                  "Die Teilnehmenden haben ihre Praxisprojekte im eigenen Quartier begonnen.",
    "cooperation": "Hochschule Fulda und Hochschule RheinMain teilen Lehre und Koordination; "
                   "die LAG Soziale Brennpunkte Hessen unterstützt bei der Ansprache der Träger.",
    "problems": "Die Reisekosten liegen über dem Plan, gedeckt durch Einsparungen bei den "
                "Sachmitteln.",
    "outlook": "Die Bausteine 5 bis 8 folgen im zweiten Halbjahr; die Evaluation schließt mit "
               "der Nachbefragung ab.",
}


@transaction.atomic
def load_demo_proof(programme, coordinator) -> ProofOfUse | None:
    period = FundingPeriod.objects.filter(programme=programme, title="2026").first()
    if period is None:
        return None
    existing = ProofOfUse.objects.filter(period=period, kind=ProofOfUse.Kind.FINAL).first()
    if existing is not None:
        return existing
    proof = services.proof_of_use_create(period=period, kind=ProofOfUse.Kind.FINAL,
                                         actor=coordinator)
    known = {key: text for key, text in TEXTS.items() if key in proof.texts}
    return services.proof_of_use_update_texts(proof=proof, texts=known, actor=coordinator)
