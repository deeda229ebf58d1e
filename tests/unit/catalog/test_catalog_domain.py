"""Pure catalog rules: query credentials split off a URL, secrets asked for on a new host."""

from __future__ import annotations

from benchstudio.catalog.domain import host_of, secrets_to_reenter, split_query_credentials


def test_split_query_credentials_keeps_the_rest_of_the_url() -> None:
    url = "https://x.example.com/v1?api-version=1&API-KEY=s3cret&region=eu&token="
    clean, found = split_query_credentials(url)
    assert clean == "https://x.example.com/v1?api-version=1&region=eu"
    assert found == [("API-KEY", "s3cret"), ("token", "")]
    assert split_query_credentials("https://x.example.com/v1?a=1") == (
        "https://x.example.com/v1?a=1",
        [],
    )


def test_only_a_new_origin_asks_for_the_stored_secrets_again() -> None:
    def ask(new: str, **sent: bool) -> list[str]:
        return secrets_to_reenter(
            "https://api.example.com/v1",
            new,
            has_key=True,
            header_names=["X-Org"],
            key_sent=sent.get("key", False),
            headers_sent=sent.get("headers", False),
        )

    assert ask("https://api.example.com/v2") == []
    assert ask("https://API.example.com:443/v1") == []
    assert ask("http://api.example.com/v1") == ["api_key", "extra_headers"]
    assert ask("https://api.example.com:8443/v1", key=True) == ["extra_headers"]
    assert ask("https://evil.example.net/v1", key=True, headers=True) == []


def test_the_audited_host_never_holds_path_or_query() -> None:
    assert host_of("https://Api.example.com:8443/v1?key=s") == "api.example.com:8443"
    assert host_of("https://api.example.com/v1") == "api.example.com"
