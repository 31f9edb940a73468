//! Sandbox users: what `POST /v1/sandbox-user-person` (or `-company`) creates, as bunq's
//! developer sandbox does. A sandbox user is a tenant like a partner (its own API key and main
//! account) that is also a bunq user others can pay: a generated name, an EMAIL and a
//! PHONE_NUMBER pointer. This module generates them from a UUID, so one fresh UUID gives one
//! fresh user (the pointers are unique because the UUID is).

use uuid::Uuid;

use crate::{account::pointer::Pointer, model::Partner, provision::enums::wire_enum};

wire_enum! {
    /// Which bunq user a sandbox user is rendered as.
    SandboxUserKind {
        Person = "PERSON",
        Company = "COMPANY",
    }
}

/// A sandbox user: the tenant, what it is, and its pointers (EMAIL, PHONE_NUMBER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxUser {
    pub partner: Partner,
    pub kind: SandboxUserKind,
    pub aliases: Vec<Pointer>,
}

/// A sandbox user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSandboxUser {
    pub kind: SandboxUserKind,
    pub public_uuid: String,
    /// A person's `"First Last"` (first names have no space, see [`first_and_last`]) or a
    /// company's name.
    pub name: String,
    pub email: String,
    pub phone: String,
}

const FIRST_NAMES: &[&str] = &[
    "Anna", "Bram", "Daan", "Emma", "Femke", "Julia", "Lars", "Lotte", "Milan", "Noah", "Sanne",
    "Sem", "Tess", "Thijs", "Vera", "Yara",
];
const LAST_NAMES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
];
const COMPANY_WORDS: &[&str] = &[
    "Tulip",
    "Canal",
    "Windmill",
    "Polder",
    "Dune",
    "Harbour",
    "Bicycle",
    "Gouda",
    "Delta",
    "Orange",
    "Lighthouse",
    "Meadow",
    "Dyke",
    "Herring",
    "Clog",
    "Gable",
];
const COMPANY_TRADES: &[&str] = &[
    "Trading",
    "Logistics",
    "Studio",
    "Consulting",
    "Foods",
    "Labs",
    "Works",
    "Ventures",
];

/// The domain of every sandbox user's email address: reserved, so no mail ever leaves.
pub const EMAIL_DOMAIN: &str = "provisio.test";

/// A new sandbox user of `kind`, every part of it derived from `uuid`.
pub fn generate(kind: SandboxUserKind, uuid: Uuid) -> NewSandboxUser {
    let bytes = uuid.as_bytes();
    let pick = |list: &[&'static str], byte: u8| list[usize::from(byte) % list.len()];
    let name = match kind {
        SandboxUserKind::Person => format!(
            "{} {}",
            pick(FIRST_NAMES, bytes[0]),
            pick(LAST_NAMES, bytes[1])
        ),
        SandboxUserKind::Company => format!(
            "{} {} B.V.",
            pick(COMPANY_WORDS, bytes[0]),
            pick(COMPANY_TRADES, bytes[1])
        ),
    };
    // Dutch mobile numbers: +316 and eight digits, from the UUID's last bytes. Eight digits
    // collide sooner than a UUID does; the caller draws again on a collision.
    let tail = u64::from_be_bytes([
        bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15],
    ]);
    NewSandboxUser {
        kind,
        public_uuid: uuid.to_string(),
        name,
        email: format!("sandbox+{}@{EMAIL_DOMAIN}", uuid.simple()),
        phone: format!("+316{:08}", tail % 100_000_000),
    }
}

/// A person's name as its first name and the rest: generated first names have no space.
pub fn first_and_last(name: &str) -> (&str, &str) {
    name.split_once(' ').unwrap_or(("", name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::pointer;

    #[test]
    fn generated_users_carry_valid_unique_pointers() {
        let a = generate(SandboxUserKind::Person, Uuid::new_v4());
        let b = generate(SandboxUserKind::Person, Uuid::new_v4());
        assert_ne!(a.email, b.email);
        for user in [&a, &b] {
            let email = pointer::parse("a", Some("EMAIL"), Some(&user.email), None);
            assert_eq!(email.ok(), Some(Pointer::Email(user.email.clone())));
            let phone = pointer::parse("a", Some("PHONE_NUMBER"), Some(&user.phone), None);
            assert_eq!(phone.ok(), Some(Pointer::Phone(user.phone.clone())));
            assert!(user.phone.starts_with("+316") && user.phone.len() == 12);
            let (first, last) = first_and_last(&user.name);
            assert!(!first.is_empty() && !last.is_empty(), "{}", user.name);
        }
        let company = generate(SandboxUserKind::Company, Uuid::new_v4());
        assert!(company.name.ends_with(" B.V."), "{}", company.name);
        assert_eq!(first_and_last("Solo"), ("", "Solo"));
    }

    #[test]
    fn every_generated_name_fits_on_a_card() {
        // A name longer than a card's line leaves a company no name to order a card with.
        use crate::card::rules::{possible_card_names, MAX_NAME_ON_CARD};
        for word in COMPANY_WORDS {
            for trade in COMPANY_TRADES {
                let name = format!("{word} {trade} B.V.");
                assert!(name.chars().count() <= MAX_NAME_ON_CARD, "{name}");
                assert_eq!(possible_card_names("", &name), vec![name.to_uppercase()]);
            }
        }
        for first in FIRST_NAMES {
            for last in LAST_NAMES {
                let full = format!("{first} {last}").to_uppercase();
                assert!(possible_card_names(first, last).contains(&full), "{full}");
            }
        }
    }
}
