"""import_tickets: labeled history in bulk, idempotent, with every rejected row explained."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ai_enrichment.models import Category, Enrichment, TicketEmbedding
from feedback.models import TicketLabel
from tickets.models import Ticket
from tickets.services import source_create

CSV = """text,category,priority,reply
"My card was charged twice, refund one please",billing,high,We refunded the duplicate charge.
I cannot log in since the update,account,medium,
Please add dark mode,feature_request,,
,billing,low,
Where is my parcel?,shipping,low,
Refund me,billing,urgent,
"""


@pytest.fixture
def desk(db):
    return source_create(name="Desk", slug="desk").source


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_tickets", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_it_imports_labeled_history_and_explains_each_rejected_row(desk, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(CSV)
    out, err = run(
        str(path),
        "--source",
        "desk",
        "--text",
        "text",
        "--label",
        "category",
        "--priority",
        "priority",
        "--reply",
        "reply",
    )
    assert "3 imported, 0 unchanged, 3 rejected." in out
    assert "row 4: empty 'text'" in err
    assert "row 5: category 'shipping' is not in the taxonomy" in err
    assert "row 6: priority 'urgent' is not one of" in err

    label = TicketLabel.objects.get(ticket__body__startswith="My card")
    assert (label.category, label.priority, label.reply, label.origin) == (
        "billing",
        "high",
        "We refunded the duplicate charge.",
        "import",
    )
    assert label.ticket.status == Ticket.Status.SOLVED
    assert TicketEmbedding.objects.count() == 3, "imported tickets are embedded for the local model"
    assert not Enrichment.objects.exists(), "history is not sent to the AI"

    out, _ = run(
        str(path), "--source", "desk", "--text", "text", "--label", "category", "--priority", "priority"
    )
    assert "0 imported, 3 unchanged, 3 rejected." in out
    assert Ticket.objects.count() == 3


def test_missing_labels_can_be_added_to_the_taxonomy(desk, tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(row)
            for row in [{"t": "Where is my parcel?", "c": "shipping"}, {"t": "Refund", "c": "billing"}]
        )
        + "\nnot json\n"
    )
    out, err = run(str(path), "--source", "desk", "--text", "t", "--label", "c", "--add-missing-labels")
    assert "2 imported, 0 unchanged, 1 rejected." in out
    assert "row 3: not JSON" in err
    assert Category.objects.filter(slug="shipping").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--source", "desk", "--text", "t", "--label", "c"], "No such file"),
        (
            ["{csv}", "--source", "nope", "--text", "text", "--label", "category"],
            "No source with slug 'nope'",
        ),
        (["{csv}", "--source", "desk", "--text", "body", "--label", "category"], "has no column 'body'"),
        (
            ["{txt}", "--source", "desk", "--text", "text", "--label", "category"],
            "expected a .csv or .jsonl file",
        ),
    ],
)
def test_bad_arguments_get_a_clear_message(desk, tmp_path, args, message):
    (tmp_path / "h.csv").write_text(CSV)
    (tmp_path / "h.txt").write_text(CSV)
    args = [a.format(csv=tmp_path / "h.csv", txt=tmp_path / "h.txt") for a in args]
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_row_repeated_in_the_same_file_is_imported_once(desk, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("text,category\nMy card was charged twice,billing\nMy card was charged twice,billing\n")
    out, _ = run(str(path), "--source", "desk", "--text", "text", "--label", "category")
    assert "1 imported, 1 unchanged, 0 rejected." in out
    assert TicketEmbedding.objects.count() == 1
