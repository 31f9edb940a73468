//! The server under test: a `provisio serve` child process with its own data.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use anyhow::{bail, Context as _};

use crate::resident::{field_kib, Resident};

pub struct Served {
    pub url: String,
    pub api_key: String,
    pub backend: &'static str,
    child: Child,
    _dir: Arc<tempfile::TempDir>,
}

/// The token the bench's servers accept on the operator API.
pub const ADMIN_TOKEN: &str = "bench-admin-token";

/// The provisio binary: as given, or next to this one.
pub fn binary(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match given {
        Some(path) => Ok(path),
        None => Ok(std::env::current_exe()?
            .parent()
            .context("no directory for the bench binary")?
            .join("provisio")),
    }
}

/// Starts `processes` servers on one fresh store (more than one needs PostgreSQL), with no
/// step delay and the bench's operator token.
pub async fn start(
    binary: &Path,
    database_url: Option<String>,
    processes: usize,
) -> anyhow::Result<Vec<Served>> {
    let dir = tempfile::tempdir()?;
    let storage: Vec<String> = match &database_url {
        Some(url) => vec!["--database-url".into(), url.clone()],
        None => vec![
            "--data-dir".into(),
            dir.path().to_string_lossy().into_owned(),
        ],
    };
    let out = Command::new(binary)
        .args(["partner", "create", "--name", "Bench BV"])
        .args(&storage)
        .output()
        .with_context(|| format!("running {}", binary.display()))?;
    if !out.status.success() {
        bail!(
            "partner create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let api_key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let dir = Arc::new(dir);
    let mut servers = Vec::new();
    for _ in 0..processes.max(1) {
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--step-delay", "0s"])
            .args(["--admin-token", ADMIN_TOKEN])
            .args(&storage)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let url = tokio::task::spawn_blocking(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find_map(|line| {
                    line.strip_prefix("provisio listening on ")
                        .map(str::to_owned)
                })
        })
        .await?
        .context("provisio serve never said where it listens")?;
        servers.push(Served {
            url,
            api_key: api_key.clone(),
            backend: if database_url.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            child,
            _dir: dir.clone(),
        });
    }
    // Let the processes settle before their idle memory is read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(servers)
}

impl Served {
    /// Resident memory of the server process, in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// Where the resident memory is: the process's own, its binary's file, other files'.
    pub fn resident(&self) -> Resident {
        Resident::of(self.child.id())
    }

    /// A `/proc/PID/status` line's figure in KiB (0 when it cannot be read).
    fn status_kib(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|status| status.lines().find_map(|line| field_kib(line, field)))
            .unwrap_or(0)
    }

    /// CPU time the server process has used so far (user + system).
    pub fn cpu_time(&self) -> Duration {
        let ticks = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .ok()
            .and_then(|stat| {
                // Fields after the parenthesised command name; utime and stime are 14 and 15.
                let rest = stat.rsplit_once(')')?.1;
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let utime: u64 = fields.get(11)?.parse().ok()?;
                let stime: u64 = fields.get(12)?.parse().ok()?;
                Some(utime + stime)
            })
            .unwrap_or(0);
        // Linux reports in clock ticks of 1/100 s on every platform we run on.
        Duration::from_millis(ticks * 10)
    }

    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}
