"""The local model: suggestions computed on this machine, from agents' confirmed labels and the
knowledge base. It serves when there is no API key, when data must not leave the machine, and as the
last link of the fallback chain.

- Category and priority: a similarity-weighted vote of the nearest confirmed tickets (pgvector, by
  their label vectors: `embeddings.minilm_onnx_export`), averaged with a linear model refitted in the
  background (`label_model`). Every confirmation is a row
  the next query sees, so the vote learns from each correction at once; the model, at its next refit.
- Summary: extractive — the most central sentences of the ticket (by shared words), never invented text.
- Reply: the accepted reply of a very similar resolved ticket, or the best knowledge-base passage,
  adapted only by templating (the greeting, and the model's own few sentences in the ticket's
  language); with neither, a reply that says so.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ai_enrichment.retrieval import Passage, SimilarTicket
from ai_enrichment.validation import SENTENCE_END
from tickets.models import Ticket

NEIGHBOURS = 15
# Softmax temperature over cosine similarities: near neighbours dominate the vote. Chosen on BANKING77's
# folds: with label vectors, 0.03 is the best balance of all the data (0.02 is better there) and 10
# examples per intent (0.05 is better there); BENCHMARKS.md.
TEMPERATURE = 0.03
# The vote compares label vectors once the labels have this many confirmed tickets each, on average
# (`compares_label_vectors`).
LABEL_VECTORS_MIN_EXAMPLES = 8
MIN_EXAMPLES = 3  # a label seen fewer times among the neighbours is reported as unsure
REUSE_REPLY_SIMILARITY = 0.8  # a past reply is reused only for a near-duplicate question
SUMMARY_SENTENCES = 2
MIN_SENTENCE_WORDS = 4
GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|hola|bonjour|buongiorno)\b[^\n]*\n+", re.I
)
CONTENT_WORD = re.compile(
    r"\w[\w'-]{2,}"
)  # 3+ characters: drops "a", "to", "de", "la"; English stop words go too
SENTENCE_SPLIT = re.compile(r"(?<=[.!?。！？])\s+|\n+")  # sentence ends, and line breaks (emails are lines)
NEGATIVE = re.compile(
    r"\b(unacceptable|angry|furious|terrible|worst|ridiculous|disappointed|frustrat\w*|annoy\w*|scam|fraud|cancel|refund|complain\w*|still not|again)\b",
    re.I,
)
POSITIVE = re.compile(r"\b(thank you|thanks|great|love|appreciate|awesome|excellent|happy)\b", re.I)


@dataclass(frozen=True)
class LabelVote:
    label: str
    confidence: float


def vote(
    *,
    neighbours: list[tuple[str, float]],
    allowed: list[str],
    fallback: str,
    model_shares: dict[str, float] | None = None,
    descriptions: list[tuple[str, float]] = (),
    newer_than_model: list[tuple[str, float]] = (),
) -> LabelVote:
    """Similarity-weighted vote among (label, similarity) pairs, averaged with the trained model's shares
    when there is a model (`label_model`).

    `descriptions` are the labels' own descriptions with their similarity to the ticket: each votes like
    one more neighbour when it is among the NEIGHBOURS nearest, so a new desk gets labels from its
    taxonomy, but it is no confirmed example. `newer_than_model` are confirmed neighbours whose label
    changed after the model's fit: they vote like `neighbours`, and the model's half shrinks by their
    share of the vote. The model learned their old label, or none, so near a fresh correction the vote
    decides until the next refit. Confidence is the winner's share, scaled down when fewer
    than MIN_EXAMPLES confirmed neighbours carry it (too few examples like this ticket to be sure)."""
    candidates = sorted(
        [(label, similarity, True, True) for label, similarity in neighbours]
        + [(label, similarity, True, False) for label, similarity in newer_than_model]
        + [(label, similarity, False, True) for label, similarity in descriptions],
        key=lambda candidate: -candidate[1],
    )[: max(NEIGHBOURS, len(neighbours) + len(newer_than_model))]
    weights: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    news_to_model = 0.0  # the weight of neighbours labeled after the fit
    for label, similarity, confirmed, learned in candidates:
        if label in allowed:
            weight = math.exp(similarity / TEMPERATURE)
            weights[label] += weight
            counts[label] += confirmed
            news_to_model += 0.0 if learned else weight
    if not weights:
        return LabelVote(fallback, 0.0)
    total = sum(weights.values())
    shares = {label: weight / total for label, weight in weights.items()}
    model_total = sum(model_shares.get(label, 0.0) for label in allowed) if model_shares else 0.0
    if model_total > 0:
        # Half and half, less what the model has not learned yet. Labels it was not trained on (new, or
        # deactivated since) take no part in its half.
        model_weight = (1 - news_to_model / total) / 2
        shares = {
            label: (1 - model_weight) * shares.get(label, 0.0)
            + model_weight * model_shares.get(label, 0.0) / model_total
            for label in allowed
        }
    winner = max(shares, key=shares.get)
    support = min(counts[winner] / MIN_EXAMPLES, 1.0)
    return LabelVote(winner, round(shares[winner] * support, 3))


def compares_label_vectors(*, confirmed_per_label: float) -> bool:
    """Whether the vote finds and weighs neighbours by label vectors rather than sentence vectors.

    Label vectors keep a ticket's wording (`embeddings.minilm_onnx_export`). Wording is what many
    examples of a label share, but one or two examples are matched better by meaning: on BANKING77,
    label vectors lose 3.6 points with 1 example per intent and 0.3 with 5, and gain 0.3 with 10 and
    0.1–0.2 with all (~104). Hence the switch between 5 and 10 (BENCHMARKS.md)."""
    return confirmed_per_label >= LABEL_VECTORS_MIN_EXAMPLES


def extractive_summary(text: str, *, subject: str, max_chars: int) -> str:
    """The most central sentences, in their original order: those that share the most content words
    with the subject and the rest of the ticket (LexRank's centroid, on word counts).

    Words, not the embedding model: ranking by sentence embeddings read as well on the demo tickets but
    cost a model call of ~25 ms for every ticket of three sentences or more (BENCHMARKS.md)."""
    sentences = [s.strip() for s in SENTENCE_SPLIT.split(text) if len(s.strip()) > 3]
    # Greetings, sign-offs and names ("Hello,", "Thanks,", "Arjun") say nothing about the problem, and
    # dropping them often leaves two sentences or fewer: then there is nothing to rank.
    substantive = [s for s in sentences if len(s.split()) >= MIN_SENTENCE_WORDS]
    sentences = substantive or sentences
    if not sentences:
        return text.strip()[:max_chars] or "(empty ticket)"
    if len(sentences) > SUMMARY_SENTENCES:
        centrality = _centrality(subject=subject, sentences=sentences)
        best = sorted(sorted(range(len(sentences)), key=lambda i: -centrality[i])[:SUMMARY_SENTENCES])
        sentences = [sentences[i] for i in best]
    summary = " ".join(" ".join(s.split()) for s in sentences[:SUMMARY_SENTENCES])
    if len(SENTENCE_END.findall(summary)) > SUMMARY_SENTENCES or len(summary) > max_chars:
        summary = " ".join(sentences[0].split())  # one sentence is always a valid summary
    if len(summary) > max_chars:
        summary = summary[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return summary


def _centrality(*, subject: str, sentences: list[str]) -> list[float]:
    """Each sentence's cosine with the mean of the subject's and all sentences' word-count vectors."""
    vectors = []
    for part in [subject, *sentences]:
        counts = Counter(
            word for word in CONTENT_WORD.findall(part.lower()) if word not in ENGLISH_STOP_WORDS
        )
        norm = math.sqrt(sum(n * n for n in counts.values())) or 1.0
        vectors.append({word: n / norm for word, n in counts.items()})
    centre: dict[str, float] = defaultdict(float)
    for vector in vectors:
        for word, weight in vector.items():
            centre[word] += weight / len(vectors)
    return [sum(weight * centre[word] for word, weight in vector.items()) for vector in vectors[1:]]


@dataclass(frozen=True)
class ReplyPhrases:
    """What the local reply adds around an article or a reused reply, in one language."""

    hello: str  # before the customer's first name
    hello_nameless: str
    article: str  # {title}, {heading}: the cited passage
    follow_up: str
    no_article: str
    sign_off: str


# By the ticket's language (its primary subtag: "de-AT" is "de"); others get English. The article's text
# and a reused reply stay as written: only this model's own sentences are templated.
REPLY_PHRASES = {
    "en": ReplyPhrases(
        hello="Hi",
        hello_nameless="Hello,",
        article="Thanks for getting in touch. Our help article “{title}” covers this{heading}:",
        follow_up="If that does not solve it, reply here and we will look into it with you.",
        no_article=(
            "Thanks for getting in touch. I could not find an article that covers this, so I am checking "
            "with the team and will come back to you shortly."
        ),
        sign_off="Support team",
    ),
    "de": ReplyPhrases(
        hello="Hallo",
        hello_nameless="Guten Tag,",
        article="Danke für Ihre Nachricht. Unser Hilfeartikel „{title}“ beschreibt das{heading}:",
        follow_up="Falls das nicht weiterhilft, antworten Sie einfach hier, und wir sehen es uns mit Ihnen an.",
        no_article=(
            "Danke für Ihre Nachricht. Ich habe keinen Artikel gefunden, der das beschreibt, und kläre es "
            "deshalb mit dem Team. Wir melden uns in Kürze bei Ihnen."
        ),
        sign_off="Ihr Support-Team",
    ),
    "es": ReplyPhrases(
        hello="Hola",
        hello_nameless="Hola:",
        article="Gracias por escribirnos. Nuestro artículo de ayuda «{title}» trata este tema{heading}:",
        follow_up="Si con esto no se resuelve, responda a este mensaje y lo revisaremos con usted.",
        no_article=(
            "Gracias por escribirnos. No he encontrado ningún artículo que trate este tema, así que lo estoy "
            "consultando con el equipo y le responderé en breve."
        ),
        sign_off="El equipo de soporte",
    ),
    "fr": ReplyPhrases(
        hello="Bonjour",
        hello_nameless="Bonjour,",
        article="Merci de nous avoir contactés. Notre article d’aide « {title} » traite ce sujet{heading} :",
        follow_up="Si cela ne résout pas le problème, répondez à ce message et nous regarderons cela avec vous.",
        no_article=(
            "Merci de nous avoir contactés. Je n’ai pas trouvé d’article qui traite ce sujet : je vérifie "
            "donc auprès de l’équipe et je reviens vers vous rapidement."
        ),
        sign_off="L’équipe support",
    ),
}


def ticket_language(ticket: Ticket) -> str:
    """The ISO 639-1 code of the ticket's language as its source system sent it ("de-AT": "de"); "en"
    when it sent none."""
    return (ticket.language or "en").split("-")[0].lower()


def reply_phrases(ticket: Ticket) -> ReplyPhrases:
    return REPLY_PHRASES.get(ticket_language(ticket), REPLY_PHRASES["en"])


def greeting(ticket: Ticket, *, word: str | None = None) -> str:
    """The greeting, "Hi Anna," in the ticket's language (or with `word`, a reused reply's own);
    without a name, the language's greeting alone."""
    phrases = reply_phrases(ticket)
    first_name = ticket.customer_name.split()[0] if ticket.customer_name.strip() else ""
    return f"{word or phrases.hello} {first_name}," if first_name else phrases.hello_nameless


@dataclass(frozen=True)
class LocalReply:
    text: str
    cited_passages: list[int]
    source_ticket: int | None = None  # the ticket whose accepted reply this is


def local_reply(
    *, ticket: Ticket, passages: list[Passage], examples: list[SimilarTicket], max_chars: int
) -> LocalReply:
    """A reply grounded in something real, with the passages (or the past ticket) it relies on."""
    reusable = next((e for e in examples if e.reply and e.similarity >= REUSE_REPLY_SIMILARITY), None)
    phrases = reply_phrases(ticket)
    source = None
    if reusable is not None:
        reply = reusable.reply.strip()
        # The greeting is the customer's own: their name, in the words (and language) of the reply.
        said = GREETING.match(reply)
        word = said.group(1)[:1].upper() + said.group(1)[1:] if said else None
        reply = f"{greeting(ticket, word=word)}\n\n{reply[said.end() :] if said else reply}"
        # The agent's reply was written from the same knowledge: link the best article for the agent.
        cited, source = [passages[0].chunk_id] if passages else [], reusable.ticket_id
    elif passages:
        passage = passages[0]
        introduction = phrases.article.format(
            title=passage.title, heading=f" ({passage.heading})" if passage.heading else ""
        )
        reply = (
            f"{greeting(ticket)}\n\n{introduction}\n\n{passage.text.strip()}\n\n"
            f"{phrases.follow_up}\n\n{phrases.sign_off}"
        )
        cited = [passage.chunk_id]
    else:
        reply = f"{greeting(ticket)}\n\n{phrases.no_article}\n\n{phrases.sign_off}"
        cited = []
    if len(reply) > max_chars:
        reply = reply[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return LocalReply(text=reply, cited_passages=cited, source_ticket=source)


def sentiment(text: str) -> str:
    negative, positive = len(NEGATIVE.findall(text)), len(POSITIVE.findall(text))
    if negative > positive:
        return "negative"
    if positive > negative:
        return "positive"
    return "neutral"
