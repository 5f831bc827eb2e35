"""Proxies for the fetch, and keeping their credentials out of every log and row."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit, urlunsplit

from youtube_transcript_api.proxies import GenericProxyConfig, ProxyConfig, WebshareProxyConfig

from ytclaims.sources.youtube.errors import (
    ENV_PROXY_HTTP,
    ENV_PROXY_HTTPS,
    ENV_WEBSHARE_PASSWORD,
    ENV_WEBSHARE_USERNAME,
    ProxyConfigError,
)


def mask_url(url: str | None) -> str | None:
    """``url`` with any user name and password replaced by ``***``."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        has_user, has_password = parts.username is not None, parts.password is not None
    except ValueError:
        return "***"
    if not has_user and not has_password:
        # Not parsed as userinfo (e.g. no 'scheme://'), but an '@' may still follow one.
        return url if "@" not in url else "***@" + url.rsplit("@", 1)[1]
    userinfo = "***:***@" if has_password else "***@"
    return urlunsplit((parts.scheme, userinfo + host + port, parts.path, parts.query, ""))


def describe_proxy(proxy: ProxyConfig | None) -> str:
    """A one-line, credential-free description of a proxy config for logs and reprs."""
    if proxy is None:
        return "None"
    if isinstance(proxy, WebshareProxyConfig):
        return (
            f"WebshareProxyConfig(username='***', password='***', "
            f"host='{proxy.domain_name}:{proxy.proxy_port}')"
        )
    if isinstance(proxy, GenericProxyConfig):
        return (
            f"GenericProxyConfig(http={mask_url(proxy.http_url)!r}, "
            f"https={mask_url(proxy.https_url)!r})"
        )
    return f"{type(proxy).__name__}(...)"


def _proxy_secrets(proxy: ProxyConfig | None) -> list[tuple[str, str]]:
    """(text that would reveal a credential of ``proxy``, what to show instead) pairs.

    Longest first, so a proxy URL is replaced by its masked form (keeping the host,
    which helps diagnose) before its user name and password are replaced on their own.
    """
    pairs: dict[str, str] = {}
    values: list[str] = []
    urls: list[str] = []
    if isinstance(proxy, WebshareProxyConfig):
        urls.append(proxy.url)
        values += [proxy.proxy_username, proxy.proxy_password]
    elif isinstance(proxy, GenericProxyConfig):
        for url in (proxy.http_url, proxy.https_url):
            if not url:
                continue
            urls.append(url)
            try:
                parts = urlsplit(url)
                user, password = parts.username, parts.password
            except ValueError:
                continue
            values += [v for v in (user, password) if v]
    for url in urls:
        pairs[url] = mask_url(url) or "***"
    for value in values:
        for form in (value, unquote(value)):
            if form:
                pairs[form] = "***"
    return sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True)


_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def scrub(text: str, proxy: ProxyConfig | None = None) -> str:
    """``text`` with proxy credentials removed: any ``scheme://user:pass@`` userinfo,
    and (when ``proxy`` is given) its user name, password and URLs wherever they occur.

    Very short secrets (under 4 characters) are only masked inside URLs, so that a user
    name like ``a`` does not turn every ``a`` in a message into ``***``.
    """
    out = text
    for secret, shown in _proxy_secrets(proxy):
        if len(secret) >= 4:
            out = out.replace(secret, shown)
    return _USERINFO_RE.sub(r"\1***:***@", out)


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _check_proxy_url(url: str | None, name: str) -> None:
    if url is None:
        return
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https", "socks5", "socks5h") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise ProxyConfigError(f"{name} is not a proxy URL: {mask_url(url)!r}.")


def build_proxy_config(
    *,
    http_url: str | None = None,
    https_url: str | None = None,
    webshare_username: str | None = None,
    webshare_password: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ProxyConfig | None:
    """The proxy config from explicit options, else from the environment, else None.

    If any option is given, the environment is ignored entirely, so a command-line
    proxy is never silently mixed with one from the shell. Within one source, giving
    both a generic proxy and Webshare credentials is an error rather than a guess.
    Environment: ``YTCLAIMS_PROXY_HTTP``, ``YTCLAIMS_PROXY_HTTPS`` (GenericProxyConfig),
    ``YTCLAIMS_WEBSHARE_USERNAME`` + ``YTCLAIMS_WEBSHARE_PASSWORD`` (WebshareProxyConfig).
    """
    options = (http_url, https_url, webshare_username, webshare_password)
    if any(v for v in options):
        http, https, user, password = (v or None for v in options)
        source = "the proxy options"
        names = ("http_url", "https_url", "webshare_username", "webshare_password")
    else:
        env = os.environ if environ is None else environ
        http, https, user, password = (
            _env(env, n)
            for n in (ENV_PROXY_HTTP, ENV_PROXY_HTTPS, ENV_WEBSHARE_USERNAME, ENV_WEBSHARE_PASSWORD)
        )
        source = "the environment"
        names = (ENV_PROXY_HTTP, ENV_PROXY_HTTPS, ENV_WEBSHARE_USERNAME, ENV_WEBSHARE_PASSWORD)
    if user or password:
        if not (user and password):
            missing = names[3] if user else names[2]
            raise ProxyConfigError(
                f"Webshare needs a user name and a password; {missing} is unset."
            )
        if http or https:
            raise ProxyConfigError(
                f"{source} sets both a proxy URL and Webshare credentials; keep one."
            )
        return WebshareProxyConfig(proxy_username=user, proxy_password=password)
    if http or https:
        _check_proxy_url(http, names[0])
        _check_proxy_url(https, names[1])
        return GenericProxyConfig(http_url=http, https_url=https)
    return None
