//! The user's event feed (bunq `Event`, `GET /user/{id}/event`): one record per thing that
//! happened to one of the user's objects, written in the transaction of the change.
//!
//! What an event is about is an open set: a kind (bunq's object key, such as `Payment`) and
//! an id. The store records kinds without knowing them; the server renders an event by
//! looking its object up by kind. To add a kind: record it where the object changes (the
//! store's `feed::record_event`, in that change's transaction) and teach the server's feed
//! renderer to load and render it.

use crate::{
    model::{MonetaryAccountId, UserId},
    provision::enums::wire_enum,
    time::Timestamp,
};

/// bunq's object key of a Payment.
pub const PAYMENT: &str = "Payment";
/// bunq's object key of a card transaction.
pub const MASTER_CARD_ACTION: &str = "MasterCardAction";
/// bunq's object keys of a request for money: the asking side's and the asked side's.
pub const REQUEST_INQUIRY: &str = "RequestInquiry";
pub const REQUEST_RESPONSE: &str = "RequestResponse";
/// bunq's object key of a draft payment.
pub const DRAFT_PAYMENT: &str = "DraftPayment";
/// bunq's object key of a scheduled payment (made, and each run that could not pay; a run
/// that paid shows as its payment).
pub const SCHEDULE_PAYMENT: &str = "SchedulePayment";

wire_enum! {
    /// `Event.action`.
    EventAction {
        Create = "CREATE",
        Update = "UPDATE",
    }
}

wire_enum! {
    /// `Event.status`: a payment received is FINALIZED; a request received, which waits for
    /// the user's answer, is AWAITING_REPLY.
    EventStatus {
        Finalized = "FINALIZED",
        AwaitingReply = "AWAITING_REPLY",
    }
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent<'a> {
    pub user_id: UserId,
    pub monetary_account_id: Option<MonetaryAccountId>,
    /// bunq's object key (see [`PAYMENT`], [`MASTER_CARD_ACTION`]).
    pub kind: &'a str,
    pub object_id: i64,
    pub action: EventAction,
    pub status: EventStatus,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub user_id: UserId,
    pub monetary_account_id: Option<MonetaryAccountId>,
    pub kind: String,
    pub object_id: i64,
    pub action: EventAction,
    pub status: EventStatus,
    pub display_user_event: bool,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// bunq's filters of the list: `monetary_account_id` (one id or several, comma-separated),
/// `status` and `display_user_event`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub accounts: Vec<MonetaryAccountId>,
    pub status: Option<EventStatus>,
    pub display_user_event: Option<bool>,
}
