"""Validation shared by the API's text fields: what PostgreSQL cannot store gets a 400, not a 500."""

from rest_framework import serializers


def storable_text(value: str) -> str:
    """PostgreSQL text cannot hold NUL, and UTF-8 cannot encode lone surrogates (e.g. "\\ud800")."""
    if "\x00" in value:
        raise serializers.ValidationError("NUL characters (\\u0000) are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise serializers.ValidationError("Text must be valid Unicode (no unpaired surrogates).") from None
    return value


def storable_json(value, path: str = "") -> None:
    """Walk a JSON value and reject strings (keys included) that PostgreSQL's jsonb cannot store."""
    if isinstance(value, dict):
        for key, item in value.items():
            try:
                storable_text(key)
            except serializers.ValidationError as error:
                raise serializers.ValidationError(
                    f"Key {key!r} at '{path or '/'}': {error.detail[0]}"
                ) from None
            storable_json(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            storable_json(item, f"{path}/{index}")
    elif isinstance(value, str):
        try:
            storable_text(value)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(f"At '{path or '/'}': {error.detail[0]}") from None


class TextField(serializers.CharField):
    """A CharField that also refuses text PostgreSQL cannot store."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(storable_text)


class MetadataField(serializers.JSONField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        storable_json(value)
        return value
