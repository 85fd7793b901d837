"""LiteLLM proxy hook: tag every request with the team and model group it used.

Loaded by LiteLLM from config.yaml (`litellm_settings.callbacks`); the tags
show up in spend logs, so cost can be split per team without extra tooling.
"""

from __future__ import annotations

from typing import Any

from litellm.integrations.custom_logger import CustomLogger


class RequestTags(CustomLogger):
    async def async_pre_call_hook(self, user_api_key_dict: Any, cache: Any, data: dict, call_type: str) -> dict:
        metadata = data.setdefault("metadata", {})
        tags = set(metadata.get("tags") or [])
        team = getattr(user_api_key_dict, "team_alias", None) or getattr(user_api_key_dict, "team_id", None)
        if team:
            tags.add(f"team:{team}")
        if data.get("model"):
            tags.add(f"model:{data['model']}")
        metadata["tags"] = sorted(tags)
        return data


proxy_handler_instance = RequestTags()
