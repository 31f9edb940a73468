//! bunq's Partner API under `/v1`: every route with its description (see `http::openapi`).

use provisio_core::attachment::CONTENT_TYPES;
use provisio_wire::{
    accounts::MonetaryAccountRequest,
    payments::PaymentRequest,
    requests::{
        AddressRequest, CallbackUrlRequest, DocumentIdentificationRequest,
        IdentityVerificationRequest, InquiryAnswerRequest, NationalityRequest, OauthClientRequest,
        OnboardingRequest, ProvisionRequest, StatusRequest, TaxResidentRequest, UserPersonRequest,
    },
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
        accounts, inquiry, onboarding, payments, provision, user, verification,
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
        .route("/user/{user_id}/user-onboarding", [
            post(onboarding::create, create::<OnboardingRequest>("Start an onboarding")),
            get(onboarding::list, list("The user's onboardings", "UserOnboarding")),
        ])
        .route("/user/{user_id}/user-onboarding/{id}", [
            get(onboarding::get, one("One onboarding", "UserOnboarding")),
            put(onboarding::update, create::<OnboardingRequest>("Change an onboarding")),
        ])
        .route("/user/{user_id}/address-main", [post(onboarding::address_main, create::<AddressRequest>("Provide the main address"))])
        .route("/user/{user_id}/address-postal", [post(onboarding::address_postal, create::<AddressRequest>("Provide the postal address"))])
        .route("/user/{user_id}/tax-resident", [post(onboarding::tax_resident, create::<TaxResidentRequest>("Provide the tax residencies"))])
        .route("/user/{user_id}/nationality", [post(onboarding::nationality, create::<NationalityRequest>("Provide the nationalities"))])
        .route("/user-person/{user_id}", [put(onboarding::user_person, create::<UserPersonRequest>("Provide the legal name and date of birth"))])
        .route("/user/{user_id}/identity-verification-session", [
            post(verification::create_session, create::<IdentityVerificationRequest>("Start an identity verification")),
            get(verification::list_sessions, list("The user's identity verifications", "IdentityVerificationSessionIncode")),
        ])
        .route("/user/{user_id}/identity-verification-session/{id}", [
            get(verification::get_session, one("One identity verification", "IdentityVerificationSessionIncode")),
            put(verification::submit_session, create::<IdentityVerificationRequest>("Submit an identity verification")),
        ])
        .route("/user/{user_id}/attachment", [
            post(verification::upload, Op::new("Upload an attachment (the raw bytes)").raw_body(&CONTENT_TYPES).answers(ID)),
        ])
        .route("/user/{user_id}/attachment/{id}", [get(verification::get_attachment, one("One attachment", "AttachmentUser"))])
        .route("/user/{user_id}/attachment/{id}/content", [
            get(verification::attachment_content, Op::new("An attachment's bytes").answers_bytes(&CONTENT_TYPES)),
        ])
        .route("/user/{user_id}/document-identification", [
            post(verification::create_document, create::<DocumentIdentificationRequest>("Identify with a document")),
        ])
        .route("/user/{user_id}/user-information-inquiry", [
            get(inquiry::list, list("The user's information inquiries", "UserInformationInquiry")
                .query("status", "Comma-separated statuses to keep")
                .query("purpose", "Comma-separated purposes to keep")
                .query("type", "Comma-separated model names to keep")),
        ])
        .route("/user/{user_id}/user-information-inquiry/{id}", [get(inquiry::get, one("One information inquiry", "UserInformationInquiry"))])
        .route("/user/{user_id}/user-information-inquiry/{inquiry_id}/partner-user-information-inquiry-entry/{id}", [
            put(inquiry::answer, create::<InquiryAnswerRequest>("Answer an inquiry entry")),
        ])
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
