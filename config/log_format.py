"""`LOG_FORMAT=json`: one JSON object per line, for log shippers (Loki, Elasticsearch, CloudWatch).

Only the message and a fixed set of identifying fields are written: ticket bodies and customers'
personal data never reach a log line through this formatter, whatever a caller passes in `extra`.
"""

import json
import logging
from datetime import UTC, datetime

# The `extra={...}` fields copied into the line when an event carries them: ids and figures only.
CONTEXT_FIELDS = ("ticket_id", "enrichment_id", "provider", "model", "status", "latency_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
