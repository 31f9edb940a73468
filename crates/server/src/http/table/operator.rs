//! provisio's operator API under `/_provisio` (admin token), with its descriptions (see
//! `http::openapi`). The sandbox controls are in `routes::sandbox::api`.

use crate::http::{
    openapi::{admin as op, get, post, Api},
    routes,
};

const PROVISION: &[&str] = &["PartnerUserProvision"];

pub fn api() -> Api {
    use routes::{metrics, requests, sandbox, scenarios};
    Api::new()
        .route(
            "/requests",
            [get(
                requests::recent,
                op("Recent requests and why refused ones were refused")
                    .query_integer("partner", "Only this partner's")
                    .query_integer("after", "Only those after this record id")
                    .query_integer("count", "How many (1 to 200, default 50)")
                    .answers(&["RequestRecord"]),
            )],
        )
        .route(
            "/metrics",
            [get(
                metrics::scrape,
                op("Metrics in Prometheus' text format").answers_bytes(&["text/plain"]),
            )],
        )
        .route(
            "/scenarios",
            [get(
                scenarios::list,
                op("Every scenario, magic value and forced outcome").answers(&["Scenario"]),
            )],
        )
        .route(
            "/scenarios/{name}",
            [post(
                scenarios::run,
                op("Run a scenario for a partner")
                    .body::<scenarios::RunScenario>()
                    .answers(PROVISION),
            )],
        )
        .merge(sandbox::api())
}
