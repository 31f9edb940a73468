//! The provisioning routes: a partner's provisions (spec D), the user a session names, and the
//! OAuth clients under `/v1`; the operator's decisions on a provision under `/_provisio`. Each
//! is registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod consent;
pub mod oauth;
pub mod operator;
pub mod provision;
pub mod user;

use provisio_wire::requests::{
    CallbackUrlRequest, OauthClientRequest, ProvisionRequest, StatusRequest, UserCompanyRequest,
};

use crate::http::openapi::{admin, create, delete, get, list, one, post, put, Api, Auth, Op};

const PROVISION: &[&str] = &["PartnerUserProvision"];

/// bunq's provisioning routes, to merge into `/v1`: the OAuth clients under the partner's
/// company and, as in bunq's swagger, at the top.
pub fn v1() -> Api {
    provisions()
        .merge(oauth_token())
        .merge(oauth_clients())
        .nest("/user/{user_id}", oauth_clients())
}

/// The provisions and the session's user.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
fn provisions() -> Api {
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
        .route("/user", [get(user::list, Op::new("The session's own user, as a list of one").answers(&["UserCompany", "UserPerson", "UserApiKey"]))])
        .route("/user-person/{user_id}", [get(user::person, one("The user, if it is a person", "UserPerson"))])
        .route("/user-company/{user_id}", [
            get(user::company, one("The user, if it is a company", "UserCompany")),
            put(user::update_company, create::<UserCompanyRequest>("Change the company's avatar (avatar_uuid)")),
        ])
}

/// bunq's OAuth token endpoint (its `api-oauth` host), served here under `/v1` (issue 19).
fn oauth_token() -> Api {
    Api::new().route(
        "/token",
        [post(
            consent::token,
            Op::new(
                "Exchange an authorization code for an access token (an API key); RFC 6749 errors",
            )
            .auth(Auth::Public)
            .query("grant_type", "authorization_code")
            .query("code", "The code the consent page sent to redirect_uri")
            .query("redirect_uri", "The callback URL the code was issued for")
            .query("client_id", "The OAuth client's client_id")
            .query("client_secret", "The OAuth client's secret")
            .answers_plain::<consent::TokenAnswer>()
            .oauth_errors(),
        )],
    )
}

/// The OAuth clients: under the partner's company and, as in bunq's swagger, at the top.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
fn oauth_clients() -> Api {
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

/// The operator's decisions on a provision, and OAuth consent without a browser, to merge
/// into `/_provisio`.
pub fn operator() -> Api {
    Api::new()
        .route(
            "/oauth/authorize",
            [post(
                consent::authorize,
                admin("Answer an OAuth consent request as a user would; answers the redirect URL")
                    .body::<consent::AuthorizeRequest>()
                    .answers_plain::<consent::AuthorizeAnswer>(),
            )],
        )
        .route(
            "/oauth/grants",
            [get(
                consent::grants,
                admin("Users' OAuth grants, newest first")
                    .query_integer("user_id", "Only this user's grants")
                    .answers_plain::<consent::GrantList>(),
            )],
        )
        .route(
            "/oauth/grants/{id}/revoke",
            [post(
                consent::revoke,
                admin("Revoke an OAuth grant: its sessions end at once")
                    .answers_plain::<consent::GrantView>(),
            )],
        )
        .route(
            "/provisions/{id}/approve",
            [post(
                operator::approve,
                admin("Approve a provision now").answers(PROVISION),
            )],
        )
        .route(
            "/provisions/{id}/deny",
            [post(
                operator::deny,
                admin("Deny a provision now").answers(PROVISION),
            )],
        )
        .route(
            "/provisions/{id}/fail",
            [post(
                operator::fail,
                admin("Fail a provision now").answers(PROVISION),
            )],
        )
        .route(
            "/provisions/{id}/expire-credential",
            [post(
                operator::expire_credential,
                admin("Expire a provision's credential").answers(PROVISION),
            )],
        )
        .route(
            "/provisions/{id}/history",
            [get(
                operator::history,
                admin("A provision's state changes").answers(&["ProvisionHistoryEntry"]),
            )],
        )
}
