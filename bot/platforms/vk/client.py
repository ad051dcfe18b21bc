"""vk_api objects for a community token and an admin user token, on any API base URL.

vk_api always calls https://api.vk.ru/method/…; a requests transport adapter
mounted on VK's hosts sends those calls to `VK_API_URL` instead (the sandbox),
without patching the library.
"""

from __future__ import annotations

from typing import Any

import requests
import vk_api
from requests.adapters import HTTPAdapter
from vk_api.exceptions import TOO_MANY_RPS_CODE

API_VERSION = "5.199"
VK_HOSTS = ("https://api.vk.ru/", "https://api.vk.com/")
DEFAULT_BASES = ("https://api.vk.ru", "https://api.vk.com")


class RebasedVkAdapter(HTTPAdapter):
    """Rewrites requests for VK's API hosts to another base URL."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        for host in VK_HOSTS:
            if url.startswith(host):
                request.url = self.base_url + url[len(host) :]
                break
        return super().send(request, **kwargs)


def make_http(api_url: str) -> requests.Session:
    """A requests session that reaches VK at `api_url`."""
    http = requests.Session()
    if api_url.rstrip("/") not in DEFAULT_BASES:
        http.trust_env = False  # loopback sandbox: never through an environment proxy
        adapter = RebasedVkAdapter(api_url)
        for host in VK_HOSTS:
            http.mount(host, adapter)
    return http


def _raise_rate_errors(error: Exception) -> None:
    """Hand error 6 back to us: vk_api would sleep and retry forever inside a thread."""
    return None


def make_group_api(token: str, api_url: str) -> vk_api.VkApiGroup:
    api = vk_api.VkApiGroup(token=token, api_version=API_VERSION, session=make_http(api_url))
    api.error_handlers[TOO_MANY_RPS_CODE] = _raise_rate_errors
    return api


def make_user_api(token: str, api_url: str) -> vk_api.VkApi:
    api = vk_api.VkApi(token=token, api_version=API_VERSION, session=make_http(api_url))
    api.error_handlers[TOO_MANY_RPS_CODE] = _raise_rate_errors
    # Our outbox keeps to VK's limits itself; vk_api's lock-and-sleep would only add delay.
    api.RPS_DELAY = 0.0
    return api
