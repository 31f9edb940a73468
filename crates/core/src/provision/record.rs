//! Provisions as stored and read back.

use super::{
    enums::{CredentialStatus, Product, Status, SubStatus, UserVerifiedType},
    plan::{JobKind, Step},
    state::{Phase, Stored},
};
use crate::{
    model::{CredentialId, JobId, OauthClientId, Partner, ProvisionId, ProvisionedUser, UserId},
    time::Timestamp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provision {
    pub id: ProvisionId,
    /// The partner that provisioned the user, read with the provision.
    pub partner: Partner,
    pub external_uuid: String,
    pub user_verified_type: UserVerifiedType,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub products: Vec<Product>,
    pub director_provision_id: Option<ProvisionId>,
    pub state: Stored,
    pub user: Option<ProvisionedUser>,
    pub api_key_user_id: Option<UserId>,
    pub oauth_request: Option<OauthRequest>,
    pub credential: Option<Credential>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl Provision {
    /// The lifecycle phase; `None` only for a row no transition could have written.
    pub fn phase(&self) -> Option<Phase> {
        Phase::from_stored(self.state.status, self.state.sub_status, self.state.resume)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthRequest {
    pub uuid: String,
    pub oauth_client_id: Option<OauthClientId>,
    pub client_id: Option<String>,
    pub callback_url: Option<String>,
    pub authorization_code: String,
    pub created: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: CredentialId,
    pub status: CredentialStatus,
    pub expiry_time: Timestamp,
    /// Present only while the credential waits for its first use.
    pub token_value: Option<String>,
    /// JSON of the device that used it first.
    pub permitted_device: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub from: Option<(Status, SubStatus)>,
    pub to: (Status, SubStatus),
    pub cause: String,
}

/// Filters of `GET /partner-user-provision` (spec D.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionFilter {
    pub statuses: Vec<Status>,
    /// Not one of bunq's filters; the dashboard's.
    pub sub_statuses: Vec<SubStatus>,
    pub external_uuid: Option<String>,
}

/// A claimed job with what the worker needs to decide its step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: JobKind,
    pub provision_id: ProvisionId,
    /// The state an `ADVANCE` job was scheduled for.
    pub expect: Option<(Status, SubStatus)>,
    /// The provision's state now.
    pub state: Stored,
    pub products: Vec<Product>,
}

/// What the worker decided for a claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Step(Step),
    ExpireCredential,
    /// Decide the user's submitted identity verifications by the sandbox rule.
    ReviewIdentity,
    /// The provision moved on; the job has nothing left to do.
    Stale,
}
