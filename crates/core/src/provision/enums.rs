//! The provision's enums (spec D.6), spelled as bunq spells them on the wire and in storage.

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

wire_enum! {
    /// `PartnerUserProvision.status`.
    Status {
        Created = "CREATED",
        Active = "ACTIVE",
        Cancelled = "CANCELLED",
        Failed = "FAILED",
        Closed = "CLOSED",
        TokenResetRequested = "TOKEN_RESET_REQUESTED",
    }
}

impl Status {
    /// CANCELLED (closing), CLOSED and FAILED: the provision is over, and with it every change
    /// to its user's data (onboarding, compliance, attachments, later banking). Reads go on.
    pub fn freezes_user(self) -> bool {
        matches!(self, Status::Cancelled | Status::Closed | Status::Failed)
    }
}

wire_enum! {
    /// `PartnerUserProvision.sub_status`.
    SubStatus {
        None = "NONE",
        PendingProcessUser = "PENDING_PROCESS_USER",
        PendingProcessRelationUser = "PENDING_PROCESS_RELATION_USER",
        PendingProcessOauthRequest = "PENDING_PROCESS_OAUTH_REQUEST",
        PendingProcessUserOnboarding = "PENDING_PROCESS_USER_ONBOARDING",
        PendingProcessClosure = "PENDING_PROCESS_CLOSURE",
        PendingProcessTokenReset = "PENDING_PROCESS_TOKEN_RESET",
    }
}

wire_enum! {
    /// Who must act next: bunq (`SYSTEM`), the user or partner (`USER`), nobody (`NONE`).
    ActionRequired {
        None = "NONE",
        User = "USER",
        System = "SYSTEM",
    }
}

wire_enum! {
    Product {
        UserVerified = "USER_VERIFIED",
        UserAnonymousTransactionAudit = "USER_ANONYMOUS_TRANSACTION_AUDIT",
        CompanyVerified = "COMPANY_VERIFIED",
    }
}

wire_enum! {
    UserVerifiedType {
        Person = "PARTNER_USER_PERSON",
        Company = "PARTNER_USER_COMPANY",
    }
}

wire_enum! {
    /// `credential.status`. `REVOKED` is ours: bunq implies it ("lost, expired, or revoked").
    CredentialStatus {
        PendingFirstUse = "PENDING_FIRST_USE",
        Active = "ACTIVE",
        Expired = "EXPIRED",
        Revoked = "REVOKED",
    }
}

wire_enum! {
    /// What a user's onboarding asks for (J-19).
    FulfillmentType {
        AddressMain = "ADDRESS_MAIN",
        AddressPostal = "ADDRESS_POSTAL",
        DateOfBirth = "DATE_OF_BIRTH",
        LegalName = "LEGAL_NAME",
        TaxResident = "TAX_RESIDENT",
        Nationality = "NATIONALITY",
        IdentityVerification = "IDENTITY_VERIFICATION",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for s in SubStatus::ALL {
            assert_eq!(SubStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Status::parse("created"), None);
    }
}
