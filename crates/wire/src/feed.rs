//! The user's event feed as bunq renders it (`Event`), and notes on payments
//! (`NoteTextPayment`).

use provisio_core::{account::note::PaymentNote, feed::Event};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{time::ts, Item};

/// bunq's `Event`. `user_id` and `monetary_account_id` are strings, as bunq types them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    /// `CREATE` or `UPDATE`.
    pub action: String,
    pub user_id: String,
    #[schema(required = true)]
    pub monetary_account_id: Option<String>,
    /// The object the event is about, under its own key (`{"Payment":{…}}`).
    #[schema(no_recursion)]
    pub object: Box<Item>,
    /// `FINALIZED` or `AWAITING_REPLY`.
    pub status: String,
}

/// `event` with `object`, the object it is about as rendered now.
pub fn event(event: &Event, object: Item) -> EventObject {
    EventObject {
        id: event.id,
        created: ts(event.created),
        updated: ts(event.updated),
        action: event.action.as_str().to_owned(),
        user_id: event.user_id.0.to_string(),
        monetary_account_id: event.monetary_account_id.map(|a| a.0.to_string()),
        object: Box::new(object),
        status: event.status.as_str().to_owned(),
    }
}

/// bunq's `NoteTextPayment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoteTextObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub content: String,
}

pub fn note_text(note: &PaymentNote) -> NoteTextObject {
    NoteTextObject {
        id: note.id,
        created: ts(note.created),
        updated: ts(note.updated),
        content: note.content.clone(),
    }
}

/// `POST`/`PUT …/payment/{id}/note-text[/{id}]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoteTextRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}
