//! The onboarding routes: a provisioned user's onboarding and the fulfillments that feed it,
//! identity verification, attachments and document identification, and compliance inquiries
//! under `/v1` (spec E, G); what bunq's compliance team does under `/_provisio`. Each is
//! registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod inquiry;
pub mod onboarding;
pub mod operator;
pub mod public_attachments;
pub mod verification;

use provisio_core::{attachment::CONTENT_TYPES, public_attachment::IMAGE_TYPES};
use provisio_wire::public_attachments::AvatarRequest;
use provisio_wire::requests::{
    AddressRequest, DecideVerificationRequest, DocumentIdentificationRequest,
    IdentityVerificationRequest, InquiryAnswerRequest, NationalityRequest, OnboardingRequest,
    RaiseInquiryRequest, ReviewEntryRequest, TaxResidentRequest, UserPersonRequest,
};

use crate::http::openapi::{admin, create, get, list, one, post, put, Api, Op, ID};

const INQUIRY: &[&str] = &["UserInformationInquiry"];

/// bunq's onboarding routes, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    Api::new()
        .route("/attachment-public", [
            post(public_attachments::upload, Op::new("Upload a public image (the raw bytes, signed)").raw_body(&IMAGE_TYPES).answers(&["Uuid"])),
        ])
        .route("/attachment-public/{uuid}", [get(public_attachments::get, one("One public attachment", "AttachmentPublic"))])
        .route("/attachment-public/{uuid}/content", [
            get(public_attachments::content, Op::new("A public attachment's bytes").answers_bytes(&IMAGE_TYPES)),
        ])
        .route("/avatar", [post(public_attachments::create_avatar, Op::new("Make an avatar of a public attachment").body::<AvatarRequest>().answers(&["Uuid"]))])
        .route("/avatar/{uuid}", [get(public_attachments::get_avatar, one("One avatar", "Avatar"))])
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
}

/// What bunq's compliance team does, to merge into `/_provisio`.
pub fn operator() -> Api {
    Api::new()
        .route(
            "/users/{id}/inquiries",
            [post(
                operator::raise_inquiry,
                admin("Raise an information inquiry")
                    .body::<RaiseInquiryRequest>()
                    .answers(INQUIRY),
            )],
        )
        .route(
            "/inquiries/{id}/finalize",
            [post(
                operator::finalize_inquiry,
                admin("Finalize an inquiry").answers(INQUIRY),
            )],
        )
        .route(
            "/inquiry-entries/{id}/review",
            [post(
                operator::review_entry,
                admin("Review an inquiry entry")
                    .body::<ReviewEntryRequest>()
                    .answers(&["Id"]),
            )],
        )
        .route(
            "/identity-verifications/{id}/decide",
            [post(
                operator::decide_identity,
                admin("Decide an identity verification now")
                    .body::<DecideVerificationRequest>()
                    .answers(&["IdentityVerificationSessionIncode"]),
            )],
        )
}
