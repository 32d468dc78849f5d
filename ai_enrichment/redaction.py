"""Reversible PII redaction: personal data in a prompt becomes placeholders (`<EMAIL_1>`) before an
external provider sees it, and the placeholders in its answer become the originals again.

    redaction = RedactionMap(redactor())
    data = redaction.redact_data(data)       # every string in the prompt's data, one numbering
    reply = redaction.restore(model_reply)   # what agents see
    redaction.unknown_placeholders(model_reply)  # placeholders the model made up: reject the answer

Found: e-mail addresses, phone numbers (`phonenumbers`' matcher, at VALID leniency, numbers without a
country code read in PII_PHONE_REGION), payment card numbers (Luhn), IBANs (length per country and
mod-97 checksum), IPv4/IPv6 addresses, and the patterns of PII_CUSTOM_PATTERNS. The same value gets the
same placeholder everywhere in one prompt. A RedactionMap holds the originals: never log or store it;
its repr shows only counts.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from django.conf import settings

# Where two detections overlap, the earlier kind in this order wins (custom patterns come first).
BUILTIN_KINDS = ("email", "iban", "card", "ip", "phone")
PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_([0-9]+)>")
CUSTOM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

EMAIL = re.compile(
    r"(?<![\w.+-])[\w.!#$%&'*+/=?^`{|}~-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])"
)
# 13 to 19 digits, single spaces or hyphens allowed between them; the Luhn check decides.
CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?!\w)(?!-\d)")
CARD_FIRST_DIGITS = set("23456")  # Mastercard 2/5, Amex and Diners 3, Visa 4, Discover and UnionPay 6
IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})[0-9]{2}")
IBAN_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# IBAN length per country (SWIFT's IBAN registry). A country not listed is not matched.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
IPV4 = re.compile(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?!\w|\.[0-9])")
IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:])"
)
# A bare run of digits right after one of these is a reference, not a phone number ("order 2025061512").
REFERENCE_BEFORE = re.compile(
    r"(?:#|\b(?:order|invoice|ref|reference|ticket|case|tracking|parcel|shipment|transaction|purchase|"
    r"receipt|account|customer|contract|policy)\w*\s*(?:no\.?|number|nr\.?|id)?\s*[:#.]?\s*)$",
    re.IGNORECASE,
)
PHONE_MIN_DIGITS = 7  # fewer digits in a whole text: no phone number to look for


@dataclass(frozen=True)
class Detection:
    kind: str
    start: int
    end: int
    key: str  # the value normalised: the same key gets the same placeholder


class Redactor:
    """Finds PII in text. Stateless once built, so one instance serves every thread."""

    def __init__(self, *, phone_region: str = "US", custom_patterns: Mapping[str, str] | None = None) -> None:
        self.phone_region = phone_region.upper()
        self.custom_patterns = {
            name.lower(): re.compile(pattern) for name, pattern in (custom_patterns or {}).items()
        }
        for name in self.custom_patterns:
            if not CUSTOM_NAME.match(name) or name in BUILTIN_KINDS:
                raise ValueError(
                    f"PII custom pattern name {name!r}: use letters, digits and _, and none of {BUILTIN_KINDS}"
                )
        self.kinds = (*self.custom_patterns, *BUILTIN_KINDS)

    def detect(self, text: str) -> list[Detection]:
        """Every PII value in `text`, in order, without overlaps."""
        found: list[tuple[int, Detection]] = []
        for rank, kind in enumerate(self.kinds):
            found.extend((rank, detection) for detection in self._detect_kind(kind, text))
        found.sort(key=lambda item: (item[0], item[1].start))
        taken: list[Detection] = []
        for _, detection in found:
            if all(detection.end <= other.start or detection.start >= other.end for other in taken):
                taken.append(detection)
        return sorted(taken, key=lambda detection: detection.start)

    def _detect_kind(self, kind: str, text: str) -> Iterator[Detection]:
        if kind in self.custom_patterns:
            for match in self.custom_patterns[kind].finditer(text):
                if match.end() > match.start():
                    yield Detection(kind, match.start(), match.end(), match.group())
        elif kind == "email":
            if "@" in text:
                for match in EMAIL.finditer(text):
                    yield Detection(kind, match.start(), match.end(), match.group().lower())
        elif kind == "iban":
            yield from _ibans(text)
        elif kind == "card":
            for match in CARD.finditer(text):
                digits = re.sub(r"[ -]", "", match.group())
                if digits[0] in CARD_FIRST_DIGITS and luhn_valid(digits):
                    yield Detection(kind, match.start(), match.end(), digits)
        elif kind == "ip":
            yield from _ip_addresses(text)
        elif kind == "phone":
            yield from self._phones(text)

    def _phones(self, text: str) -> Iterator[Detection]:
        if sum(character.isdigit() for character in text) < PHONE_MIN_DIGITS:
            return
        matcher = phonenumbers.PhoneNumberMatcher(
            text, self.phone_region, leniency=phonenumbers.Leniency.VALID
        )
        for match in matcher:
            before = text[max(match.start - 40, 0) : match.start]
            if match.raw_string.isdigit() and REFERENCE_BEFORE.search(before):
                continue
            key = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            yield Detection("phone", match.start, match.end, key)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Length for the country and the mod-97 check digits, on the compact upper-case form."""
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not set(iban) <= IBAN_CHARACTERS:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


def _ibans(text: str) -> Iterator[Detection]:
    """IBANs written compact or in groups separated by single spaces (`DE89 3704 0044 …`)."""
    for match in IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(match.group(1))
        if length is None:
            continue
        characters: list[str] = []
        position = match.start()
        while position < len(text) and len(characters) < length:
            character = text[position]
            if character in IBAN_CHARACTERS:
                characters.append(character)
            elif not (character == " " and text[position + 1 : position + 2] in IBAN_CHARACTERS):
                break
            position += 1
        if position < len(text) and text[position].isalnum():
            continue  # longer than this country's IBANs: something else
        iban = "".join(characters)
        if iban_valid(iban):
            yield Detection("iban", match.start(), position, iban)


def _ip_addresses(text: str) -> Iterator[Detection]:
    if "." in text:
        for match in IPV4.finditer(text):
            try:
                address = ipaddress.IPv4Address(match.group())
            except ValueError:
                continue
            yield Detection("ip", match.start(), match.end(), str(address))
    if "::" in text or text.count(":") >= 7:
        for match in IPV6.finditer(text):
            try:
                address = ipaddress.IPv6Address(match.group())
            except ValueError:
                continue
            if any(character.isdigit() for character in match.group()):  # not `::` or `a::b` in code
                yield Detection("ip", match.start(), match.end(), str(address))


class RedactionMap:
    """The placeholders issued for one prompt and the originals they stand for.

    Not thread-safe and not meant to be shared: one map per prompt. It holds personal data, so it is
    never logged or stored; `counts` is what may be recorded.
    """

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._placeholders: dict[tuple[str, str], str] = {}  # (kind, key) → placeholder
        self._originals: dict[str, str] = {}  # placeholder → the value as first written
        self._last_number: Counter[str] = Counter()  # per kind
        # Placeholder-shaped text the input already had: never issued, never restored, not "invented".
        self._in_input: set[str] = set()

    def __repr__(self) -> str:
        return f"<RedactionMap {self.counts}>"

    @property
    def counts(self) -> dict[str, int]:
        """Distinct values replaced, per kind: `{"email": 2, "phone": 1}`."""
        return dict(Counter(kind for kind, _ in self._placeholders))

    def redact(self, text: str) -> str:
        self._note_input([text])
        return self._redact(text)

    def redact_data(self, data: Any) -> Any:
        """A copy of `data` with every string in it (dict values, list items) redacted."""
        self._note_input(strings_in(data))
        return self._redact_data(data)

    def restore(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda match: self._originals.get(match.group(), match.group()), text)

    def unknown_placeholders(self, text: str) -> list[str]:
        """Placeholders in `text` that this map never issued (and the input did not contain)."""
        found = (match.group() for match in PLACEHOLDER.finditer(text))
        return list(dict.fromkeys(p for p in found if p not in self._originals and p not in self._in_input))

    def _note_input(self, texts: Iterable[str]) -> None:
        for text in texts:
            if "<" in text:
                self._in_input.update(match.group() for match in PLACEHOLDER.finditer(text))

    def _redact(self, text: str) -> str:
        detections = self._redactor.detect(text)
        if not detections:
            return text
        parts: list[str] = []
        position = 0
        for detection in detections:
            parts += [text[position : detection.start], self._placeholder(detection, text)]
            position = detection.end
        parts.append(text[position:])
        return "".join(parts)

    def _redact_data(self, data: Any) -> Any:
        if isinstance(data, str):
            return self._redact(data)
        if isinstance(data, dict):
            return {key: self._redact_data(value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self._redact_data(item) for item in data]
        return data

    def _placeholder(self, detection: Detection, text: str) -> str:
        identity = (detection.kind, detection.key)
        if placeholder := self._placeholders.get(identity):
            return placeholder
        while True:
            self._last_number[detection.kind] += 1
            placeholder = f"<{detection.kind.upper()}_{self._last_number[detection.kind]}>"
            if placeholder not in self._in_input:
                break
        self._placeholders[identity] = placeholder
        self._originals[placeholder] = text[detection.start : detection.end]
        return placeholder


def strings_in(data: Any) -> Iterator[str]:
    """Every string inside nested dicts, lists and tuples (the text of JSON-like data, e.g. metadata)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from strings_in(item)


def redactor() -> Redactor:
    """The redactor for the current settings (built once per configuration)."""
    return _redactor(settings.PII_PHONE_REGION, tuple(settings.PII_CUSTOM_PATTERNS.items()))


@cache
def _redactor(phone_region: str, custom_patterns: tuple[tuple[str, str], ...]) -> Redactor:
    return Redactor(phone_region=phone_region, custom_patterns=dict(custom_patterns))
