//! `provisio scenarios`: the catalogue, and a scenario run straight on the database.

use crate::{provisio, stderr, stdout, temp_dir};

#[test]
fn scenarios_are_listed_and_run_on_the_database() {
    let out = provisio(&["scenarios", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("active-user  [scenario]"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("last name Rejected  [magic value]"),
        "{}",
        stdout(&out)
    );

    let dir = temp_dir();
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let created = provisio(&[
        "partner",
        "create",
        "--name",
        "Acme BV",
        "--data-dir",
        &data,
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    let run = |name: &str| {
        provisio(&[
            "scenarios",
            "run",
            name,
            "--partner",
            "1",
            "--data-dir",
            &data,
        ])
    };
    let out = run("active-user");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Provision 1 is ACTIVE/NONE."), "{text}");
    let token = text.lines().last().unwrap_or_default();
    assert!(
        token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );

    let out = run("closed-user");
    assert!(
        stdout(&out).starts_with("Provision 2 is CLOSED/NONE."),
        "{}",
        stdout(&out)
    );
    let out = run("rich-user");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no scenario \"rich-user\""),
        "{}",
        stderr(&out)
    );
}
