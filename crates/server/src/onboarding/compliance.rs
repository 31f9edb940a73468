//! Sandbox controls for identity verification and compliance inquiries, shared by the
//! operator API (`/_provisio/`) and the CLI, so both take exactly the same path.

use provisio_core::{
    identity::{IdentityVerification, IdvResult, Verdict},
    inquiry::{EntryStatus, Inquiry, NewInquiry},
    model::{UserId, UserKind, UserRecord},
    store::Store,
    time::Clock,
    DomainError,
};

/// The provisioned user an id names: its own id or its `UserApiKey`'s (J-9).
pub async fn provisioned_user(store: &dyn Store, id: UserId) -> Result<UserRecord, DomainError> {
    let named = store
        .user(id)
        .await?
        .ok_or_else(|| DomainError::not_found("User"))?;
    let user = match (named.kind, named.granted_user_id) {
        (UserKind::ApiKey, Some(granted)) => store
            .user(granted)
            .await?
            .ok_or_else(|| DomainError::not_found("User"))?,
        _ => named,
    };
    match user.kind {
        UserKind::Person | UserKind::Company => Ok(user),
        _ => Err(DomainError::invalid(
            "Inquiries are for provisioned users, not for partners.",
        )),
    }
}

/// Raises an inquiry (or adds the entries to the user's open one of the same purpose).
pub async fn raise(
    store: &dyn Store,
    clock: &dyn Clock,
    user: UserId,
    purpose: &str,
    entry_types: Vec<String>,
) -> Result<i64, DomainError> {
    let user = provisioned_user(store, user).await?;
    let inquiry = NewInquiry::validate(purpose, entry_types, None)?;
    Ok(store.raise_inquiry(user.id, &inquiry, clock.now()).await?)
}

/// Approves or rejects an answered entry; one still waiting for its answer (PENDING) or
/// already reviewed is refused, naming its status.
pub async fn review(
    store: &dyn Store,
    clock: &dyn Clock,
    entry: i64,
    approved: bool,
    reason: Option<&str>,
    reopen: bool,
) -> Result<(), DomainError> {
    if approved && reopen {
        return Err(DomainError::invalid(
            "Only a rejected entry can be reopened.",
        ));
    }
    match store
        .review_entry(entry, approved, reason, reopen, clock.now())
        .await?
    {
        Ok(()) => Ok(()),
        Err(None) => Err(DomainError::not_found("UserInformationInquiryEntry")),
        Err(Some(EntryStatus::Pending)) => Err(DomainError::invalid(format!(
            "Entry {entry} is PENDING: the user has not answered it yet, so there is nothing to review."
        ))),
        Err(Some(status)) => Err(DomainError::invalid(format!(
            "Entry {entry} is {status}: it has been reviewed already."
        ))),
    }
}

pub async fn finalize(
    store: &dyn Store,
    clock: &dyn Clock,
    inquiry: i64,
) -> Result<Inquiry, DomainError> {
    let found = store
        .inquiry(inquiry)
        .await?
        .ok_or_else(|| DomainError::not_found("UserInformationInquiry"))?;
    if !store.finalize_inquiry(found.id, clock.now()).await? {
        return Err(DomainError::invalid("This inquiry is finalized already."));
    }
    store
        .inquiry(inquiry)
        .await?
        .ok_or_else(|| DomainError::not_found("UserInformationInquiry"))
}

/// Decides an identity verification now, whatever the sandbox rule would say.
pub async fn decide_identity(
    store: &dyn Store,
    clock: &dyn Clock,
    id: i64,
    result: &str,
    fail_reasons: Vec<String>,
) -> Result<IdentityVerification, DomainError> {
    let verdict = match IdvResult::parse(result) {
        Some(IdvResult::Approved) => Verdict::approved(),
        Some(IdvResult::Rejected) if fail_reasons.is_empty() => {
            Verdict::rejected(vec!["REJECTED_BY_OPERATOR".into()])
        }
        Some(IdvResult::Rejected) => Verdict::rejected(fail_reasons),
        None => return Err(DomainError::invalid("result must be APPROVED or REJECTED.")),
    };
    if !store
        .process_identity_verification(id, &verdict, clock.now())
        .await?
    {
        return Err(match store.identity_verification(id).await? {
            None => DomainError::not_found("IdentityVerificationSession"),
            Some(_) => DomainError::invalid("This identity verification is processed already."),
        });
    }
    store
        .identity_verification(id)
        .await?
        .ok_or_else(|| DomainError::not_found("IdentityVerificationSession"))
}
