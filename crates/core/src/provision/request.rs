//! `POST /partner-user-provision` bodies, validated (spec D.1, J-1).

use chrono::NaiveDate;

use super::enums::{Product, UserVerifiedType};
use crate::{text::quoted, DomainError};

/// The body as sent, before validation. Both bunq forms fit: `email`/`phone_number`/
/// `user_verified_type`, and the older `pointer` form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub external_uuid: Option<String>,
    pub user_verified_type: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub products: Option<Vec<String>>,
    pub director_relation_provision_id: Option<i64>,
    pub pointer: Option<PointerDraft>,
    pub date_of_birth: Option<String>,
    pub country_of_residence: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointerDraft {
    pub kind: Option<String>,
    pub value: Option<String>,
    pub name: Option<String>,
}

/// A provision request that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvision {
    /// Canonical lower-case UUID.
    pub external_uuid: String,
    pub user_verified_type: UserVerifiedType,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub products: Vec<Product>,
    pub director_provision_id: Option<i64>,
    pub date_of_birth: Option<String>,
    pub country_of_residence: Option<String>,
}

impl NewProvision {
    /// Products that need the user to onboard before the provision is active.
    pub fn needs_onboarding(&self) -> bool {
        needs_onboarding(&self.products)
    }
}

pub fn needs_onboarding(products: &[Product]) -> bool {
    products
        .iter()
        .any(|p| matches!(p, Product::UserVerified | Product::CompanyVerified))
}

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::invalid(message)
}

impl Draft {
    pub fn validate(self) -> Result<NewProvision, DomainError> {
        let external_uuid = self
            .external_uuid
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("external_uuid is required."))?;
        let external_uuid = uuid::Uuid::parse_str(external_uuid)
            .map_err(|_| {
                invalid(format!(
                    "external_uuid {} is not a valid UUID.",
                    quoted(external_uuid)
                ))
            })?
            .hyphenated()
            .to_string();

        let user_verified_type = match self.user_verified_type.as_deref() {
            None | Some("") => UserVerifiedType::Person,
            Some(text) => UserVerifiedType::parse(text).ok_or_else(|| {
                invalid(format!("user_verified_type {} is not one of PARTNER_USER_PERSON, PARTNER_USER_COMPANY.", quoted(text)
                ))
            })?,
        };

        let (email, phone_number, pointer_form) = self.identification()?;
        let products = parse_products(self.products.as_deref(), user_verified_type)?;

        let date_of_birth = self
            .date_of_birth
            .as_deref()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(|_| d.to_owned())
                    .map_err(|_| {
                        invalid(format!(
                            "date_of_birth {} is not a date (YYYY-MM-DD).",
                            quoted(d)
                        ))
                    })
            })
            .transpose()?;
        if pointer_form
            && products.contains(&Product::UserAnonymousTransactionAudit)
            && date_of_birth.is_none()
        {
            return Err(invalid(
                "date_of_birth is required for USER_ANONYMOUS_TRANSACTION_AUDIT.",
            ));
        }
        let country_of_residence = self
            .country_of_residence
            .as_deref()
            .map(|c| {
                if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
                    Ok(c.to_owned())
                } else {
                    Err(invalid(format!(
                        "country_of_residence {} is not an ISO 3166-1 alpha-2 code.",
                        quoted(c)
                    )))
                }
            })
            .transpose()?;

        let director_provision_id = match (user_verified_type, self.director_relation_provision_id)
        {
            (UserVerifiedType::Company, None) => return Err(invalid(
                "director_relation_provision_id is required for a PARTNER_USER_COMPANY provision.",
            )),
            (UserVerifiedType::Person, Some(_)) => {
                return Err(invalid(
                    "director_relation_provision_id is only for PARTNER_USER_COMPANY provisions.",
                ))
            }
            (_, id) => id,
        };

        Ok(NewProvision {
            external_uuid,
            user_verified_type,
            email,
            phone_number,
            products,
            director_provision_id,
            date_of_birth,
            country_of_residence,
        })
    }

    /// Email and phone from the new form, or from the pointer. The new fields win (J-1).
    fn identification(&self) -> Result<(Option<String>, Option<String>, bool), DomainError> {
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (email, phone) = (present(&self.email), present(&self.phone_number));
        if self.email.is_some() || self.phone_number.is_some() || self.pointer.is_none() {
            let email = email.ok_or_else(|| invalid("email is required."))?;
            let phone = phone.ok_or_else(|| invalid("phone_number is required."))?;
            return Ok((
                Some(valid_email(&email)?),
                Some(valid_phone(&phone)?),
                false,
            ));
        }
        let pointer = self.pointer.clone().unwrap_or_default();
        let value = present(&pointer.value).ok_or_else(|| invalid("pointer.value is required."))?;
        match pointer.kind.as_deref() {
            Some("EMAIL") => Ok((Some(valid_email(&value)?), None, true)),
            Some("PHONE_NUMBER") => Ok((None, Some(valid_phone(&value)?), true)),
            Some(other) => Err(invalid(format!(
                "pointer.type {} is not one of EMAIL, PHONE_NUMBER.",
                quoted(other)
            ))),
            None => Err(invalid("pointer.type is required.")),
        }
    }
}

fn parse_products(
    products: Option<&[String]>,
    kind: UserVerifiedType,
) -> Result<Vec<Product>, DomainError> {
    let products = products
        .filter(|p| !p.is_empty())
        .ok_or_else(|| invalid("products is required and may not be empty."))?;
    let mut parsed = Vec::with_capacity(products.len());
    for text in products {
        let product = Product::parse(text).ok_or_else(|| {
            invalid(format!("products contains {}, which is not one of USER_VERIFIED, USER_ANONYMOUS_TRANSACTION_AUDIT, COMPANY_VERIFIED.", quoted(text)
            ))
        })?;
        let fits = match kind {
            UserVerifiedType::Person => product != Product::CompanyVerified,
            UserVerifiedType::Company => product == Product::CompanyVerified,
        };
        if !fits {
            return Err(invalid(format!(
                "{product} is not available for {kind} provisions."
            )));
        }
        if !parsed.contains(&product) {
            parsed.push(product);
        }
    }
    Ok(parsed)
}

/// A practical address check: one `@`, a non-empty local part, a dotted domain, no spaces.
fn valid_email(email: &str) -> Result<String, DomainError> {
    let ok = email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || crate::text::is_forbidden(c))
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
        });
    if ok {
        Ok(email.to_owned())
    } else {
        Err(invalid(format!(
            "email {} is not a valid email address.",
            quoted(email)
        )))
    }
}

/// E.164: a plus, then 7 to 15 digits, the first not zero.
fn valid_phone(phone: &str) -> Result<String, DomainError> {
    let digits = phone.strip_prefix('+').unwrap_or_default();
    let ok = (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(phone.to_owned())
    } else {
        Err(invalid(format!(
            "phone_number {} is not an E.164 number such as +31612345678.",
            quoted(phone)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Draft {
        Draft {
            external_uuid: Some("550E8400-E29B-41D4-A716-446655440000".into()),
            email: Some("user@example.com".into()),
            phone_number: Some("+31612345678".into()),
            products: Some(vec!["USER_VERIFIED".into()]),
            ..Draft::default()
        }
    }

    fn error(draft: Draft) -> String {
        draft
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn the_new_form_validates_with_defaults() {
        let p = person().validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.external_uuid, "550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(p.user_verified_type, UserVerifiedType::Person);
        assert!(p.needs_onboarding());
    }

    #[test]
    fn the_pointer_form_validates() {
        let draft = Draft {
            email: None,
            phone_number: None,
            pointer: Some(PointerDraft {
                kind: Some("EMAIL".into()),
                value: Some("a@b.nl".into()),
                name: None,
            }),
            products: Some(vec!["USER_ANONYMOUS_TRANSACTION_AUDIT".into()]),
            date_of_birth: Some("1990-01-31".into()),
            ..person()
        };
        let p = draft.clone().validate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.email.as_deref(), p.phone_number.as_deref()),
            (Some("a@b.nl"), None)
        );
        assert!(!p.needs_onboarding());
        assert!(error(Draft {
            date_of_birth: None,
            ..draft
        })
        .contains("date_of_birth"));
    }

    #[test]
    fn each_field_is_checked() {
        assert!(error(Draft {
            external_uuid: Some("nope".into()),
            ..person()
        })
        .contains("UUID"));
        assert!(error(Draft {
            external_uuid: None,
            ..person()
        })
        .contains("external_uuid"));
        assert!(error(Draft {
            email: Some("".into()),
            ..person()
        })
        .contains("email"));
        assert!(error(Draft {
            email: Some("a@b".into()),
            ..person()
        })
        .contains("email"));
        assert!(error(Draft {
            phone_number: Some("0612345678".into()),
            ..person()
        })
        .contains("E.164"));
        assert!(error(Draft {
            products: Some(vec![]),
            ..person()
        })
        .contains("products"));
        assert!(error(Draft {
            products: Some(vec!["GOLD".into()]),
            ..person()
        })
        .contains("GOLD"));
        assert!(error(Draft {
            products: Some(vec!["COMPANY_VERIFIED".into()]),
            ..person()
        })
        .contains("not available"));
        assert!(error(Draft {
            user_verified_type: Some("ROBOT".into()),
            ..person()
        })
        .contains("user_verified_type"));
        assert!(error(Draft {
            date_of_birth: Some("1990-02-30".into()),
            ..person()
        })
        .contains("date_of_birth"));
        assert!(error(Draft {
            country_of_residence: Some("nl".into()),
            ..person()
        })
        .contains("country"));
        assert!(error(Draft {
            director_relation_provision_id: Some(1),
            ..person()
        })
        .contains("COMPANY"));
    }

    #[test]
    fn companies_need_a_director_and_the_company_product() {
        let company = Draft {
            user_verified_type: Some("PARTNER_USER_COMPANY".into()),
            products: Some(vec!["COMPANY_VERIFIED".into()]),
            director_relation_provision_id: Some(7),
            ..person()
        };
        assert_eq!(
            company
                .clone()
                .validate()
                .ok()
                .and_then(|p| p.director_provision_id),
            Some(7)
        );
        assert!(error(Draft {
            director_relation_provision_id: None,
            ..company.clone()
        })
        .contains("director"));
        assert!(error(Draft {
            products: Some(vec!["USER_VERIFIED".into()]),
            ..company
        })
        .contains("not available"));
    }
}
