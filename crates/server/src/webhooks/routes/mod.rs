//! The webhook routes: a user's notification filters and the deliveries that ran out of
//! attempts under `/v1` (spec F), and the operator's delivery inspector under `/_provisio`,
//! each registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod account_filters;
pub mod filters;
pub mod operator;
pub mod sink;

use provisio_wire::requests::{FailureRetryRequest, NotificationFiltersRequest};

use crate::http::openapi::{admin, delete, get, list, post, Api, Auth, Op};

/// bunq's webhook routes, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    Api::new()
        .route("/user/{user_id}/notification-filter-url", [
            post(filters::set, Op::new("Replace the webhook filters").body::<NotificationFiltersRequest>()
                .answers(&["NotificationFilterUrl"])),
            get(filters::list, list("The webhook filters", "NotificationFilterUrl")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/notification-filter-url", [
            post(account_filters::set, Op::new("Replace the account's webhook filters")
                .body::<NotificationFiltersRequest>().answers(&["NotificationFilterUrl"])),
            get(account_filters::list, list("The account's webhook filters", "NotificationFilterUrl")),
        ])
        .route("/user/{user_id}/notification-filter-failure", [
            get(filters::failures, list("Webhook deliveries that ran out of attempts", "NotificationFilterFailure")),
            post(filters::retry, Op::new("Retry failed webhook deliveries").body::<FailureRetryRequest>()),
        ])
}

/// The operator's delivery inspector and the dev profile's webhook sink, to merge into
/// `/_provisio`.
pub fn operator() -> Api {
    Api::new()
        .route(
            "/deliveries",
            [get(
                operator::deliveries,
                admin("Recent webhook deliveries, newest first")
                    .query_integer("count", "How many (1 to 200, default 20)")
                    .query("target", "Only those to this URL")
                    .answers(&["WebhookDelivery"]),
            )],
        )
        .route(
            "/deliveries/{id}/resend",
            [post(
                operator::resend,
                admin("Deliver a webhook again").answers(&["Id"]),
            )],
        )
        .route(
            "/sink/{name}",
            [
                post(
                    sink::keep,
                    Op::new("Keep any POST, as a webhook receiver (dev profile)")
                        .auth(Auth::Public)
                        .raw_body(&["application/json", "*/*"])
                        .answers(&["Id"])
                        .dev_only(),
                ),
                get(
                    sink::list,
                    admin("What the sink kept, oldest first (dev profile)")
                        .query_integer("after", "Only those after this id")
                        .query_integer("count", "At most the newest this many (1 to 1000)")
                        .answers(&["SinkRequest"])
                        .dev_only(),
                ),
                delete(
                    sink::clear,
                    admin("Forget what the sink kept (dev profile)").dev_only(),
                ),
            ],
        )
}
