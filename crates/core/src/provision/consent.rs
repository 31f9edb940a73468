//! OAuth for people who already bank here (issue 19): a user consents to a partner's client on
//! the consent page (bunq's `oauth.sandbox.bunq.com/auth`), the partner exchanges the code for
//! an access token (`api-oauth.sandbox.bunq.com/v1/token`), and the token is an API key whose
//! sessions act as a `UserApiKey` granted by that user. Here: the records and the pure rules
//! (which client and callback may ask, where the browser goes next).

use std::time::Duration;

use super::oauth::OauthClient;
use crate::{
    model::{OauthClientId, OauthGrantId, UserId},
    secret::SecretHash,
    text::quoted,
    time::Timestamp,
};

/// How long an authorization code can be exchanged, on the virtual clock (bunq: 10 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStatus {
    Active,
    Revoked,
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Active => "ACTIVE",
            GrantStatus::Revoked => "REVOKED",
        }
    }

    pub fn parse(text: &str) -> Option<GrantStatus> {
        match text {
            "ACTIVE" => Some(GrantStatus::Active),
            "REVOKED" => Some(GrantStatus::Revoked),
            _ => None,
        }
    }
}

/// A user's consent to a client, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthGrant {
    pub id: OauthGrantId,
    pub oauth_client_id: OauthClientId,
    /// The client's public `client_id`.
    pub client_id: String,
    /// The partner owning the client: the grant's `requested_by_user`.
    pub partner: UserId,
    /// The consenting user: the grant's `granted_by_user`.
    pub user: UserId,
    /// The `UserApiKey` the access token's sessions act as.
    pub api_key_user: UserId,
    pub status: GrantStatus,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A user who may consent on the consent page: a sandbox user, or a provisioned user whose
/// provision is not over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentUser {
    pub id: UserId,
    pub name: String,
    /// What the page says it is (`sandbox person`, `provisioned company`, …).
    pub kind: String,
}

/// An authorization code to store, by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOauthCode {
    pub oauth_client_id: OauthClientId,
    pub user: UserId,
    pub redirect_uri: String,
    pub state: String,
    pub code: SecretHash,
    pub expires_at: Timestamp,
}

/// What exchanging a code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchanged {
    /// A new grant, and the `state` its code was issued with.
    Granted { grant: OauthGrant, state: String },
    /// RFC 6749's `invalid_grant`, and why.
    Refused(&'static str),
}

/// Which grants to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantFilter {
    All,
    /// Those a user gave.
    User(UserId),
    /// Those a client holds.
    Client(OauthClientId),
}

/// Why a consent request is refused before anyone is asked: the page says it and redirects
/// nowhere, since an unverified `redirect_uri` must never receive the browser (RFC 6749 4.1.2.1).
pub fn check_request(
    client_id: &str,
    client: Option<&OauthClient>,
    redirect_uri: &str,
) -> Result<(), String> {
    let Some(client) = client else {
        return Err(format!(
            "No OAuth client has client_id {}.",
            quoted(client_id)
        ));
    };
    if client.status != "ACTIVE" {
        return Err(format!(
            "The OAuth client {} is {}, not ACTIVE.",
            quoted(client_id),
            client.status
        ));
    }
    if !client.callback_urls.iter().any(|u| u.url == redirect_uri) {
        return Err(format!(
            "redirect_uri {} is not one of the client's callback URLs (it must match one exactly).",
            quoted(redirect_uri)
        ));
    }
    Ok(())
}

/// `base` with `params` added to its query (before any fragment), percent-encoded.
pub fn redirect_to(base: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = match base.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (base, None),
    };
    let mut url = base.to_owned();
    let mut sep = if base.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        url.push(sep);
        url.push_str(&encode(name));
        url.push('=');
        url.push_str(&encode(value));
        sep = '&';
    }
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{model::CallbackUrlId, provision::oauth::CallbackUrl};

    fn client(status: &str) -> OauthClient {
        OauthClient {
            id: OauthClientId(1),
            user_id: UserId(1),
            status: status.into(),
            display_name: None,
            client_id: "abc".into(),
            secret: "s".into(),
            callback_urls: vec![CallbackUrl {
                id: CallbackUrlId(1),
                oauth_client_id: OauthClientId(1),
                url: "https://partner.example/cb".into(),
                created: Timestamp(0),
                updated: Timestamp(0),
            }],
            created: Timestamp(0),
            updated: Timestamp(0),
        }
    }

    #[test]
    fn only_an_active_client_and_one_of_its_callbacks_exactly() {
        let active = client("ACTIVE");
        assert!(check_request("abc", Some(&active), "https://partner.example/cb").is_ok());
        for bad in [
            "https://partner.example/cb/",
            "https://partner.example/cb?x=1",
            "",
        ] {
            let why = check_request("abc", Some(&active), bad)
                .err()
                .unwrap_or_default();
            assert!(why.contains("callback URLs"), "{bad}: {why}");
        }
        let why = check_request(
            "abc",
            Some(&client("CANCELLED")),
            "https://partner.example/cb",
        );
        assert!(why.err().unwrap_or_default().contains("CANCELLED"));
        let why = check_request("nope", None, "https://partner.example/cb");
        assert!(why.err().unwrap_or_default().contains("No OAuth client"));
    }

    #[test]
    fn redirects_keep_the_callbacks_query_and_fragment() {
        assert_eq!(
            redirect_to(
                "https://p.example/cb",
                &[("code", "a b"), ("state", "x&y=z")]
            ),
            "https://p.example/cb?code=a%20b&state=x%26y%3Dz"
        );
        assert_eq!(
            redirect_to(
                "https://p.example/cb?app=1#top",
                &[("error", "access_denied")]
            ),
            "https://p.example/cb?app=1&error=access_denied#top"
        );
    }
}
