//! Which source addresses may use a device (`permitted_ips`, spec A.12 and decision J-10).
//!
//! `["*"]` allows every address; an explicit list is enforced; an empty or missing list binds
//! the address that registered the device. bunq takes IPv4 only in explicit lists.

use std::net::{IpAddr, Ipv4Addr};

use crate::{text::quoted, DomainError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpPolicy {
    Any,
    Only(Vec<IpAddr>),
}

impl IpPolicy {
    /// The policy a `POST /device-server` asks for, made by `caller`.
    pub fn requested(list: Option<&[String]>, caller: IpAddr) -> Result<IpPolicy, DomainError> {
        let list = list.unwrap_or_default();
        if list.is_empty() {
            return Ok(IpPolicy::Only(vec![canonical(caller)]));
        }
        if list.iter().any(|entry| entry.trim() == "*") {
            return Ok(IpPolicy::Any);
        }
        let mut ips = Vec::with_capacity(list.len());
        for entry in list {
            let ip: Ipv4Addr = entry.trim().parse().map_err(|_| {
                DomainError::invalid(format!(
                    "permitted_ips contains {}, which is not an IPv4 address or \"*\".",
                    quoted(entry)
                ))
            })?;
            ips.push(IpAddr::V4(ip));
        }
        Ok(IpPolicy::Only(ips))
    }

    pub fn permits(&self, ip: IpAddr) -> bool {
        match self {
            IpPolicy::Any => true,
            IpPolicy::Only(ips) => ips.contains(&canonical(ip)),
        }
    }

    /// Storage form: `*`, or addresses separated by commas.
    pub fn to_stored(&self) -> String {
        match self {
            IpPolicy::Any => "*".to_owned(),
            IpPolicy::Only(ips) => ips
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    pub fn from_stored(text: &str) -> Option<IpPolicy> {
        if text == "*" {
            return Some(IpPolicy::Any);
        }
        text.split(',')
            .map(|ip| ip.parse().ok())
            .collect::<Option<Vec<IpAddr>>>()
            .map(IpPolicy::Only)
    }
}

/// IPv4 clients reaching a dual-stack socket show up as `::ffff:a.b.c.d`; compare them as IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn wildcard_allows_everyone() {
        let policy = IpPolicy::requested(Some(&["*".into()]), ip("10.0.0.1"));
        assert_eq!(policy.ok(), Some(IpPolicy::Any));
        assert!(IpPolicy::Any.permits(ip("203.0.113.9")));
    }

    #[test]
    fn empty_binds_the_caller() {
        let policy = IpPolicy::requested(Some(&[]), ip("::ffff:10.1.2.3")).unwrap_or(IpPolicy::Any);
        assert_eq!(policy, IpPolicy::Only(vec![ip("10.1.2.3")]));
        assert!(policy.permits(ip("10.1.2.3")));
        assert!(!policy.permits(ip("10.1.2.4")));
    }

    #[test]
    fn explicit_lists_are_enforced_and_validated() {
        let list = vec!["127.0.0.2".to_owned(), "10.0.0.1".to_owned()];
        let policy = IpPolicy::requested(Some(&list), ip("127.0.0.1")).unwrap_or(IpPolicy::Any);
        assert!(!policy.permits(ip("127.0.0.1")));
        assert!(policy.permits(ip("10.0.0.1")));
        assert!(IpPolicy::requested(Some(&["::1".into()]), ip("127.0.0.1")).is_err());
        assert!(IpPolicy::requested(Some(&["nope".into()]), ip("127.0.0.1")).is_err());
    }

    #[test]
    fn storage_round_trip() {
        for policy in [
            IpPolicy::Any,
            IpPolicy::Only(vec![ip("1.2.3.4"), ip("::1")]),
        ] {
            assert_eq!(IpPolicy::from_stored(&policy.to_stored()), Some(policy));
        }
    }
}
