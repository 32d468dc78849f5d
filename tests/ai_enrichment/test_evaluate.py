"""evaluate: how the local classifier would label a team's own history, as a table and as JSON."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

TOPICS = {
    "billing": [
        "I was charged twice for my invoice",
        "Refund the duplicate payment please",
        "My card was billed two times",
        "Why is my invoice higher this month",
        "Please send a receipt for my payment",
        "The subscription charge is wrong",
    ],
    "account": [
        "I cannot log in to my account",
        "Reset my password please",
        "My two-factor code is rejected",
        "Add a new user to my team",
        "Change the account owner",
        "I am locked out after the update",
    ],
    "technical": [
        "The mobile app crashes on start",
        "Bank feed sync fails with an error",
        "The CSV import gives error 500",
        "Invoices PDF does not render",
        "The API returns a timeout",
        "Webhook deliveries are failing",
    ],
}


@pytest.fixture
def labeled_csv(tmp_path):
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["body", "intent"])
        for label, texts in TOPICS.items():
            writer.writerows([text, label] for text in texts)
    return path


def test_cross_validation_reports_accuracy_and_a_learning_curve(db, labeled_csv, tmp_path):
    out = StringIO()
    report_path = tmp_path / "report.json"
    call_command(
        "evaluate",
        str(labeled_csv),
        "--text",
        "body",
        "--label",
        "intent",
        "--folds",
        "3",
        "--shots",
        "1,all",
        "--json",
        str(report_path),
        stdout=out,
    )
    report = json.loads(report_path.read_text())
    assert (report["examples"], report["labels"]) == (18, 3)
    assert [run["shots"] for run in report["runs"]] == [1, "all"]
    assert report["runs"][-1]["accuracy"] >= 0.6, "well above chance (0.33) on three distinct topics"
    assert 0 <= report["runs"][0]["accuracy"] <= 1
    assert "shots/label  accuracy" in out.getvalue()


def test_a_separate_training_file_can_be_used(db, labeled_csv, tmp_path):
    test_path = tmp_path / "new.jsonl"
    test_path.write_text(
        "\n".join(
            json.dumps({"body": b, "intent": i})
            for b, i in [
                ("I got charged two times", "billing"),
                ("Password reset link never arrives", "account"),
            ]
        )
    )
    out = StringIO()
    call_command(
        "evaluate",
        str(test_path),
        "--text",
        "body",
        "--label",
        "intent",
        "--train",
        str(labeled_csv),
        stdout=out,
    )
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["runs"][0]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "text", "--label", "intent"], "no column 'text'"),
        (["--text", "body", "--label", "intent", "--shots", "ten"], "--shots takes positive numbers"),
        (["--text", "body", "--label", "intent", "--folds", "7"], "--folds must be between 2 and"),
    ],
)
def test_bad_arguments_get_a_clear_message(labeled_csv, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate", str(labeled_csv), *args, stdout=StringIO())


@pytest.mark.parametrize(("flag", "used"), [([], True), (["--labeled-only"], False)])
def test_with_few_shots_the_rows_not_picked_serve_as_unlabeled_tickets(db, labeled_csv, flag, used):
    out = StringIO()
    call_command(
        "evaluate", str(labeled_csv), "--text", "body", "--label", "intent", "--folds", "3", "--shots", "2",
        *flag, stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["unlabeled_tickets_used"] is used
    assert report["runs"][0]["accuracy"] >= 0.6
