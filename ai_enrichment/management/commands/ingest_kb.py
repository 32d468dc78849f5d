from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ai_enrichment.knowledge.ingest import (
    knowledge_document_ingest,
    knowledge_files,
    knowledge_prune,
    knowledge_source_path,
)


class Command(BaseCommand):
    help = "Ingest knowledge-base documents (Markdown, HTML, plain text, PDF) from files or folders."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders (searched recursively).")
        parser.add_argument(
            "--prune", action="store_true", help="Delete documents from these folders whose files are gone."
        )
        parser.add_argument(
            "--force", action="store_true", help="Re-chunk and re-embed even unchanged documents."
        )

    def handle(self, *args, paths, prune, force, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        files = knowledge_files(paths)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        rejected: list[str] = []
        seen: set[str] = set()
        for path in tqdm(files, desc="Ingesting", unit="doc", disable=not files or options["verbosity"] == 0):
            source_path = knowledge_source_path(path)
            seen.add(source_path)
            try:
                result = knowledge_document_ingest(
                    source_path=source_path, content=path.read_bytes(), force=force
                )
            except (ValueError, OSError) as error:
                rejected.append(f"{path}: {error}")
                continue
            counts[result.outcome] += 1
        pruned = 0
        if prune:
            for folder in (path for path in paths if path.is_dir()):
                pruned += knowledge_prune(under=knowledge_source_path(folder), keep=seen)
        self.stdout.write(
            f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{pruned} pruned, {len(rejected)} rejected."
        )
        for line in rejected:
            self.stderr.write(f"  rejected {line}")
