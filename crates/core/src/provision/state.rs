//! The lifecycle as types (spec D.7 with decisions J-5, J-6, J-18, J-33).
//!
//! ```text
//! CreatingUser ─user_created→ RelatingUser ─relation_created→ RequestingOauth ─oauth_accepted→ Onboarding | Active
//! Onboarding ─approve→ Active          Onboarding ─deny→ Failed
//! Onboarding | Active ─request_reset→ ResettingToken ─reissued→ (where it was)
//! CreatingUser | RelatingUser | RequestingOauth | Onboarding | Active ─cancel→ Closing ─closed→ Closed
//! CreatingUser | RelatingUser | RequestingOauth ─fail→ Failed
//! ```
//!
//! The phase structs have private fields: code outside this module gets one only by reading a
//! stored state ([`Phase::from_stored`]) or by taking a transition.

use super::enums::{ActionRequired, Status, SubStatus};

macro_rules! phases {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name { _sealed: () }
        impl $name { const fn new() -> Self { $name { _sealed: () } } }
    )*};
}

phases!(
    CreatingUser,
    RelatingUser,
    RequestingOauth,
    Onboarding,
    Active,
    Closing,
    Closed,
    Failed
);

/// Where a token reset returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    Onboarding,
    Active,
}

impl Resume {
    pub fn as_str(self) -> &'static str {
        match self {
            Resume::Onboarding => "ONBOARDING",
            Resume::Active => "ACTIVE",
        }
    }

    pub fn parse(text: &str) -> Option<Resume> {
        match text {
            "ONBOARDING" => Some(Resume::Onboarding),
            "ACTIVE" => Some(Resume::Active),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResettingToken {
    resume: Resume,
}

impl ResettingToken {
    pub fn resume(self) -> Resume {
        self.resume
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    CreatingUser(CreatingUser),
    RelatingUser(RelatingUser),
    RequestingOauth(RequestingOauth),
    Onboarding(Onboarding),
    Active(Active),
    ResettingToken(ResettingToken),
    Closing(Closing),
    Closed(Closed),
    Failed(Failed),
}

/// A stored state: what a row holds and what a compare-and-set compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub status: Status,
    pub sub_status: SubStatus,
    pub action_required: ActionRequired,
    /// Set while a token reset is in progress.
    pub resume: Option<Resume>,
}

impl Phase {
    /// The phase of a new provision.
    pub fn new_provision() -> CreatingUser {
        CreatingUser::new()
    }

    pub fn stored(self) -> Stored {
        use ActionRequired as A;
        use Status as S;
        use SubStatus as U;
        let (status, sub_status, action_required, resume) = match self {
            Phase::CreatingUser(_) => (S::Created, U::PendingProcessUser, A::System, None),
            Phase::RelatingUser(_) => (S::Created, U::PendingProcessRelationUser, A::System, None),
            Phase::RequestingOauth(_) => {
                (S::Created, U::PendingProcessOauthRequest, A::System, None)
            }
            Phase::Onboarding(_) => (S::Created, U::PendingProcessUserOnboarding, A::User, None),
            Phase::Active(_) => (S::Active, U::None, A::None, None),
            Phase::ResettingToken(r) => (
                S::TokenResetRequested,
                U::PendingProcessTokenReset,
                A::System,
                Some(r.resume),
            ),
            Phase::Closing(_) => (S::Cancelled, U::PendingProcessClosure, A::System, None),
            Phase::Closed(_) => (S::Closed, U::None, A::None, None),
            Phase::Failed(_) => (S::Failed, U::None, A::None, None),
        };
        Stored {
            status,
            sub_status,
            action_required,
            resume,
        }
    }

    /// Reads a stored pair back; `None` for a pair the lifecycle never writes.
    pub fn from_stored(
        status: Status,
        sub_status: SubStatus,
        resume: Option<Resume>,
    ) -> Option<Phase> {
        use Status as S;
        use SubStatus as U;
        Some(match (status, sub_status) {
            (S::Created, U::PendingProcessUser) => Phase::CreatingUser(CreatingUser::new()),
            (S::Created, U::PendingProcessRelationUser) => Phase::RelatingUser(RelatingUser::new()),
            (S::Created, U::PendingProcessOauthRequest) => {
                Phase::RequestingOauth(RequestingOauth::new())
            }
            (S::Created, U::PendingProcessUserOnboarding) => Phase::Onboarding(Onboarding::new()),
            (S::Active, U::None) => Phase::Active(Active::new()),
            (S::TokenResetRequested, U::PendingProcessTokenReset) => {
                Phase::ResettingToken(ResettingToken { resume: resume? })
            }
            (S::Cancelled, U::PendingProcessClosure) => Phase::Closing(Closing::new()),
            (S::Closed, U::None) => Phase::Closed(Closed::new()),
            (S::Failed, U::None) => Phase::Failed(Failed::new()),
            _ => return None,
        })
    }

    /// The asynchronous step bunq is working on in this phase, if any.
    pub fn pending_step(self) -> bool {
        matches!(
            self,
            Phase::CreatingUser(_)
                | Phase::RelatingUser(_)
                | Phase::RequestingOauth(_)
                | Phase::ResettingToken(_)
                | Phase::Closing(_)
        )
    }

    /// `PUT {"status":"CANCELLED"}`.
    pub fn cancel(self) -> Result<Closing, &'static str> {
        match self {
            Phase::CreatingUser(_)
            | Phase::RelatingUser(_)
            | Phase::RequestingOauth(_)
            | Phase::Onboarding(_)
            | Phase::Active(_) => Ok(Closing::new()),
            Phase::ResettingToken(_) => {
                Err("A token reset is in progress for this provision; cancel it once the new credential is issued.")
            }
            Phase::Closing(_) => Err("This provision is already being closed."),
            Phase::Closed(_) => Err("This provision is closed."),
            Phase::Failed(_) => Err("This provision has failed and cannot be cancelled."),
        }
    }

    /// `PUT {"status":"TOKEN_RESET_REQUESTED"}` (J-18).
    pub fn request_reset(self) -> Result<ResettingToken, &'static str> {
        match self {
            Phase::Onboarding(_) => Ok(ResettingToken {
                resume: Resume::Onboarding,
            }),
            Phase::Active(_) => Ok(ResettingToken {
                resume: Resume::Active,
            }),
            Phase::CreatingUser(_) | Phase::RelatingUser(_) | Phase::RequestingOauth(_) => {
                Err("This provision has no credential yet; a token can be reset once it is issued.")
            }
            Phase::ResettingToken(_) => {
                Err("A token reset is already in progress for this provision.")
            }
            Phase::Closing(_) | Phase::Closed(_) => Err("This provision is closed."),
            Phase::Failed(_) => Err("This provision has failed."),
        }
    }

    /// An operator forcing the pending background step to fail.
    pub fn fail(self) -> Result<Failed, &'static str> {
        match self {
            Phase::CreatingUser(_) | Phase::RelatingUser(_) | Phase::RequestingOauth(_) => Ok(Failed::new()),
            _ => Err("Only a provision whose user, relation or OAuth request is being processed can be failed."),
        }
    }
}

impl CreatingUser {
    pub fn user_created(self) -> RelatingUser {
        RelatingUser::new()
    }
}

impl RelatingUser {
    pub fn relation_created(self) -> RequestingOauth {
        RequestingOauth::new()
    }
}

/// Where an accepted OAuth request leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterOauth {
    Onboarding(Onboarding),
    /// `USER_ANONYMOUS_TRANSACTION_AUDIT` needs no onboarding (spec D.7).
    Active(Active),
}

impl RequestingOauth {
    pub fn oauth_accepted(self, needs_onboarding: bool) -> AfterOauth {
        if needs_onboarding {
            AfterOauth::Onboarding(Onboarding::new())
        } else {
            AfterOauth::Active(Active::new())
        }
    }
}

impl Onboarding {
    pub fn approve(self) -> Active {
        Active::new()
    }

    pub fn deny(self) -> Failed {
        Failed::new()
    }
}

impl ResettingToken {
    pub fn reissued(self) -> Phase {
        match self.resume {
            Resume::Onboarding => Phase::Onboarding(Onboarding::new()),
            Resume::Active => Phase::Active(Active::new()),
        }
    }
}

impl Closing {
    pub fn closed(self) -> Closed {
        Closed::new()
    }
}

macro_rules! into_phase {
    ($($name:ident),*) => {$(
        impl From<$name> for Phase {
            fn from(p: $name) -> Phase { Phase::$name(p) }
        }
    )*};
}

into_phase!(
    CreatingUser,
    RelatingUser,
    RequestingOauth,
    Onboarding,
    Active,
    ResettingToken,
    Closing,
    Closed,
    Failed
);

impl From<AfterOauth> for Phase {
    fn from(next: AfterOauth) -> Phase {
        match next {
            AfterOauth::Onboarding(p) => p.into(),
            AfterOauth::Active(p) => p.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_phases() -> Vec<Phase> {
        let c = Phase::new_provision();
        let r = c.user_created();
        let o = r.relation_created();
        let AfterOauth::Onboarding(on) = o.oauth_accepted(true) else {
            panic!()
        };
        let a = on.approve();
        vec![
            c.into(),
            r.into(),
            o.into(),
            on.into(),
            a.into(),
            on.request_reset().into(),
            a.request_reset().into(),
            on.cancel_phase().into(),
            on.cancel_phase().closed().into(),
            on.deny().into(),
        ]
    }

    impl Onboarding {
        fn request_reset(self) -> ResettingToken {
            Phase::from(self)
                .request_reset()
                .unwrap_or_else(|e| panic!("{e}"))
        }
        fn cancel_phase(self) -> Closing {
            Phase::from(self).cancel().unwrap_or_else(|e| panic!("{e}"))
        }
    }

    impl Active {
        fn request_reset(self) -> ResettingToken {
            Phase::from(self)
                .request_reset()
                .unwrap_or_else(|e| panic!("{e}"))
        }
    }

    #[test]
    fn every_phase_round_trips_through_storage() {
        for phase in all_phases() {
            let s = phase.stored();
            assert_eq!(
                Phase::from_stored(s.status, s.sub_status, s.resume),
                Some(phase),
                "{phase:?}"
            );
        }
    }

    #[test]
    fn stored_pairs_follow_bunqs_table_and_j33() {
        let c = Phase::from(Phase::new_provision()).stored();
        assert_eq!(
            (c.status, c.sub_status, c.action_required),
            (
                Status::Created,
                SubStatus::PendingProcessUser,
                ActionRequired::System
            )
        );
        let on = Phase::from_stored(
            Status::Created,
            SubStatus::PendingProcessUserOnboarding,
            None,
        )
        .map(|p| p.stored().action_required);
        assert_eq!(on, Some(ActionRequired::User));
        assert_eq!(
            Phase::from_stored(Status::Active, SubStatus::PendingProcessUser, None),
            None
        );
        assert_eq!(
            Phase::from_stored(
                Status::TokenResetRequested,
                SubStatus::PendingProcessTokenReset,
                None
            ),
            None
        );
    }

    #[test]
    fn only_the_table_s_requests_are_allowed() {
        let closed =
            Phase::from_stored(Status::Closed, SubStatus::None, None).unwrap_or_else(|| panic!());
        assert!(
            closed.cancel().is_err() && closed.request_reset().is_err() && closed.fail().is_err()
        );
        let creating = Phase::from(Phase::new_provision());
        assert!(
            creating.cancel().is_ok()
                && creating.request_reset().is_err()
                && creating.fail().is_ok()
        );
        let active =
            Phase::from_stored(Status::Active, SubStatus::None, None).unwrap_or_else(|| panic!());
        assert!(
            active.cancel().is_ok() && active.request_reset().is_ok() && active.fail().is_err()
        );
        let resetting = active
            .request_reset()
            .map(Phase::from)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(resetting.cancel().is_err() && resetting.request_reset().is_err());
        assert_eq!(resetting.stored().resume, Some(Resume::Active));
    }

    #[test]
    fn a_reset_returns_where_it_came_from() {
        let on = Phase::from_stored(
            Status::Created,
            SubStatus::PendingProcessUserOnboarding,
            None,
        )
        .unwrap_or_else(|| panic!());
        let Ok(reset) = on.request_reset() else {
            panic!()
        };
        assert_eq!(reset.reissued(), on);
    }
}
