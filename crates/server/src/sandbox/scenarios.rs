//! Scenarios, like `stripe trigger`: a provisioned user brought at once to a state a partner
//! wants to test from; and the catalogue of every magic value and forced outcome the sandbox
//! offers, so none of them has to be found in the documentation (docs/sandbox-controls.md).
//!
//! A scenario takes the same steps a provision takes through the API and the worker, only
//! without waiting for the step delay (`ops::run_steps_now`), and decides the onboarding the
//! way an operator does. Its webhooks are queued as for any provision.

use std::time::Duration;

use provisio_core::{
    account::NewAccount,
    account::{
        amount::format_minor,
        request::{DEFAULT_SUGARDADDY_LIMIT_MINOR, SUGARDADDY_EMAIL},
    },
    model::{ProvisionId, UserId},
    provision::{oauth::OauthClientStatus, record::Provision, request::Draft},
    secret::Secret,
    store::Store,
    time::Clock,
    DomainError,
};
use provisio_wire::operator::Scenario;

use crate::provisioning::ops;

/// The callback URL a scenario registers for a partner that has no usable OAuth client.
pub const SCENARIO_CALLBACK_URL: &str = "https://scenario.provisio.invalid/oauth/callback";

/// A scenario that can be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runnable {
    OnboardingUser,
    ActiveUser,
    FailedUser,
    ClosedUser,
}

impl Runnable {
    pub fn parse(name: &str) -> Option<Runnable> {
        Some(match name {
            "onboarding-user" => Runnable::OnboardingUser,
            "active-user" => Runnable::ActiveUser,
            "failed-user" => Runnable::FailedUser,
            "closed-user" => Runnable::ClosedUser,
            _ => return None,
        })
    }
}

/// (name, kind, what it does)
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("onboarding-user", "scenario", "POST /_provisio/scenarios/onboarding-user {\"partner_id\":N}: a new person provision at CREATED/PENDING_PROCESS_USER_ONBOARDING with its credential (PENDING_FIRST_USE, token_value shown), at once. The partner gets an OAuth client with a placeholder callback URL if it has no usable one."),
    ("active-user", "scenario", "As onboarding-user, then the onboarding approved: ACTIVE/NONE, the onboarding VERIFIED, and a EUR account credited with 1000.00 from outside (an incoming payment); the credential still opens the user's first session."),
    ("failed-user", "scenario", "As onboarding-user, then the onboarding denied: FAILED/NONE, the credential revoked."),
    ("closed-user", "scenario", "As onboarding-user, then cancelled and closed: CLOSED/NONE, the credential gone."),
    ("last name Rejected", "magic value", "An identity verification of a user whose legal last name is Rejected (any case) is REJECTED with DOCUMENT_NOT_VALID after the review delay; the provision ends FAILED/NONE."),
    ("last name Mismatch", "magic value", "The same with FACE_MISMATCH."),
    ("date of birth 1911-11-11", "magic value", "The same with DOCUMENT_EXPIRED."),
    ("any other user", "magic value", "An identity verification is APPROVED after the review delay (--identity-review-delay, 5 s by default)."),
    ("approve", "forced outcome", "POST /_provisio/provisions/{id}/approve, provisio provision approve ID: the onboarding approved now → ACTIVE/NONE."),
    ("deny", "forced outcome", "POST /_provisio/provisions/{id}/deny, provisio provision deny ID: the onboarding denied → FAILED/NONE, credential revoked, sessions ended."),
    ("fail", "forced outcome", "POST /_provisio/provisions/{id}/fail, provisio provision fail ID: the pending background step fails → FAILED/NONE."),
    ("expire-credential", "forced outcome", "POST /_provisio/provisions/{id}/expire-credential, provisio provision expire-credential ID: the unused credential expires now."),
    ("decide identity", "forced outcome", "POST /_provisio/identity-verifications/{id}/decide, provisio identity decide ID --approve|--reject: decide a verification now, whatever the sandbox rule says."),
    ("raise inquiry", "forced outcome", "POST /_provisio/users/{id}/inquiries, provisio inquiry raise USER --entry TYPE: ask the user for information; an open ONBOARDING inquiry holds the onboarding back."),
    ("review inquiry entry", "forced outcome", "POST /_provisio/inquiry-entries/{id}/review, provisio inquiry review ENTRY --approve|--reject [--reopen]."),
    ("finalize inquiry", "forced outcome", "POST /_provisio/inquiries/{id}/finalize, provisio inquiry finalize ID: cancel what is open and finalize."),
    ("resend webhook", "forced outcome", "POST /_provisio/deliveries/{id}/resend, provisio webhooks resend ID; provisio webhooks retry-pending makes every waiting delivery due now."),
    ("card authorize", "forced outcome", "POST /_provisio/cards/{id}/authorize {\"amount\":\"12.50\",\"merchant\":\"Coffee BV\"}, provisio card authorize CARD --amount 12.50 --merchant NAME: a merchant's authorization, approved (the account debited, a MASTERCARD payment) or declined on its merits (CARD_NOT_ACTIVE, ACCOUNT_NOT_ACTIVE, CARD_LIMIT_EXCEEDED, INSUFFICIENT_BALANCE); the card's monetary_account_id_fallback pays when its own account cannot."),
    ("decline_reason", "forced outcome", "In a card authorization (--decline-reason): decline it with WRONG_PIN, MERCHANT_BLOCKED, COUNTRY_NOT_PERMITTED, SUSPECTED_FRAUD or any reason provisio decides itself; recorded, no money moved."),
    ("identity_check", "forced outcome", "In a card authorization (--identity-check): a 3DS MasterCardIdentityCheckChallengeRequest the user answers with PUT …/challenge-request/{id} (ACCEPTED_PENDING_RESPONSE runs the authorization, REJECTED_PENDING_RESPONSE declines it); unanswered, it expires after 5 minutes of the virtual clock and the authorization is declined."),
    ("card reverse / settle", "forced outcome", "POST /_provisio/mastercard-actions/{id}/reverse|settle, provisio card reverse|settle ID: give an authorized, unsettled card transaction's money back, or settle it."),
    ("card order", "magic value", "A physical card moves NEW_CARD_REQUEST_RECEIVED → SENT_FOR_PRODUCTION → ACCEPTED_FOR_PRODUCTION → DELIVERED_TO_CUSTOMER, a day of the virtual clock per step; a virtual card is VIRTUAL_DELIVERY at once. A generated CVC2 expires after 24 hours. PANs are Luhn-valid numbers in Mastercard's 555555 test range."),
    ("bunq.me tab pay", "forced outcome", "POST /_provisio/bunqme-tabs/{id}/pay {\"from_iban\":\"NL20INGB0001234567\",\"from_name\":\"Friend\"}: a stranger pays an open bunq.me tab's amount from an IBAN elsewhere (money in, listed in the tab's result_inquiries); {\"from_monetary_account_id\":N} pays it from an account held here instead (another user's), as an internal BUNQ payment, refused with 400 if that account cannot pay it; a cancelled tab refuses."),
    ("--onboarding-inquiry TYPES", "setting", "Raise an ONBOARDING inquiry with these entry types when a user's onboarding is created."),
    ("--step-delay, --identity-review-delay, --webhook-retry-schedule", "setting", "How long the background steps, the identity review and webhook retries wait (0s and 5ms lists for fast tests)."),
];

/// Every scenario, magic value and forced outcome, with what it does; Sugar Daddy with the
/// limit this server gives (`None`: the production environment, where it does not exist).
pub fn catalogue(sugardaddy_limit_minor: Option<i64>) -> Vec<Scenario> {
    let mut all: Vec<Scenario> = CATALOGUE
        .iter()
        .map(|(name, kind, description)| Scenario {
            name: (*name).to_owned(),
            kind: (*kind).to_owned(),
            description: (*description).to_owned(),
        })
        .collect();
    if let Some(limit) = sugardaddy_limit_minor {
        all.push(Scenario {
            name: SUGARDADDY_EMAIL.to_owned(),
            kind: "magic value".to_owned(),
            description: format!(
                "POST /v1/user/{{id}}/monetary-account/{{id}}/request-inquiry to {{\"type\":\"EMAIL\",\"value\":\"sugardaddy@bunq.com\"}}: in the sandbox, Sugar Daddy accepts at once up to {} EUR per request on this server (--sugardaddy-limit, {} by default); the account is credited from NL10BUNQ2025000500 as money in from outside and the request is ACCEPTED. Above the limit: 400, nothing changes. bravo@bunq.com, bunq's other sandbox user, exists too: it is paid and asked inside provisio.",
                format_minor(limit),
                format_minor(DEFAULT_SUGARDADDY_LIMIT_MINOR),
            ),
        });
    }
    all
}

/// Runs `scenario` for `partner`; answers the provision as it ends.
pub async fn run(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: provisio_core::model::Environment,
    partner: UserId,
    scenario: Runnable,
) -> Result<Provision, DomainError> {
    if store.partner(partner).await?.is_none() {
        return Err(DomainError::not_found("Partner"));
    }
    ensure_oauth_client(store, clock, partner).await?;
    let short = Secret::generate("");
    let new = Draft {
        external_uuid: Some(provisio_core::ids::fresh_uuid().to_string()),
        user_verified_type: Some("PARTNER_USER_PERSON".into()),
        email: Some(format!("scenario-{}@example.com", &short.expose()[..8])),
        phone_number: Some("+31600000000".into()),
        products: Some(vec!["USER_VERIFIED".into()]),
        ..Draft::default()
    }
    .validate()?;
    let now = clock.now();
    let created = store.create_provision(partner, &new, now, now).await?;
    let id = created.id;
    ops::run_steps_now(store, clock, environment, id).await?;
    let cause = "scenario";
    match scenario {
        Runnable::OnboardingUser => {}
        Runnable::ActiveUser => {
            ops::decide_onboarding(store, clock, id, true, cause).await?;
            fund(store, clock, id).await?;
        }
        Runnable::FailedUser => {
            ops::decide_onboarding(store, clock, id, false, cause).await?;
        }
        Runnable::ClosedUser => {
            ops::cancel(store, clock, id, Duration::ZERO).await?;
            ops::run_steps_now(store, clock, environment, id).await?;
        }
    }
    store
        .provision(id)
        .await?
        .ok_or_else(|| DomainError::not_found("PartnerUserProvision"))
}

/// What an active user's account holds at the start (EUR, two decimals).
pub const ACTIVE_USER_FUNDS: &str = "1000.00";

/// Opens the user's EUR account and credits it from outside, as `provisio account credit`
/// does: an incoming payment, with its webhooks.
async fn fund(store: &dyn Store, clock: &dyn Clock, id: ProvisionId) -> Result<(), DomainError> {
    let provision = store
        .provision(id)
        .await?
        .ok_or_else(|| DomainError::not_found("PartnerUserProvision"))?;
    let user = provision
        .user
        .ok_or_else(|| DomainError::invalid("The scenario's user was not created."))?;
    let account = store
        .create_account(
            user.id,
            &NewAccount::main_account(&user.display_name),
            clock.now(),
        )
        .await?;
    crate::banking::payments::credit(
        store,
        clock,
        account.id,
        ACTIVE_USER_FUNDS,
        None,
        None,
        Some("Scenario active-user"),
        None,
    )
    .await?;
    Ok(())
}

async fn ensure_oauth_client(
    store: &dyn Store,
    clock: &dyn Clock,
    partner: UserId,
) -> Result<(), DomainError> {
    if store.has_usable_oauth_client(partner).await? {
        return Ok(());
    }
    add_oauth_client(store, clock, partner, SCENARIO_CALLBACK_URL).await
}

/// A new active OAuth client of `partner` with `callback_url`, as the partner would make one
/// through the API.
pub(crate) async fn add_oauth_client(
    store: &dyn Store,
    clock: &dyn Clock,
    partner: UserId,
    callback_url: &str,
) -> Result<(), DomainError> {
    let now = clock.now();
    let (client_id, secret) = (Secret::generate(""), Secret::generate(""));
    let client = store
        .create_oauth_client(
            partner,
            OauthClientStatus::Active,
            &client_id.expose()[..32],
            secret.expose(),
            now,
        )
        .await?;
    store
        .add_callback_url(partner, client.id, callback_url, now)
        .await?;
    Ok(())
}
