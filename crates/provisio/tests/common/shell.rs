//! Running a page's shell examples as a reader would: its `sh` blocks, in order, in one bash.
//! Used by `tests/readme.rs` for the README and every page of `docs/`.

use std::{
    os::unix::process::CommandExt,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// How long one page may run: the walk-through waits for the default delays (about 20 s).
pub const LIMIT: Duration = Duration::from_secs(180);

const TOOLS: &[&str] = &["bash", "curl", "jq", "openssl", "python3", "base64"];

/// The `sh` blocks between every pair of markers `begin` … `end` of `page`, in order. A block
/// fenced otherwise (```text, ```console) is never run.
pub fn shell_blocks<'p>(page: &'p str, begin: &str, end: &str) -> Vec<&'p str> {
    let mut blocks = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(begin) {
        let section = &rest[start..];
        let stop = section
            .find(end)
            .unwrap_or_else(|| panic!("a {begin:?} marker without its {end:?}"));
        let mut inside = &section[..stop];
        while let Some(open) = inside.find("\n```sh\n") {
            let body = &inside[open + "\n```sh\n".len()..];
            let close = body
                .find("\n```")
                .unwrap_or_else(|| panic!("unclosed sh block"));
            blocks.push(&body[..close + 1]);
            inside = &body[close + "\n```".len()..];
        }
        rest = &section[stop + end.len()..];
    }
    blocks
}

/// Whether a tool the examples use is missing: a skip with a message, but a failure in CI.
pub fn tools_missing() -> bool {
    let missing: Vec<_> = TOOLS
        .iter()
        .copied()
        .filter(|tool| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    if missing.is_empty() {
        return false;
    }
    let message = format!(
        "the documentation's shell examples need {} (install them, e.g. apt-get install curl jq openssl python3)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    true
}

pub struct Outcome {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// Runs `script` in bash in `dir/work`, in its own process group (killed with everything it
/// started when it ends or after [`LIMIT`]).
pub fn run_bash(script: &str, dir: &Path, env: &[(&str, String)]) -> Outcome {
    let work = dir.join("work");
    std::fs::create_dir(&work).unwrap_or_else(|e| panic!("{e}"));
    // Files, not pipes: a full pipe would stall the script, and what it starts in the
    // background keeps its copy.
    let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new("bash")
        .args(["-c", script])
        .current_dir(&work)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(log("stdout"))
        .stderr(log("stderr"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let started = Instant::now();
    while matches!(child.try_wait(), Ok(None)) && started.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_millis(100));
    }
    // `--` matters: procps' kill reads `-KILL -PGID` as a signal to every process (pid -1).
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let status = child.wait().unwrap_or_else(|e| panic!("bash: {e}"));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    Outcome {
        status,
        stdout: read("stdout"),
        stderr: read("stderr"),
        took: started.elapsed(),
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// `PATH` with the directory of the `provisio` under test first.
pub fn path_with_provisio() -> String {
    let bin = Path::new(super::BIN)
        .parent()
        .unwrap_or_else(|| panic!("no directory for {}", super::BIN));
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}
