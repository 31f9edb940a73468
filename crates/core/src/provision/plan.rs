//! Transitions as data. A [`Step`] says: if the provision is still in `expect`, move it to
//! `to`, perform `effects`, record `cause` in its history and schedule `follow_up`, all in one
//! transaction. The functions here decide the steps; the store only executes them.

use std::time::Duration;

use super::{
    enums::Product,
    request::needs_onboarding,
    state::{Phase, Stored},
};
use crate::{model::Environment, secret::Secret, time::Timestamp};

/// Kinds of background job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Carry out the pending step of the provision's phase.
    Advance,
    /// Expire the provision's credential if it is still unused at its expiry time.
    ExpireCredential,
    /// Review the user's submitted identity verification.
    ReviewIdentity,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Advance => "ADVANCE",
            JobKind::ExpireCredential => "EXPIRE_CREDENTIAL",
            JobKind::ReviewIdentity => "REVIEW_IDENTITY",
        }
    }

    pub fn parse(text: &str) -> Option<JobKind> {
        match text {
            "ADVANCE" => Some(JobKind::Advance),
            "EXPIRE_CREDENTIAL" => Some(JobKind::ExpireCredential),
            "REVIEW_IDENTITY" => Some(JobKind::ReviewIdentity),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    pub kind: JobKind,
    pub run_at: Timestamp,
}

/// A credential to issue: its token is shown to the partner until first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub token: Secret,
    pub expiry: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Create the bunq user (`UserPerson` or `UserCompany`) behind `label_user`.
    CreateUser,
    /// Create the OAuth request for the partner's client, accept it, and issue the first
    /// credential with the user's API key user (`UserApiKey`).
    AcceptOauthRequest {
        authorization_code: Secret,
        credential: NewCredential,
    },
    IssueCredential(NewCredential),
    /// The current credential can no longer open devices or sessions.
    RevokeCredential,
    /// Closure: `credential` becomes null.
    DropCredential,
    /// Sessions opened with the user's credential end now.
    EndUserSessions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub expect: Stored,
    pub to: Stored,
    pub effects: Vec<Effect>,
    pub follow_up: Option<JobSpec>,
    pub cause: String,
}

/// How long a credential may wait for its first use (spec D.8).
pub fn credential_lifetime(environment: Environment) -> Duration {
    match environment {
        Environment::Sandbox => Duration::from_secs(3600),
        Environment::Production => Duration::from_secs(4 * 3600),
    }
}

/// What the worker needs to take a background step.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    pub now: Timestamp,
    pub step_delay: Duration,
    pub environment: Environment,
    pub products: &'a [Product],
}

impl StepContext<'_> {
    fn advance_later(&self) -> Option<JobSpec> {
        Some(JobSpec {
            kind: JobKind::Advance,
            run_at: self.now.plus(self.step_delay),
        })
    }

    fn new_credential(&self) -> (NewCredential, Option<JobSpec>) {
        let expiry = self.now.plus(credential_lifetime(self.environment));
        let credential = NewCredential {
            token: Secret::generate(""),
            expiry,
        };
        let expire = JobSpec {
            kind: JobKind::ExpireCredential,
            run_at: expiry,
        };
        (credential, Some(expire))
    }
}

/// The background step due in `phase`, or `None` when nothing is pending (a stale job).
pub fn advance(phase: Phase, ctx: &StepContext<'_>) -> Option<Step> {
    let expect = phase.stored();
    let (to, effects, follow_up, cause): (Phase, _, _, &str) = match phase {
        Phase::CreatingUser(p) => (
            p.user_created().into(),
            vec![Effect::CreateUser],
            ctx.advance_later(),
            "bunq user created",
        ),
        Phase::RelatingUser(p) => (
            p.relation_created().into(),
            Vec::new(),
            ctx.advance_later(),
            "partner relation created",
        ),
        Phase::RequestingOauth(p) => {
            let (credential, expire) = ctx.new_credential();
            (
                p.oauth_accepted(needs_onboarding(ctx.products)).into(),
                vec![Effect::AcceptOauthRequest {
                    authorization_code: Secret::generate(""),
                    credential,
                }],
                expire,
                "OAuth request accepted, credential issued",
            )
        }
        Phase::ResettingToken(p) => {
            let (credential, expire) = ctx.new_credential();
            (
                p.reissued(),
                vec![Effect::IssueCredential(credential)],
                expire,
                "new credential issued",
            )
        }
        Phase::Closing(p) => (
            p.closed().into(),
            vec![Effect::DropCredential],
            None,
            "closed",
        ),
        Phase::Onboarding(_) | Phase::Active(_) | Phase::Closed(_) | Phase::Failed(_) => {
            return None
        }
    };
    Some(Step {
        expect,
        to: to.stored(),
        effects,
        follow_up,
        cause: cause.to_owned(),
    })
}

/// `PUT {"status":"CANCELLED"}`.
pub fn cancel(
    phase: Phase,
    now: Timestamp,
    step_delay: Duration,
    cause: &str,
) -> Result<Step, &'static str> {
    let to = phase.cancel()?;
    Ok(Step {
        expect: phase.stored(),
        to: Phase::from(to).stored(),
        effects: vec![Effect::RevokeCredential, Effect::EndUserSessions],
        follow_up: Some(JobSpec {
            kind: JobKind::Advance,
            run_at: now.plus(step_delay),
        }),
        cause: cause.to_owned(),
    })
}

/// `PUT {"status":"TOKEN_RESET_REQUESTED"}`.
pub fn request_reset(
    phase: Phase,
    now: Timestamp,
    step_delay: Duration,
) -> Result<Step, &'static str> {
    let to = phase.request_reset()?;
    Ok(Step {
        expect: phase.stored(),
        to: Phase::from(to).stored(),
        effects: vec![Effect::RevokeCredential],
        follow_up: Some(JobSpec {
            kind: JobKind::Advance,
            run_at: now.plus(step_delay),
        }),
        cause: "token reset requested".to_owned(),
    })
}

/// The outcome of onboarding (spec E.7): approved makes the provision active, denied fails it
/// and revokes its credential (J-6).
pub fn decide_onboarding(phase: Phase, approved: bool, cause: &str) -> Result<Step, &'static str> {
    let Phase::Onboarding(onboarding) = phase else {
        return Err("This provision is not waiting for its user's onboarding.");
    };
    let (to, effects): (Phase, _) = if approved {
        (onboarding.approve().into(), Vec::new())
    } else {
        (
            onboarding.deny().into(),
            vec![Effect::RevokeCredential, Effect::EndUserSessions],
        )
    };
    Ok(Step {
        expect: phase.stored(),
        to: to.stored(),
        effects,
        follow_up: None,
        cause: cause.to_owned(),
    })
}

/// An operator making the pending background step fail.
pub fn fail(phase: Phase, cause: &str) -> Result<Step, &'static str> {
    let to = phase.fail()?;
    Ok(Step {
        expect: phase.stored(),
        to: Phase::from(to).stored(),
        effects: Vec::new(),
        follow_up: None,
        cause: cause.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::enums::{Status, SubStatus};

    fn ctx(products: &[Product]) -> StepContext<'_> {
        StepContext {
            now: Timestamp(0),
            step_delay: Duration::from_secs(1),
            environment: Environment::Sandbox,
            products,
        }
    }

    fn walk(products: &[Product]) -> Vec<(Status, SubStatus)> {
        let mut phase: Phase = Phase::new_provision().into();
        let mut seen = vec![(phase.stored().status, phase.stored().sub_status)];
        while let Some(step) = advance(phase, &ctx(products)) {
            phase = Phase::from_stored(step.to.status, step.to.sub_status, step.to.resume)
                .unwrap_or_else(|| panic!("unreadable {step:?}"));
            seen.push((step.to.status, step.to.sub_status));
        }
        seen
    }

    #[test]
    fn background_steps_walk_to_onboarding() {
        use SubStatus::*;
        assert_eq!(
            walk(&[Product::UserVerified]),
            vec![
                (Status::Created, PendingProcessUser),
                (Status::Created, PendingProcessRelationUser),
                (Status::Created, PendingProcessOauthRequest),
                (Status::Created, PendingProcessUserOnboarding),
            ]
        );
        // Anonymous transaction audit needs no onboarding.
        assert_eq!(
            walk(&[Product::UserAnonymousTransactionAudit]).last(),
            Some(&(Status::Active, None))
        );
    }

    #[test]
    fn credentials_expire_after_the_environment_s_window() {
        let oauth =
            Phase::from_stored(Status::Created, SubStatus::PendingProcessOauthRequest, None)
                .unwrap_or_else(|| panic!());
        let step = advance(oauth, &ctx(&[Product::UserVerified])).unwrap_or_else(|| panic!());
        assert_eq!(
            step.follow_up,
            Some(JobSpec {
                kind: JobKind::ExpireCredential,
                run_at: Timestamp(3_600_000_000)
            })
        );
        assert_eq!(
            credential_lifetime(Environment::Production),
            Duration::from_secs(14_400)
        );
    }

    #[test]
    fn closing_finishes_with_no_credential() {
        let onboarding = Phase::from_stored(
            Status::Created,
            SubStatus::PendingProcessUserOnboarding,
            None,
        )
        .unwrap_or_else(|| panic!());
        let cancel =
            cancel(onboarding, Timestamp(0), Duration::ZERO, "x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (cancel.to.status, cancel.to.sub_status),
            (Status::Cancelled, SubStatus::PendingProcessClosure)
        );
        let closing = Phase::from_stored(cancel.to.status, cancel.to.sub_status, None)
            .unwrap_or_else(|| panic!());
        let closed = advance(closing, &ctx(&[])).unwrap_or_else(|| panic!());
        assert_eq!(closed.effects, vec![Effect::DropCredential]);
        assert_eq!(closed.to.status, Status::Closed);
    }
}
