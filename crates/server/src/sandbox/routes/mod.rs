//! The sandbox's operator routes under `/_provisio` (admin token, but for the health probes):
//! the virtual clock, partners and reset (`tenants`), scenarios, the request log, injected
//! faults (dev profile), metrics and the health probes. Each is registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod clock;
pub mod faults;
pub mod health;
pub mod metrics;
pub mod requests;
pub mod scenarios;
pub mod tenants;

use provisio_wire::{
    operator::HealthStatus,
    requests::{AdvanceClockRequest, CreatePartnerRequest, FaultRequest, ResetRequest},
};

use crate::http::openapi::{admin, delete, get, post, Api, Auth, Op};

const PROVISION: &[&str] = &["PartnerUserProvision"];

/// The sandbox's routes, to merge into `/_provisio`.
pub fn operator() -> Api {
    let clock_answer = &["SandboxClock"];
    let partner = &["SandboxPartner"];
    Api::new()
        .route(
            "/requests",
            [get(
                requests::recent,
                admin("Recent requests and why refused ones were refused")
                    .query_integer("partner", "Only this partner's")
                    .query_integer("after", "Only those after this record id")
                    .query_integer("count", "How many (1 to 200, default 50)")
                    .answers(&["RequestRecord"]),
            )],
        )
        .route(
            "/faults",
            [
                post(
                    faults::arm,
                    admin("Make the next calls of a /v1 route fail, slow down or drop (dev profile)")
                        .body::<FaultRequest>()
                        .answers(&["Fault"])
                        .dev_only(),
                ),
                get(
                    faults::list,
                    admin("The armed faults, with the calls each has left (dev profile)")
                        .answers(&["Fault"])
                        .dev_only(),
                ),
                delete(
                    faults::clear,
                    admin("Disarm every fault (dev profile)").dev_only(),
                ),
            ],
        )
        .route(
            "/metrics",
            [get(
                metrics::scrape,
                admin("Metrics in Prometheus' text format").answers_bytes(&["text/plain"]),
            )],
        )
        .route(
            "/scenarios",
            [get(
                scenarios::list,
                admin("Every scenario, magic value and forced outcome").answers(&["Scenario"]),
            )],
        )
        .route(
            "/scenarios/{name}",
            [post(
                scenarios::run,
                admin("Run a scenario for a partner")
                    .body::<scenarios::RunScenario>()
                    .answers(PROVISION),
            )],
        )
        .route(
            "/clock",
            [get(
                clock::clock,
                admin("The virtual clock").answers(clock_answer),
            )],
        )
        .route(
            "/clock/advance",
            [post(
                clock::advance,
                admin("Move the virtual clock forward; what fell due runs at once")
                    .body::<AdvanceClockRequest>()
                    .answers(clock_answer),
            )],
        )
        .route(
            "/health",
            [get(
                health::health,
                Op::new("Liveness")
                    .auth(Auth::Public)
                    .answers_plain::<HealthStatus>(),
            )],
        )
        .route(
            "/ready",
            [get(
                health::ready,
                Op::new("Readiness: the store answers and its schema is this build's")
                    .auth(Auth::Public)
                    .answers_plain::<HealthStatus>(),
            )],
        )
        .route(
            "/partners",
            [
                post(
                    tenants::create,
                    admin("Create a partner; answers its API key once")
                        .body::<CreatePartnerRequest>()
                        .answers(partner),
                ),
                get(tenants::list, admin("Every partner").answers(partner)),
            ],
        )
        .route(
            "/partners/{id}",
            [delete(
                tenants::delete,
                admin("Remove a partner with everything it owns"),
            )],
        )
        .route(
            "/reset",
            [post(
                tenants::reset,
                admin("Empty the store; {\"clock\":\"real\"}: the clock back to real time too (dev only)")
                    .body::<ResetRequest>(),
            )],
        )
}
