"""The local model's trained half: fitted from confirmed labels in the background, per source, refitted
only when those labels change, and averaged with the neighbours' vote."""

import numpy as np
import pytest
from django.utils import timezone

from ai_enrichment.embeddings import embedder
from ai_enrichment.label_model import label_model_fit, label_models_for, label_models_refit, label_votes
from ai_enrichment.local_model import LABEL_VECTORS_MIN_EXAMPLES, vote
from ai_enrichment.models import TrainedLabelModel
from ai_enrichment.services import ticket_embeddings_compute
from feedback.services import ticket_label_confirm
from tickets.models import Ticket

BILLING = [
    "I was charged twice for my invoice",
    "Please refund the duplicate payment on my card",
    "Why is my invoice higher than last month?",
    "The VAT on my invoice is wrong",
    "Can I get a refund for the unused months?",
]
TECHNICAL = [
    "The app crashes when I open the reports page",
    "Error 500 when saving a project",
    "Sync with the bank feed keeps failing",
    "The export button does nothing in Firefox",
    "Login page shows a blank screen after the update",
]


def vectors(texts: list[str]) -> np.ndarray:
    return np.asarray(embedder().embed(texts), dtype=np.float32)


def test_it_tells_labels_apart_on_tickets_it_never_saw():
    texts = BILLING + TECHNICAL
    model = label_model_fit(texts=texts, vectors=vectors(texts), labels=["billing"] * 5 + ["technical"] * 5)
    new = ["I need a refund, you charged my card twice", "The reports page crashes with error 500"]
    shares = model.shares(texts=new, vectors=vectors(new))
    assert [max(share, key=share.get) for share in shares] == ["billing", "technical"]
    assert all(sum(share.values()) == pytest.approx(1.0) for share in shares)
    assert model.examples == {"billing": 5, "technical": 5}


def test_with_three_labels_each_has_its_own_share():
    texts = BILLING + TECHNICAL + ["Please add a dark mode", "Could you support Excel exports?"]
    labels = ["billing"] * 5 + ["technical"] * 5 + ["feature_request"] * 2
    model = label_model_fit(texts=texts, vectors=vectors(texts), labels=labels)
    (share,) = model.shares(
        texts=["A dark mode would be nice"], vectors=vectors(["A dark mode would be nice"])
    )
    assert set(share) == {"billing", "technical", "feature_request"}
    assert max(share, key=share.get) == "feature_request"


def test_one_label_is_nothing_to_learn():
    assert label_model_fit(texts=BILLING, vectors=vectors(BILLING), labels=["billing"] * 5) is None


def test_the_models_shares_settle_what_the_neighbours_leave_open():
    neighbours = [("billing", 0.8), ("technical", 0.8)] * 3
    allowed = ["billing", "technical", "other"]
    undecided = vote(neighbours=neighbours, allowed=allowed, fallback="other")
    decided = vote(
        neighbours=neighbours,
        allowed=allowed,
        fallback="other",
        model_shares={"billing": 0.9, "technical": 0.05, "retired_label": 0.05},
    )
    assert undecided.confidence == pytest.approx(0.5, abs=0.02)
    assert decided.label == "billing"
    # Half the neighbours' share and half the model's, the model's renormalised over allowed labels.
    assert decided.confidence == pytest.approx((0.5 + 0.9 / 0.95) / 2, abs=0.02)


def test_the_models_half_shrinks_by_the_share_of_neighbours_labeled_after_its_fit():
    allowed = ["billing", "technical"]
    model_shares = {"billing": 1.0, "technical": 0.0}
    # Three equally near neighbours; one of them was labeled after the fit: the model keeps 2/3 of its half.
    partly = vote(
        neighbours=[("technical", 0.8)] * 2,
        newer_than_model=[("technical", 0.8)],
        allowed=allowed,
        fallback="billing",
        model_shares=model_shares,
    )
    assert (partly.label, partly.confidence) == ("technical", pytest.approx(1 - 1 / 3, abs=0.001))
    # Every neighbour is news to the model: the vote alone decides.
    fresh = vote(
        neighbours=[],
        newer_than_model=[("technical", 0.8)] * 3,
        allowed=allowed,
        fallback="billing",
        model_shares=model_shares,
    )
    assert (fresh.label, fresh.confidence) == ("technical", 1.0)


def test_a_label_no_neighbour_carries_is_unsure_even_when_the_model_picks_it():
    result = vote(
        neighbours=[("billing", 0.6), ("technical", 0.6)] * 2,
        allowed=["billing", "technical", "other"],
        fallback="other",
        model_shares={"billing": 0.0, "technical": 0.0, "other": 1.0},
    )
    assert result.label == "other"
    assert result.confidence == 0.0


def labeled(make_ticket, external_id: str, body: str, category: str, priority: str, **kwargs) -> Ticket:
    ticket = make_ticket(external_id, subject="Question", body=body, **kwargs)
    ticket_label_confirm(ticket=ticket, category=category, priority=priority, origin="import")
    return ticket


@pytest.fixture
def labeled_desk(make_ticket):
    tickets = [labeled(make_ticket, f"B{n}", body, "billing", "medium") for n, body in enumerate(BILLING)]
    tickets += [labeled(make_ticket, f"T{n}", body, "technical", "high") for n, body in enumerate(TECHNICAL)]
    ticket_embeddings_compute(tickets=tickets)
    return tickets


@pytest.mark.parametrize(
    ("per_label", "expected"), [(LABEL_VECTORS_MIN_EXAMPLES - 1, "a"), (LABEL_VECTORS_MIN_EXAMPLES, "b")]
)
def test_the_vote_compares_label_vectors_once_each_label_has_enough_examples(per_label, expected):
    """A ticket near label a's examples by sentence vector and near label b's by label vector: with too
    few examples a label is matched by meaning, with enough by wording (`compares_label_vectors`)."""
    east, north = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    near_east, near_north = np.array([0.8, 0.0, 0.6]), np.array([0.0, 0.8, 0.6])

    [voted] = label_votes(
        train_vectors=np.array([east] * per_label + [north] * per_label),
        train_labels=["a"] * per_label + ["b"] * per_label,
        train_label_vectors=np.array([east] * per_label + [north] * per_label),
        model=None,
        descriptions=None,
        texts=["the ticket"],
        vectors=np.array([near_east]),
        label_vectors=np.array([near_north]),
    )

    assert voted.label == expected


def test_a_refit_fits_each_source_once_until_its_labels_change(labeled_desk, make_ticket):
    source_id = labeled_desk[0].source_id
    assert label_models_refit() == [source_id]
    fits = dict(TrainedLabelModel.objects.values_list("field", "examples"))
    assert fits == {"category": 10, "priority": 10}
    models = label_models_for(source_id=source_id)
    assert set(models) == {"category", "priority"}
    # Every label of the taxonomy: its description is one example of it, besides the labeled tickets.
    assert models["priority"].labels == ("critical", "high", "low", "medium")
    assert models["priority"].examples == {"critical": 1, "high": 6, "low": 1, "medium": 6}

    assert label_models_refit() == []  # nothing changed: nothing refitted
    assert label_models_for(source_id=source_id)["category"] is models["category"]  # nor reloaded

    # An agent corrects one ticket: the next refit takes it in, and the processes load the new fit.
    ticket_label_confirm(ticket=labeled_desk[0], category="complaint", priority="critical")
    assert label_models_refit() == [source_id]
    reloaded = label_models_for(source_id=source_id)
    assert reloaded["category"] is not models["category"]
    assert {
        label: reloaded["category"].examples[label] for label in ("billing", "complaint", "technical")
    } == {
        "billing": 4 + 1,
        "complaint": 1 + 1,
        "technical": 5 + 1,
    }


def test_tickets_without_a_vector_yet_wait_for_the_next_refit(labeled_desk, make_ticket):
    labeled(make_ticket, "LATE", "Where is my receipt for March?", "billing", "low")
    label_models_refit()
    assert TrainedLabelModel.objects.get(field="category").examples == 10

    ticket_embeddings_compute(tickets=[Ticket.objects.get(external_id="LATE")])
    assert label_models_refit() == [labeled_desk[0].source_id]
    assert TrainedLabelModel.objects.get(field="category").examples == 11


def test_a_source_whose_labeled_tickets_are_gone_keeps_no_model(labeled_desk):
    label_models_refit()
    Ticket.objects.filter(source_id=labeled_desk[0].source_id).delete()
    assert label_models_refit() == []
    assert not TrainedLabelModel.objects.exists()
    assert label_models_for(source_id=labeled_desk[0].source_id) == {}


def test_operators_see_each_fit_in_the_admin(labeled_desk, admin_client):
    label_models_refit()
    response = admin_client.get("/admin/ai_enrichment/trainedlabelmodel/")
    assert response.status_code == 200
    assert response.content.decode().count('class="field-examples">10<') == 2
    fit = TrainedLabelModel.objects.get(field="category")
    page = admin_client.get(f"/admin/ai_enrichment/trainedlabelmodel/{fit.pk}/change/")
    assert page.status_code == 200
    assert "scikit-learn" in page.content.decode()


def test_a_spent_time_budget_leaves_the_other_sources_to_the_next_run(labeled_desk, make_ticket):
    from tickets.services import source_create

    other = source_create(name="Second desk").source
    tickets = [ticket_ingest_labeled(other, f"B{n}", body, "billing") for n, body in enumerate(BILLING)]
    tickets += [ticket_ingest_labeled(other, f"T{n}", body, "technical") for n, body in enumerate(TECHNICAL)]
    ticket_embeddings_compute(tickets=tickets)

    first = label_models_refit(time_budget_seconds=0)  # one fit starts, whatever the budget
    assert len(first) == 1
    second = label_models_refit(time_budget_seconds=0)
    assert second != first and len(second) == 1
    assert label_models_refit(time_budget_seconds=0) == []
    assert set(TrainedLabelModel.objects.values_list("source_id", flat=True)) == {
        labeled_desk[0].source_id,
        other.id,
    }


def ticket_ingest_labeled(source, external_id: str, body: str, category: str) -> Ticket:
    from tickets.services import ticket_ingest

    ticket = ticket_ingest(source=source, external_id=external_id, subject="Question", body=body).ticket
    ticket_label_confirm(ticket=ticket, category=category, priority="medium", origin="import")
    return ticket


def test_tickets_without_a_priority_train_only_the_category_model(labeled_desk, make_ticket):
    late = make_ticket("NO-PRIORITY", subject="Question", body="Where do I download my VAT invoice?")
    ticket_label_confirm(ticket=late, category="billing", priority="", origin="import")
    ticket_embeddings_compute(tickets=[late])
    label_models_refit()
    fits = {fit.field: (fit.examples, fit.labeled_tickets) for fit in TrainedLabelModel.objects.all()}
    assert fits == {"category": (11, 11), "priority": (10, 11)}
    assert label_models_for(source_id=late.source_id)["priority"].examples == {
        "critical": 1,
        "high": 5 + 1,
        "low": 1,
        "medium": 5 + 1,
    }


def test_a_fit_that_cannot_be_read_back_leaves_the_vote_to_serve_alone(labeled_desk, make_ticket, settings):
    from ai_enrichment.models import Enrichment
    from ai_enrichment.pipeline import enrich_ticket_batch

    settings.AI_PROVIDER_CHAIN = ["local"]
    label_models_refit()
    TrainedLabelModel.objects.update(artifact=b"not a pickle", fitted_at=timezone.now())
    assert label_models_for(source_id=labeled_desk[0].source_id) == {}

    ticket = make_ticket("NEW", subject="Refund", body="Please refund the duplicate payment on my card")
    enrich_ticket_batch(ticket_id=ticket.id)
    enrichment = Enrichment.objects.get(ticket=ticket, is_current=True)
    assert (enrichment.status, enrichment.provider, enrichment.category) == ("done", "local", "billing")


def test_a_new_desk_gets_labels_from_the_taxonomys_descriptions_but_stays_unsure(make_ticket, settings):
    from ai_enrichment.models import Category, Enrichment
    from ai_enrichment.pipeline import enrich_ticket_batch

    settings.AI_PROVIDER_CHAIN = ["local"]
    Category.objects.filter(slug="billing").update(
        description="Invoices, charges, refunds, payment methods and subscriptions."
    )
    ticket = make_ticket("FIRST", subject="Refund", body="You charged my card twice, please refund me.")
    enrich_ticket_batch(ticket_id=ticket.id)  # no labeled ticket anywhere: only the descriptions know
    enrichment = Enrichment.objects.get(ticket=ticket, is_current=True)
    assert (enrichment.status, enrichment.category) == ("done", "billing")
    assert enrichment.confidence == 0.0  # a description is no confirmed example


UNLABELED_BILLING = [
    "I was charged twice this month, please refund one payment",
    "Refund the double charge on my card for the March invoice",
    "My invoice shows a duplicate payment, I want my money back",
]


def test_a_refit_also_learns_the_unlabeled_tickets_it_is_sure_of(labeled_desk, make_ticket):
    """A desk has more tickets than confirmed labels: the labels the local model is sure of become
    examples of the trained half, while the fit's own count (and the vote) stay with confirmed ones."""
    unlabeled = [
        make_ticket(f"U{n}", subject="Question", body=body) for n, body in enumerate(UNLABELED_BILLING)
    ]
    ticket_embeddings_compute(tickets=unlabeled)

    label_models_refit()

    model = label_models_for(source_id=labeled_desk[0].source_id)["category"]
    assert model.examples["billing"] == 5 + 1 + 3  # confirmed, the description, the sure unlabeled ones
    assert model.examples["technical"] == 5 + 1
    assert TrainedLabelModel.objects.get(field="category").examples == 10


def test_unlabeled_tickets_the_model_is_unsure_of_are_not_learned(labeled_desk, make_ticket, monkeypatch):
    import ai_enrichment.label_model

    monkeypatch.setattr(ai_enrichment.label_model, "SELF_TRAINING_MIN_CONFIDENCE", 1.01)  # sure of none
    unlabeled = [
        make_ticket(f"U{n}", subject="Question", body=body) for n, body in enumerate(UNLABELED_BILLING)
    ]
    ticket_embeddings_compute(tickets=unlabeled)

    label_models_refit()

    model = label_models_for(source_id=labeled_desk[0].source_id)["category"]
    assert model.examples["billing"] == 5 + 1


def test_a_fit_reads_each_categorys_newest_tickets_and_fills_its_budget_with_unlabeled_ones(
    labeled_desk, make_ticket, monkeypatch
):
    """However large a source, a fit reads at most MAX_TRAINING_TICKETS tickets, so it ends within the
    refit task's time; the fingerprint still counts every labeled ticket."""
    import ai_enrichment.label_model

    unlabeled = [
        make_ticket(f"U{n}", subject="Question", body=body) for n, body in enumerate(UNLABELED_BILLING)
    ]
    ticket_embeddings_compute(tickets=unlabeled)
    monkeypatch.setattr(ai_enrichment.label_model, "MAX_TRAINING_TICKETS", 8)  # 4 per category

    label_models_refit()

    fit = TrainedLabelModel.objects.get(field="category")
    assert (fit.examples, fit.labeled_tickets) == (8, 10)
    model = label_models_for(source_id=labeled_desk[0].source_id)["category"]
    assert (model.examples["billing"], model.examples["technical"]) == (4 + 1, 4 + 1), "no room for unlabeled"

    # The oldest billing ticket was left out; corrected now, it is the newest and is read.
    ticket_label_confirm(ticket=labeled_desk[0], category="technical", priority="high")
    monkeypatch.setattr(ai_enrichment.label_model, "MAX_TRAINING_TICKETS", 11)  # 5 per category, 2 unlabeled
    monkeypatch.setattr(ai_enrichment.label_model, "SELF_TRAINING_MIN_CONFIDENCE", 0.0)  # learn all read
    assert label_models_refit() == [labeled_desk[0].source_id]
    model = label_models_for(source_id=labeled_desk[0].source_id)["category"]
    descriptions = len(model.labels)  # one example of each label of the taxonomy
    assert (
        TrainedLabelModel.objects.get(field="category").examples == 5 + 4
    )  # technical's newest 5, billing's 4
    assert sum(model.examples.values()) == 5 + 4 + descriptions + 2
