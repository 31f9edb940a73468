//! Fresh random ids: the UUIDs of new objects, webhook events and responses.

use std::cell::RefCell;

use uuid::{Builder, Uuid};

/// UUIDs' worth of random bytes drawn from the generator at a time.
const POOLED: usize = 16;

/// Random bytes drawn ahead, one UUID's worth handed out at a time, each only once.
struct Pool {
    ids: [[u8; 16]; POOLED],
    /// The next one to hand out; `POOLED`: none left.
    next: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool { ids: [[0; 16]; POOLED], next: POOLED })
    };
}

impl Pool {
    fn take(&mut self) -> Option<[u8; 16]> {
        if self.next >= POOLED {
            aws_lc_rs::rand::fill(self.ids.as_flattened_mut()).ok()?;
            self.next = 0;
        }
        let slot = self.ids.get_mut(self.next)?;
        // Zeroed once handed out, so that nothing later reads what an id was made of.
        let id = std::mem::take(slot);
        self.next += 1;
        Some(id)
    }
}

/// A fresh random UUID (version 4), drawn from aws-lc's generator, which keeps its state per
/// thread and asks the kernel only to reseed. `Uuid::new_v4` makes a `getrandom` system call
/// for each one, and ids are made on every answer (its `X-Bunq-Client-Response-Id`) and in
/// most writes. The bytes are drawn for 16 ids at a time: each call into the generator costs
/// ~2,400 instructions whatever it draws (callgrind, docs/benchmarks.md).
pub fn fresh_uuid() -> Uuid {
    let drawn = POOL.with(|pool| pool.try_borrow_mut().ok()?.take());
    match drawn {
        Some(bytes) => Builder::from_random_bytes(bytes).into_uuid(),
        // Only when the generator cannot be seeded at all; uuid's own then says so.
        None => Uuid::new_v4(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{fresh_uuid, POOLED};

    #[test]
    fn fresh_uuids_are_version_4_and_differ() {
        let (a, b) = (fresh_uuid(), fresh_uuid());
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }

    #[test]
    fn no_id_repeats_across_refills_of_the_pool() {
        let ids: HashSet<_> = (0..POOLED * 8 + 3).map(|_| fresh_uuid()).collect();
        assert_eq!(ids.len(), POOLED * 8 + 3);
        assert!(ids.iter().all(|id| id.get_version_num() == 4));
    }
}
