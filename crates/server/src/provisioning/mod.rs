//! Provisioning (spec D): the users partners provision, the credentials those users receive,
//! and the OAuth clients a partner registers.
//!
//! Holds the service `ops` (the operations on a provision the partner API, the operator API
//! and the CLI share), `routes` (the handlers and their table) and `ui` (the
//! dashboard's partners and provisions pages). Imports `http`, the dashboard's shell
//! (`crate::ui`), the common modules at the crate root, and `webhooks` (a provision's
//! timeline shows its deliveries): no other domain, not the router.

pub mod consent;
pub mod ops;
pub(crate) mod routes;
pub(crate) mod ui;
