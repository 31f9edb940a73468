//! The context routes under `/v1` (spec A): an installation (the client's key), a device (the
//! API key on it) and a session, each registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod device;
pub mod installation;
pub mod sandbox_user;
pub mod session;

use provisio_wire::requests::{DeviceServerRequest, InstallationRequest, SessionServerRequest};

use crate::http::openapi::{create, delete, get, list, one, post, Api, Auth, Op, ID};

/// The context routes, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    Api::new()
        .route("/installation", [
            post(installation::create, Op::new("Register a client public key; answers the installation token and the server's public key")
                .auth(Auth::Public).body::<InstallationRequest>()
                .answers_in_order(&["Id", "Token", "ServerPublicKey"])),
            get(installation::current, Op::new("The id of the session's installation").answers(ID)),
        ])
        .route("/installation/{id}", [get(installation::get, Op::new("The session's own installation").answers(ID))])
        .route("/installation/{id}/server-public-key", [
            get(installation::server_key, one("The server's public key", "ServerPublicKey")),
        ])
        .route("/device-server", [
            post(device::create, create::<DeviceServerRequest>("Register a device with the API key").auth(Auth::Installation)),
            get(device::list, list("The partner's devices", "DeviceServer")),
        ])
        .route("/device-server/{id}", [get(device::get, one("One device", "DeviceServer"))])
        .route("/session-server", [
            post(session::create, Op::new("Open a session with the API key or a provision credential")
                .auth(Auth::Installation).signed_body::<SessionServerRequest>()
                .answers(&["Id", "Token", "UserCompany", "UserPerson", "UserApiKey"])),
        ])
        .route("/session/{id}", [delete(session::delete, Op::new("Close the session"))])
        .route("/sandbox-user-person", [post(sandbox_user::person, sandbox_user_op("Create a sandbox person; answers its API key"))])
        .route("/sandbox-user-company", [post(sandbox_user::company, sandbox_user_op("Create a sandbox company; answers its API key"))])
        .route("/sandbox-user", [post(sandbox_user::person, sandbox_user_op("Create a sandbox person (bunq's older name); answers its API key"))])
}

/// A sandbox user's creation: public (no token, no signature), sandbox environment only.
fn sandbox_user_op(summary: &'static str) -> Op {
    Op::new(summary)
        .auth(Auth::Public)
        .sandbox_only()
        .answers(&["ApiKey"])
}
