from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from feedback.history import HistoryColumns, history_import, read_rows
from tickets.models import Source


class Command(BaseCommand):
    help = "Import labeled ticket history (CSV or JSONL) so the AI learns this team's labels from day one."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="Slug of the source the tickets belong to.")
        parser.add_argument("--text", required=True, help="Column with the ticket text.")
        parser.add_argument("--label", required=True, help="Column with the category.")
        parser.add_argument("--priority", default="", help="Column with the priority.")
        parser.add_argument("--reply", default="", help="Column with the reply that was sent.")
        parser.add_argument(
            "--subject", default="", help="Column with the subject (default: the first line)."
        )
        parser.add_argument(
            "--id", default="", dest="external_id", help="Column with the ticket's id in the source system."
        )
        parser.add_argument(
            "--add-missing-labels", action="store_true", help="Add categories not yet in the taxonomy."
        )

    def handle(self, *args, file, source, add_missing_labels, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        found = Source.objects.filter(slug=source).first()
        if found is None:
            known = ", ".join(Source.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No source with slug '{source}' (known: {known}).")
        columns = HistoryColumns(
            text=options["text"],
            label=options["label"],
            priority=options["priority"],
            reply=options["reply"],
            subject=options["subject"],
            external_id=options["external_id"],
        )
        try:
            rows = list(read_rows(file))
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        if rows and "__error__" not in rows[0] and columns.text not in rows[0]:
            raise CommandError(f"{file.name} has no column '{columns.text}' (columns: {', '.join(rows[0])}).")
        with tqdm(total=len(rows), desc="Importing", unit="row", disable=options["verbosity"] == 0) as bar:
            result = history_import(
                source=found,
                rows=iter(rows),
                columns=columns,
                add_missing_labels=add_missing_labels,
                progress=bar.update,
            )
        self.stdout.write(
            f"{result.imported} imported, {result.unchanged} unchanged, {len(result.rejected)} rejected."
        )
        for line in result.rejected[:50]:
            self.stderr.write(f"  {line}")
        if len(result.rejected) > 50:
            self.stderr.write(f"  … and {len(result.rejected) - 50} more")
