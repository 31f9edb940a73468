//! bunq's Partner API under `/v1`: every route with its description (see `http::openapi`).

use provisio_wire::{
    accounts::MonetaryAccountRequest,
    payments::PaymentRequest,
    requests::{CallbackUrlRequest, OauthClientRequest, ProvisionRequest, StatusRequest},
};

use crate::http::{
    openapi::{create, delete, get, list, one, post, put, Api, Op, ID},
    routes,
};

/// The routes under `/v1`, without the OAuth clients (see [`oauth_clients`]).
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn api() -> Api {
    use routes::{
        accounts, payments, provision, user,
    };
    Api::new()
        .route("/partner-user-provision", [
            post(provision::create, create::<ProvisionRequest>("Provision a user")),
            get(provision::list, list("The partner's provisions", "PartnerUserProvision")
                .query("status", "Comma-separated statuses to keep")
                .query("external_uuid", "The provision with this external UUID")),
        ])
        .route("/partner-user-provision/{id}", [
            get(provision::get, one("One provision", "PartnerUserProvision")),
            put(provision::update, create::<StatusRequest>("Change a provision's status")),
        ])
        .route("/user/{user_id}", [get(user::get, Op::new("The session's user").answers(&["UserCompany", "UserPerson", "UserApiKey"]))])
        .route("/user/{user_id}/monetary-account-bank", [
            post(accounts::create_bank, create::<MonetaryAccountRequest>("Open a bank account")),
            get(accounts::list_bank, list("The user's bank accounts", "MonetaryAccountBank")),
        ])
        .route("/user/{user_id}/monetary-account-bank/{id}", [
            get(accounts::get_bank, one("One bank account", "MonetaryAccountBank")),
            put(accounts::update_bank, create::<MonetaryAccountRequest>("Change a bank account")),
        ])
        .route("/user/{user_id}/monetary-account-external", [
            post(accounts::create_external, create::<MonetaryAccountRequest>("Open an external account")),
            get(accounts::list_external, list("The user's external accounts", "MonetaryAccountExternal")),
        ])
        .route("/user/{user_id}/monetary-account-external/{id}", [
            get(accounts::get_external, one("One external account", "MonetaryAccountExternal")),
            put(accounts::update_external, create::<MonetaryAccountRequest>("Change an external account")),
        ])
        .route("/user/{user_id}/monetary-account", [
            get(accounts::list_all, Op::new("The user's accounts of every kind").paged()
                .answers(&["MonetaryAccountBank", "MonetaryAccountExternal"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}", [
            get(accounts::get_any, Op::new("One account of any kind").answers(&["MonetaryAccountBank", "MonetaryAccountExternal"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}/payment", [
            post(payments::create, Op::new("Pay from the account").signed_body::<PaymentRequest>().answers(ID)),
            get(payments::list, list("The account's payments", "Payment")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/payment/{payment_id}", [get(payments::get, one("One payment", "Payment"))])

}

/// The OAuth clients: under the partner's company and, as in bunq's swagger, at the top.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn oauth_clients() -> Api {
    use routes::oauth;
    Api::new()
        .route(
            "/oauth-client",
            [
                post(
                    oauth::create,
                    create::<OauthClientRequest>("Create an OAuth client"),
                ),
                get(
                    oauth::list,
                    list("The partner's OAuth clients", "OauthClient"),
                ),
            ],
        )
        .route(
            "/oauth-client/{oauth_client_id}",
            [
                get(oauth::get, one("One OAuth client", "OauthClient")),
                put(
                    oauth::update,
                    create::<StatusRequest>("Change an OAuth client's status"),
                ),
            ],
        )
        .route(
            "/oauth-client/{oauth_client_id}/callback-url",
            [
                post(
                    oauth::add_url,
                    create::<CallbackUrlRequest>("Add a callback URL"),
                ),
                get(
                    oauth::list_urls,
                    Op::new("The client's callback URLs").answers(&["OauthCallbackUrl"]),
                ),
            ],
        )
        .route(
            "/oauth-client/{oauth_client_id}/callback-url/{callback_url_id}",
            [
                get(oauth::get_url, one("One callback URL", "OauthCallbackUrl")),
                put(
                    oauth::update_url,
                    create::<CallbackUrlRequest>("Change a callback URL"),
                ),
                delete(oauth::delete_url, Op::new("Remove a callback URL")),
            ],
        )
}
