"""Model providers behind one interface (`base.Provider`), looked up by the names used in
AI_PROVIDER_CHAIN. One instance per configuration per process: clients keep their connection pools,
and are safe to share between the threads of a worker."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from ai_enrichment.providers.base import Provider


def provider_get(name: str) -> Provider:
    if name == "anthropic":
        return _anthropic(settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL, settings.AI_MODEL)
    if name == "openai_compatible":
        return _openai_compatible(
            settings.OPENAI_COMPAT_BASE_URL,
            settings.OPENAI_COMPAT_API_KEY,
            settings.OPENAI_COMPAT_MODEL,
            settings.OPENAI_COMPAT_SELF_HOSTED,
        )
    if name == "local":
        return _local()
    raise ValueError(
        f"Unknown AI provider {name!r} in AI_PROVIDER_CHAIN (known: anthropic, openai_compatible, local)"
    )


# The arguments are the settings each provider reads: a changed setting (as in tests) gets a new client.
@cache
def _anthropic(api_key: str, base_url: str, model: str) -> Provider:
    from ai_enrichment.providers.anthropic import AnthropicProvider

    return AnthropicProvider()


@cache
def _openai_compatible(base_url: str, api_key: str, model: str, self_hosted: bool) -> Provider:
    from ai_enrichment.providers.openai_compat import OpenAICompatibleProvider

    return OpenAICompatibleProvider()


@cache
def _local() -> Provider:
    from ai_enrichment.providers.local import LocalProvider

    return LocalProvider()
