//! Fresh random ids: the UUIDs of new objects, webhook events and responses.

use uuid::{Builder, Uuid};

/// A fresh random UUID (version 4), drawn from aws-lc's generator, which keeps its state per
/// thread and asks the kernel only to reseed. `Uuid::new_v4` makes a `getrandom` system call
/// for each one, and ids are made on every answer (its `X-Bunq-Client-Response-Id`) and in
/// most writes.
pub fn fresh_uuid() -> Uuid {
    let mut bytes = [0_u8; 16];
    match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => Builder::from_random_bytes(bytes).into_uuid(),
        // Only when the generator cannot be seeded at all; uuid's own then says so.
        Err(_) => Uuid::new_v4(),
    }
}

#[cfg(test)]
mod tests {
    use super::fresh_uuid;

    #[test]
    fn fresh_uuids_are_version_4_and_differ() {
        let (a, b) = (fresh_uuid(), fresh_uuid());
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }
}
