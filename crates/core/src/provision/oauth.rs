//! OAuth clients and their callback URLs (spec C): a partner needs an active client with a
//! callback URL before it can provision users (J-14).

use crate::{
    model::{CallbackUrlId, OauthClientId, UserId},
    text::quoted,
    time::Timestamp,
    DomainError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OauthClientStatus {
    Active,
    Cancelled,
}

impl OauthClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OauthClientStatus::Active => "ACTIVE",
            OauthClientStatus::Cancelled => "CANCELLED",
        }
    }

    /// What a client may ask for; `CANCELLED_PENDING` is bunq's own transient state.
    pub fn parse_request(text: &str) -> Result<OauthClientStatus, DomainError> {
        match text {
            "ACTIVE" => Ok(OauthClientStatus::Active),
            "CANCELLED" => Ok(OauthClientStatus::Cancelled),
            other => Err(DomainError::invalid(format!(
                "status {} is not one of ACTIVE, CANCELLED.",
                quoted(other)
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthClient {
    pub id: OauthClientId,
    pub user_id: UserId,
    pub status: String,
    pub display_name: Option<String>,
    pub client_id: String,
    pub secret: String,
    pub callback_urls: Vec<CallbackUrl>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    pub id: CallbackUrlId,
    pub oauth_client_id: OauthClientId,
    pub url: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Callback URLs are absolute HTTPS URLs; `allow_loopback_http` (the `dev` profile) also
/// accepts plain http to this machine, so a partner can test without certificates.
pub fn validate_callback_url(url: &str, allow_loopback_http: bool) -> Result<String, DomainError> {
    let url = url.trim();
    let bad = || {
        DomainError::invalid(format!(
            "url {} is not an absolute https URL{}.",
            quoted(url),
            if allow_loopback_http {
                " (or http to localhost)"
            } else {
                ""
            }
        ))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority).ok_or_else(bad)?;
    if url.len() > 2048
        || url
            .chars()
            .any(|c| c.is_whitespace() || crate::text::is_forbidden(c))
    {
        return Err(bad());
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if allow_loopback_http && is_loopback(host) => Ok(url.to_owned()),
        _ => Err(bad()),
    }
}

fn host_of(authority: &str) -> Option<&str> {
    let without_user = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = without_user.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        without_user.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls() {
        assert!(validate_callback_url("https://partner.example/cb?x=1", false).is_ok());
        assert!(validate_callback_url("http://partner.example/cb", true).is_err());
        assert!(validate_callback_url("http://localhost:3000/cb", true).is_ok());
        assert!(validate_callback_url("http://127.0.0.1/cb", true).is_ok());
        assert!(validate_callback_url("http://[::1]:8/cb", true).is_ok());
        assert!(validate_callback_url("http://localhost:3000/cb", false).is_err());
        assert!(validate_callback_url("/relative", true).is_err());
        assert!(validate_callback_url("https://", true).is_err());
        assert!(validate_callback_url("ftp://x.example", true).is_err());
    }
}
