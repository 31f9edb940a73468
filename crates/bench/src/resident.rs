//! Where a process's resident memory is, read from `/proc/PID/smaps`: its own pages, the pages
//! of its executable's file and those of other files (the shared libraries, mostly). The total
//! alone (`VmRSS`) hides that most of an idle server's memory is file pages the kernel shares
//! and can drop.

/// A process's resident memory, in KiB.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resident {
    /// Pages of no file, or a file's pages the process wrote to (heap, stacks, relocated data).
    pub own: u64,
    /// Unwritten pages of the executable's file (its code and read-only data).
    pub binary: u64,
    /// Unwritten pages of every other file and the kernel's vDSO: the shared libraries, and
    /// small mappings such as SQLite's shared-memory index (`provisio.db-shm`, 32 KiB).
    pub other_files: u64,
}

impl Resident {
    /// Every resident page (`VmRSS`, read from the same mappings as its parts).
    pub fn total(&self) -> u64 {
        self.own + self.binary + self.other_files
    }

    /// Reads process `pid`'s (all zero when it cannot be read).
    pub fn of(pid: u32) -> Resident {
        let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
        let executable = std::fs::read_link(format!("/proc/{pid}/exe"))
            .map(|path| path.to_string_lossy().into_owned())
            .unwrap_or_default();
        Resident::split(&smaps, &executable)
    }

    /// Splits `smaps`' mappings by what backs them; `executable` is the path the mappings of
    /// the process's binary name.
    fn split(smaps: &str, executable: &str) -> Resident {
        let mut resident = Resident::default();
        // The mapping the `Rss:` and `Anonymous:` lines below a header belong to.
        let mut path = "";
        let mut rss = 0;
        for line in smaps.lines() {
            if let Some(kib) = field_kib(line, "Rss:") {
                rss = kib;
            } else if let Some(anonymous) = field_kib(line, "Anonymous:") {
                resident.own += anonymous;
                let file_pages = rss.saturating_sub(anonymous);
                if !path.is_empty() && path == executable {
                    resident.binary += file_pages;
                } else {
                    // Other files, and [vdso]: the heap's and the stacks' pages are all
                    // anonymous, so what is left here is shared.
                    resident.other_files += file_pages;
                }
            } else if is_header(line) {
                // `start-end perms offset dev inode [path]`; the path may hold spaces.
                path = line.splitn(6, ' ').nth(5).map_or("", str::trim);
                rss = 0;
            }
        }
        resident
    }
}

/// KiB as MB (MiB, as `ps` and the kernel count them).
pub fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A mapping's first line starts with its address range, `7f3c…-7f3c… `.
fn is_header(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(range, _)| {
        range.split_once('-').is_some_and(|(start, end)| {
            !start.is_empty()
                && start.chars().all(|c| c.is_ascii_hexdigit())
                && end.chars().all(|c| c.is_ascii_hexdigit())
        })
    })
}

/// `Rss:                 412 kB` → 412 (the form of `/proc/PID/smaps` and `status` alike).
pub fn field_kib(line: &str, name: &str) -> Option<u64> {
    line.strip_prefix(name)?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
560ed9e5e000-560ed9edd000 r--p 00000000 08:01 1234                       /srv/bin/provisio
Size:                508 kB
Rss:                 300 kB
Pss:                 300 kB
Anonymous:             0 kB
560ed9edd000-560ed9ee6000 rw-p 01000000 08:01 1234                       /srv/bin/provisio
Size:                 36 kB
Rss:                  36 kB
Anonymous:            32 kB
560ee2e08000-560ee2e8b000 rw-p 00000000 00:00 0                          [heap]
Rss:                 412 kB
Anonymous:           412 kB
7f7f18000000-7f7f18125000 rw-p 00000000 00:00 0 
Rss:                1172 kB
Anonymous:          1172 kB
7f7f30000000-7f7f30132000 r-xp 00028000 08:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1224 kB
Anonymous:             0 kB
7ffd1000-7ffd3000 r-xp 00000000 00:00 0                                  [vdso]
Rss:                   8 kB
Anonymous:             0 kB
";

    #[test]
    fn pages_are_split_by_what_backs_them() {
        let resident = Resident::split(SMAPS, "/srv/bin/provisio");
        assert_eq!(
            resident,
            Resident {
                own: 32 + 412 + 1172,
                binary: 300 + 4,
                other_files: 1224 + 8,
            }
        );
    }

    #[test]
    fn a_path_with_spaces_is_read_whole() {
        let smaps = "\
00400000-00452000 r-xp 00000000 08:01 7 /tmp/my dir/provisio (deleted)
Rss:                  64 kB
Anonymous:             0 kB
";
        let resident = Resident::split(smaps, "/tmp/my dir/provisio (deleted)");
        assert_eq!((resident.binary, resident.other_files), (64, 0));
    }

    #[test]
    fn this_process_has_its_binary_resident() {
        let resident = Resident::of(std::process::id());
        assert!(resident.binary > 0, "{resident:?}");
        assert!(resident.own > 0, "{resident:?}");
    }
}
