//! Only `serve` and `partner create` create a store; a store `serve` cannot use stops it
//! before it listens, and a port in use costs no demo key.

use crate::{
    common::{is_sandbox_key, provisio},
    stderr, stdout, temp_dir,
};

/// Every operator command family but `partner create`, on storage options `storage`.
fn operator_commands(storage: &[&str]) -> Vec<Vec<String>> {
    let commands: [&[&str]; 11] = [
        &["partner", "list"],
        &["partner", "add-key", "1"],
        &["provision", "approve", "1"],
        &["provision", "history", "1"],
        &["webhooks", "list"],
        &["webhooks", "resend", "1"],
        &["webhooks", "tail"],
        &[
            "inquiry",
            "raise",
            "1",
            "--entry",
            "USER_PERSON_SOURCE_OF_FUND",
        ],
        &["inquiry", "finalize", "1"],
        &["identity", "decide", "1", "--approve"],
        &["inquiry", "review", "1", "--reject"],
    ];
    commands
        .iter()
        .map(|c| c.iter().chain(storage).map(|s| (*s).to_owned()).collect())
        .collect()
}

fn run(args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    provisio(&args)
}

#[test]
fn operator_commands_refuse_a_missing_store_and_create_none() {
    let dir = temp_dir();
    let missing = dir.path().join("typo");
    let missing_text = missing.to_string_lossy().into_owned();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let empty_text = empty.to_string_lossy().into_owned();
    let sqlite = dir.path().join("x.db");
    let url = format!("sqlite://{}?mode=rwc", sqlite.display());

    for (storage, shown) in [
        (
            vec!["--data-dir", missing_text.as_str()],
            missing_text.as_str(),
        ),
        (vec!["--data-dir", empty_text.as_str()], empty_text.as_str()),
        (vec!["--database-url", url.as_str()], url.as_str()),
    ] {
        for command in operator_commands(&storage) {
            let out = run(&command);
            assert!(!out.status.success(), "{command:?} succeeded");
            let err = stderr(&out);
            assert!(
                err.starts_with(&format!("provisio: no provisio data at {shown}")),
                "{command:?}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
    assert!(!missing.exists(), "an operator command created {missing:?}");
    assert!(!empty.join("provisio.db").exists());
    assert!(!sqlite.exists(), "an operator command created {sqlite:?}");

    // `partner create` may create the store; then the others find it.
    let out = provisio(&[
        "partner",
        "create",
        "--name",
        "Acme",
        "--data-dir",
        &missing_text,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = provisio(&["partner", "list", "--data-dir", &missing_text]);
    assert!(stdout(&out).contains("Acme"), "{}", stderr(&out));
}

#[test]
fn a_file_as_data_dir_is_refused() {
    let dir = temp_dir();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"notes").unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_string_lossy().into_owned();
    for args in [
        vec!["serve", "--listen", "127.0.0.1:0", "--data-dir", &file],
        vec!["partner", "create", "--name", "A", "--data-dir", &file],
        vec!["partner", "list", "--data-dir", &file],
    ] {
        let out = provisio(&args);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("provisio: --data-dir {file} is a file")),
            "{args:?}: {err}"
        );
    }
}

/// `serve` that must fail before it listens: its one line of stderr.
fn refused_start(args: &[&str]) -> String {
    let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let out = provisio(&all);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(!stdout(&out).contains("listening"), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("provisio: "), "{err}");
    err
}

#[test]
fn a_corrupt_or_read_only_store_refuses_to_start() {
    let dir = temp_dir();
    let corrupt = dir.path().join("corrupt");
    std::fs::create_dir(&corrupt).unwrap_or_else(|e| panic!("{e}"));
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(corrupt.join("provisio.db"), garbage).unwrap_or_else(|e| panic!("{e}"));
    let err = refused_start(&["--data-dir", &corrupt.to_string_lossy()]);
    assert!(err.contains("not a database"), "{err}");

    // Root writes through file modes, so read-only comes from SQLite itself: `mode=ro`.
    let good = dir.path().join("good");
    let out = provisio(&[
        "partner",
        "create",
        "--name",
        "A",
        "--data-dir",
        &good.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = format!("sqlite://{}?mode=ro", good.join("provisio.db").display());
    let err = refused_start(&["--database-url", &url]);
    assert!(err.contains("is not writable"), "{err}");

    // A directory where the database file should be.
    let odd = dir.path().join("odd");
    std::fs::create_dir_all(odd.join("provisio.db")).unwrap_or_else(|e| panic!("{e}"));
    let err = refused_start(&["--data-dir", &odd.to_string_lossy()]);
    assert!(err.contains("cannot open the database"), "{err}");
}

#[test]
fn a_port_in_use_costs_no_demo_key() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = taken
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = temp_dir();
    let data = dir.path().to_string_lossy().into_owned();
    let out = provisio(&["serve", "--listen", &port, "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot listen on"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).lines().any(|l| is_sandbox_key(l.trim())),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("Using SQLite at"), "{}", stdout(&out));
    let out = provisio(&["partner", "list", "--data-dir", &data]);
    assert!(
        stdout(&out).starts_with("No partners yet"),
        "{}",
        stdout(&out)
    );
}
