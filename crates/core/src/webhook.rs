//! Webhooks (spec F): notification filters, the events provisio emits, and the retry policy.
//!
//! Design: an event is written to an outbox (one delivery per matching filter target) in the
//! same transaction as the change that causes it, so there is no event for a change that
//! rolled back and no change without its event. Delivery workers claim deliveries with a lease,
//! like provision steps; events of one provision reach a target in the order they happened.

use std::time::Duration;

use crate::{provision::oauth::validate_callback_url, text::quoted, DomainError};

/// Every category bunq accepts (F.2, the union of its sources). provisio emits only those whose
/// events exist here.
pub const CATEGORIES: &[&str] = &[
    "PARTNER_USER_PROVISION",
    "USER_ONBOARDING",
    "USER_INFORMATION_INQUIRY",
    "PAYMENT",
    "CARD",
    "CARD_TRANSACTION_SUCCESSFUL",
    "CARD_TRANSACTION_FAILED",
    "CARD_TRANSACTION_UPDATED",
    "CARD_TRANSACTION_REFUND",
    "CARD_TOKENIZATION",
    "MUTATION",
    "MASTERCARD_IDENTITY_CHECK",
    "SUPPORT",
    "REQUEST",
    "BILLING",
    "CHAT",
    "DRAFT_PAYMENT",
    "IDEAL",
    "SOFORT",
    "OAUTH",
    "SCHEDULE_RESULT",
    "SCHEDULE_STATUS",
    "SHARE",
    "TAB_RESULT",
    "BUNQME_TAB",
];

pub const PARTNER_USER_PROVISION: &str = "PARTNER_USER_PROVISION";
pub const PROVISION_UPDATED: &str = "PARTNER_USER_PROVISION_PROCESS_UPDATED";

/// Payments: `PAYMENT_CREATED` on the paying side, `PAYMENT_RECEIVED` on the receiving side;
/// `MUTATION` announces the same balance change with `MUTATION_CREATED` / `MUTATION_RECEIVED`.
pub const PAYMENT: &str = "PAYMENT";
pub const MUTATION: &str = "MUTATION";
pub const PAYMENT_CREATED: &str = "PAYMENT_CREATED";
pub const PAYMENT_RECEIVED: &str = "PAYMENT_RECEIVED";
pub const MUTATION_CREATED: &str = "MUTATION_CREATED";
pub const MUTATION_RECEIVED: &str = "MUTATION_RECEIVED";

/// Requests for money: the asking side's `REQUEST_INQUIRY_*` and the side asked's
/// `REQUEST_RESPONSE_*` (an account here), each when the request is made and when it is
/// accepted, rejected or revoked.
pub const REQUEST: &str = "REQUEST";
pub const REQUEST_INQUIRY_CREATED: &str = "REQUEST_INQUIRY_CREATED";
pub const REQUEST_INQUIRY_ACCEPTED: &str = "REQUEST_INQUIRY_ACCEPTED";
pub const REQUEST_INQUIRY_REJECTED: &str = "REQUEST_INQUIRY_REJECTED";
pub const REQUEST_INQUIRY_REVOKED: &str = "REQUEST_INQUIRY_REVOKED";
pub const REQUEST_RESPONSE_CREATED: &str = "REQUEST_RESPONSE_CREATED";
pub const REQUEST_RESPONSE_ACCEPTED: &str = "REQUEST_RESPONSE_ACCEPTED";
pub const REQUEST_RESPONSE_REJECTED: &str = "REQUEST_RESPONSE_REJECTED";
pub const REQUEST_RESPONSE_REVOKED: &str = "REQUEST_RESPONSE_REVOKED";

/// Cards: `CARD_UPDATED` whenever a card changes (ordered, its order moves on, a `PUT`).
pub const CARD: &str = "CARD";
pub const CARD_UPDATED: &str = "CARD_UPDATED";
/// Card transactions: an approved authorisation, a declined one, and a later change to one
/// (reversal, settlement); each category's event has the category's name.
pub const CARD_TRANSACTION_SUCCESSFUL: &str = "CARD_TRANSACTION_SUCCESSFUL";
pub const CARD_TRANSACTION_FAILED: &str = "CARD_TRANSACTION_FAILED";
pub const CARD_TRANSACTION_UPDATED: &str = "CARD_TRANSACTION_UPDATED";
/// 3DS: a challenge created, answered or expired.
pub const MASTERCARD_IDENTITY_CHECK: &str = "MASTERCARD_IDENTITY_CHECK";

/// Draft payments: created, and answered (accepted or rejected). bunq documents the category
/// ("creation and updates of draft payments"), not its event types; these say the same.
pub const DRAFT_PAYMENT: &str = "DRAFT_PAYMENT";
pub const DRAFT_PAYMENT_CREATED: &str = "DRAFT_PAYMENT_CREATED";
pub const DRAFT_PAYMENT_UPDATED: &str = "DRAFT_PAYMENT_UPDATED";
/// A scheduled payment's run (`ScheduleInstance`), paid or failed; as for card transactions,
/// the event has the category's name.
pub const SCHEDULE_RESULT: &str = "SCHEDULE_RESULT";

/// bunq's limit: two targets per category (spec A.8, F.1).
pub const MAX_TARGETS_PER_CATEGORY: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub category: String,
    pub target: String,
}

/// Validates a complete replacement set of filters for one user.
pub fn validate_filters(
    filters: Vec<(Option<String>, Option<String>)>,
    allow_loopback_http: bool,
) -> Result<Vec<Filter>, DomainError> {
    let mut valid: Vec<Filter> = Vec::with_capacity(filters.len());
    for (i, (category, target)) in filters.into_iter().enumerate() {
        let category = category.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
            DomainError::invalid(format!("notification_filters[{i}].category is required."))
        })?;
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(DomainError::invalid(format!(
                "notification_filters[{i}].category {} is not a known category; use one of {}.",
                quoted(&category),
                CATEGORIES.join(", ")
            )));
        }
        let target = target.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
            DomainError::invalid(format!(
                "notification_filters[{i}].notification_target is required."
            ))
        })?;
        let target =
            validate_callback_url(&target, allow_loopback_http).map_err(|_| {
                DomainError::invalid(format!(
                "notification_filters[{i}].notification_target {} must be an absolute https URL{}.",
                quoted(&target),
                if allow_loopback_http { " (or http to localhost)" } else { "" }
            ))
            })?;
        let filter = Filter { category, target };
        if valid.contains(&filter) {
            continue;
        }
        if valid
            .iter()
            .filter(|f| f.category == filter.category)
            .count()
            >= MAX_TARGETS_PER_CATEGORY
        {
            return Err(DomainError::invalid(format!(
                "At most {MAX_TARGETS_PER_CATEGORY} notification targets are allowed for category {}.",
                filter.category
            )));
        }
        valid.push(filter);
    }
    Ok(valid)
}

/// When failed deliveries are tried again: after each failure, the next entry; when the
/// schedule runs out, the delivery becomes a `NotificationFilterFailure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub schedule: Vec<Duration>,
}

impl Default for RetryPolicy {
    /// bunq's: five more attempts, one minute apart (spec F.4, J-31).
    fn default() -> Self {
        RetryPolicy {
            schedule: vec![Duration::from_secs(60); 5],
        }
    }
}

impl RetryPolicy {
    /// The dev profile's default: five more attempts after 1, 2, 4, 8 and 16 seconds. A
    /// receiver started a little after its first delivery was tried (a walk-through's) still
    /// gets every event within half a minute, in order, instead of a minute per event.
    pub fn dev() -> Self {
        RetryPolicy {
            schedule: [1, 2, 4, 8, 16].map(Duration::from_secs).to_vec(),
        }
    }

    /// The wait before the next attempt after `failed_attempts` failures, or `None` when
    /// there is no next attempt.
    pub fn next_delay(&self, failed_attempts: usize) -> Option<Duration> {
        failed_attempts
            .checked_sub(1)
            .and_then(|i| self.schedule.get(i).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(c: &str, t: &str) -> (Option<String>, Option<String>) {
        (Some(c.into()), Some(t.into()))
    }

    #[test]
    fn two_targets_per_category_and_no_more() {
        let two = vec![
            f("PARTNER_USER_PROVISION", "https://a.example"),
            f("PARTNER_USER_PROVISION", "https://b.example"),
        ];
        assert_eq!(
            validate_filters(two.clone(), false).map(|v| v.len()).ok(),
            Some(2)
        );
        let mut three = two;
        three.push(f("PARTNER_USER_PROVISION", "https://c.example"));
        assert!(validate_filters(three, false).is_err_and(|e| e.to_string().contains("At most 2")));
    }

    #[test]
    fn categories_and_targets_are_checked() {
        assert!(
            validate_filters(vec![f("NOPE", "https://a.example")], false)
                .is_err_and(|e| e.to_string().contains("NOPE"))
        );
        assert!(
            validate_filters(vec![f("MUTATION", "http://a.example")], true)
                .is_err_and(|e| e.to_string().contains("https"))
        );
        assert!(validate_filters(vec![f("MUTATION", "http://127.0.0.1:9/x")], true).is_ok());
        assert!(validate_filters(vec![f("MUTATION", "http://127.0.0.1:9/x")], false).is_err());
        assert!(validate_filters(vec![(None, Some("https://a.example".into()))], false).is_err());
        assert_eq!(validate_filters(vec![], false).ok(), Some(vec![]));
    }

    #[test]
    fn the_default_schedule_is_five_retries_a_minute_apart() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay(1), Some(Duration::from_secs(60)));
        assert_eq!(policy.next_delay(5), Some(Duration::from_secs(60)));
        assert_eq!(policy.next_delay(6), None);
        let dev = RetryPolicy::dev();
        assert_eq!(dev.next_delay(1), Some(Duration::from_secs(1)));
        assert_eq!(dev.next_delay(5), Some(Duration::from_secs(16)));
        assert_eq!(dev.next_delay(6), None);
    }
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    /// Stable across attempts, so receivers can drop duplicates (delivery is at least once).
    pub event_uuid: String,
    pub target: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
    /// A failure retried by hand: this attempt is the last.
    pub final_attempt: bool,
}

/// What became of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered,
    RetryAt(crate::time::Timestamp),
    /// Out of attempts: the delivery is now a `NotificationFilterFailure`.
    Failed,
}

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub delivery: i64,
    pub response_code: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
    pub result: DeliveryResult,
}

/// A `NotificationFilterFailure` (spec F.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub id: i64,
    pub created: crate::time::Timestamp,
    pub updated: crate::time::Timestamp,
    pub category: String,
    pub event_type: String,
    pub object_id: i64,
    pub target: String,
    pub response_code: Option<u16>,
    pub exception_message: Option<String>,
    pub user_id: i64,
    pub user_requested_id: Option<i64>,
    /// The filter whose delivery failed (same category and target), as the user has it now:
    /// empty if since removed (spec F.5).
    pub filters: Vec<Filter>,
}

/// A delivery as the inspector shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub event_uuid: String,
    pub category: String,
    pub event_type: String,
    pub object_id: i64,
    pub target: String,
    pub status: String,
    pub created: crate::time::Timestamp,
    /// The body, exactly as sent.
    pub body: String,
    pub attempts: Vec<AttemptRecord>,
}

/// One attempt as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: i64,
    pub delivery_id: i64,
    pub at: crate::time::Timestamp,
    pub response_code: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
    pub target: String,
    pub event_type: String,
    pub object_id: i64,
}
