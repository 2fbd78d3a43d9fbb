"""The demo's draft proof of use."""

from kohorte.budget.demo import load_demo_budget

from ..demo import load_demo_proof
from ..models import ProofOfUse


def test_the_demo_proof_is_a_draft_with_texts_and_is_made_once(personas):
    p = personas
    assert load_demo_proof(p.programme, p.coordinator) is None  # no budget yet
    load_demo_budget(p.programme, p.coordinator, p.coordinator2)
    proof = load_demo_proof(p.programme, p.coordinator)
    assert proof.state == ProofOfUse.State.DRAFT and proof.kind == ProofOfUse.Kind.FINAL
    assert all(proof.texts[key] for key in ("goals", "activities", "outlook"))
    assert load_demo_proof(p.programme, p.coordinator).pk == proof.pk
    assert ProofOfUse.objects.count() == 1
