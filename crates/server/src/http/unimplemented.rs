//! Telling a bunq route provisio does not implement from a typo: the router's fallback answers
//! the first with "provisio does not implement this bunq route yet" and the second with "The
//! requested route does not exist.", so a user knows whether to fix the path or wait.
//!
//! A path is a bunq route when it is under `/v1` and alternates resource names and ids as
//! bunq's do (`/user/{id}/monetary-account/{id}/whitelist-sdd`): every name (the first segment
//! and every second one after it) is one bunq serves, and every segment between is an id
//! (digits, or a UUID's hex and dashes). bunq's names are those provisio serves itself (read
//! from the route table by the caller) and [`BUNQ_ONLY`], the resources of bunq's SDKs
//! provisio has not implemented.

use std::collections::HashSet;

/// Resource names of bunq's API (from its SDKs' generated endpoints) that provisio serves no
/// route under. A name provisio serves need not be here: the route table adds those.
const BUNQ_ONLY: &[&str] = &[
    "avatar",
    "billing-contract-subscription",
    "bunqme-fundraiser-profile",
    "bunqme-fundraiser-result",
    "bunqme-tab-result-inquiry",
    "bunqme-tab-result-response",
    "card-batch",
    "card-batch-replace",
    "card-replace",
    "cash-register",
    "certificate-pinned",
    "chat-conversation",
    "chat-message",
    "company",
    "confirmation-of-funds",
    "credential-password-ip",
    "currency-cloud-beneficiary",
    "currency-cloud-beneficiary-requirement",
    "currency-cloud-payment-quote",
    "currency-conversion",
    "currency-conversion-quote",
    "customer-statement",
    "device",
    "draft-payment",
    "draft-share-invite-api-key",
    "draft-share-invite-bank",
    "export-annual-overview",
    "export-rib",
    "export-statement-card",
    "export-statement-card-csv",
    "export-statement-card-pdf",
    "feature-announcement",
    "ideal-merchant-transaction",
    "insight-preference-date",
    "insights",
    "insights-search",
    "invoice",
    "invoice-export",
    "ip",
    "legal-name",
    "limit",
    "monetary-account-card",
    "monetary-account-external-savings",
    "monetary-account-investment",
    "monetary-account-joint",
    "monetary-account-savings",
    "note-attachment",
    "notification-filter-email",
    "notification-filter-push",
    "oauth-callback-url",
    "payment-auto-allocate",
    "payment-auto-allocate-definition",
    "payment-auto-allocate-instance",
    "payment-batch",
    "payment-service-provider-credential",
    "payment-service-provider-draft-payment",
    "payment-service-provider-issuer-transaction",
    "pdf-content",
    "qr-code-content",
    "registry",
    "registry-entry",
    "registry-membership",
    "registry-settlement",
    "request-inquiry-batch",
    "reward",
    "reward-recipient",
    "reward-sender",
    "schedule",
    "schedule-instance",
    "schedule-payment",
    "schedule-payment-batch",
    "schedule-user",
    "server-error",
    "share-invite-monetary-account-inquiry",
    "share-invite-monetary-account-response",
    "sofort-merchant-transaction",
    "statement",
    "switch-service-payment",
    "tab",
    "tab-attachment",
    "tab-item",
    "tab-result-inquiry",
    "tab-result-response",
    "tab-usage-multiple",
    "tab-usage-single",
    "token-qr-request-ideal",
    "token-qr-request-sofort",
    "transferwise-currency",
    "transferwise-quote",
    "transferwise-quote-temporary",
    "transferwise-recipient",
    "transferwise-recipient-requirement",
    "transferwise-transfer",
    "transferwise-transfer-requirement",
    "transferwise-user",
    "tree-progress",
    "user-api-key",
    "user-legal-name",
    "user-payment-service-provider",
    "whitelist-sdd",
    "whitelist-sdd-one-off",
    "whitelist-sdd-recurring",
];

/// What the fallback answers for a bunq route provisio does not implement.
pub const NOT_IMPLEMENTED: &str = "provisio does not implement this bunq route yet.";

/// The resource names in the `/v1` route templates `templates` (their `{…}` parameters left
/// out), to pass to [`is_bunq_route`] with the names provisio serves.
pub fn names_of<'a>(templates: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    templates
        .into_iter()
        .filter_map(|t| t.strip_prefix("/v1/"))
        .flat_map(|t| t.split('/'))
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(str::to_owned)
        .collect()
}

/// Whether `path` (as requested, no query) is shaped like one of bunq's routes, its names
/// being bunq's: `served` (provisio's own) or [`BUNQ_ONLY`].
pub fn is_bunq_route(path: &str, served: &HashSet<String>) -> bool {
    let Some(rest) = path.strip_prefix("/v1/") else {
        return false;
    };
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    !segments.is_empty()
        && segments.iter().enumerate().all(|(i, segment)| {
            if i % 2 == 0 {
                served.contains(*segment) || BUNQ_ONLY.contains(segment)
            } else {
                is_id(segment)
            }
        })
}

/// An id as bunq's paths carry them: a number, or a UUID (hex digits and dashes).
fn is_id(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served() -> HashSet<String> {
        names_of([
            "/v1/user/{user_id}/monetary-account/{id}/payment",
            "/v1/installation",
            "/_provisio/partners",
        ])
    }

    #[test]
    fn bunq_routes_are_told_from_typos() {
        let served = served();
        assert!(!served.contains("partners"), "only /v1 names");
        for path in [
            "/v1/user/1/monetary-account/2/whitelist-sdd",
            "/v1/user/1/monetary-account-savings",
            "/v1/user/1/monetary-account/2/payment/3/note-attachment",
            "/v1/schedule-user/",
            "/v1/server-error",
        ] {
            assert!(is_bunq_route(path, &served), "{path}");
        }
        for path in [
            "/v1/user/1/monetary-acount",
            "/v1/no-such-thing",
            "/v1/user/me/limit",
            "/v1/user/1/limit/xyz",
            "/v1",
            "/v1/",
            "/_provisio/whitelist-sdd",
            "/whitelist-sdd",
        ] {
            assert!(!is_bunq_route(path, &served), "{path}");
        }
    }

    #[test]
    fn no_name_is_listed_twice() {
        let mut names = BUNQ_ONLY.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BUNQ_ONLY.len());
    }
}
