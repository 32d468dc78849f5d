"""`LOG_FORMAT=json`: one JSON object per line, with identifying fields only."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from config.log_format import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


def record(message="enrichment %s finished: %s", args=(7, "done"), **extra):
    log_record = logging.LogRecord("ai_enrichment.services", logging.INFO, __file__, 1, message, args, None)
    for name, value in extra.items():
        setattr(log_record, name, value)
    return log_record


def test_a_line_is_one_json_object_with_time_level_logger_and_message():
    line = JsonFormatter().format(record())
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "ai_enrichment.services"
    assert parsed["message"] == "enrichment 7 finished: done"
    assert parsed["time"].endswith("+00:00")


def test_it_carries_the_identifying_fields_when_the_event_has_them():
    parsed = json.loads(
        JsonFormatter().format(record(ticket_id=3, enrichment_id=7, provider="anthropic", latency_ms=812))
    )
    assert (parsed["ticket_id"], parsed["enrichment_id"], parsed["provider"], parsed["latency_ms"]) == (
        3,
        7,
        "anthropic",
        812,
    )
    assert "model" not in json.loads(JsonFormatter().format(record()))


def test_fields_outside_the_allowed_set_never_reach_the_line():
    body = "My card 4111 1111 1111 1111 was charged twice, call me on +1 415 555 0100"
    line = JsonFormatter().format(record(body=body, customer_email="maria@example.com", ticket_id=3))
    assert "4111" not in line
    assert "maria@example.com" not in line
    assert json.loads(line)["ticket_id"] == 3


def test_exceptions_are_kept_inside_the_one_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log_record = logging.LogRecord("x", logging.ERROR, __file__, 1, "crashed", (), sys.exc_info())
    line = JsonFormatter().format(log_record)
    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["exception"]


def test_log_format_json_switches_the_console_to_json_lines():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('ai_enrichment.pipeline').warning('enrichment %s crashed', 9, "
        "extra={'enrichment_id': 9, 'ticket_id': 4})"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert {
        "level": "WARNING",
        "logger": "ai_enrichment.pipeline",
        "message": "enrichment 9 crashed",
    }.items() <= (lines[-1].items())
    assert (lines[-1]["enrichment_id"], lines[-1]["ticket_id"]) == (9, 4)


def test_an_unknown_log_format_refuses_to_start():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr
