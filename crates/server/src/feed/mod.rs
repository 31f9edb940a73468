//! The user's event feed (bunq `Event`): `GET /user/{user_id}/event[/{id}]`.
//!
//! Holds `objects` (an event's object, looked up by kind and rendered as bunq does) and
//! `routes` (the handlers and their table). Imports `http` and the common modules only: an
//! object is read through the `Store` traits and rendered with `provisio-wire`, so no other
//! domain's folder is needed.
//!
//! Adding a kind of event (a request, a draft payment, a schedule): record it with the
//! store's `feed::record_event` in the transaction of the change, under bunq's object key
//! (`RequestInquiry`, …), and add the key's arm to `objects::load`, reading the object through
//! its store trait and rendering it with its wire renderer. An event of a kind `load` does not
//! know is left out of the feed rather than failing it.

pub(crate) mod objects;
pub(crate) mod routes;
