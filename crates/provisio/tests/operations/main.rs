//! Running provisio in operations: commands that refuse to guess, a start that fails early and
//! loses nothing, credentials a CI script knows in advance, and logs a machine can read.

#[path = "../common/mod.rs"]
mod common;
mod database;
mod running;
mod scenarios;
mod seed;
mod store;

use common::provisio;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn help_says_what_each_id_is() {
    for (command, id, what) in [
        (
            &["provision", "approve"][..],
            "<PROVISION_ID>",
            "PartnerUserProvision id",
        ),
        (&["webhooks", "resend"][..], "<DELIVERY_ID>", "delivery"),
        (
            &["inquiry", "finalize"][..],
            "<INQUIRY_ID>",
            "UserInformationInquiry id",
        ),
        (
            &["identity", "decide"][..],
            "<SESSION_ID>",
            "IdentityVerificationSession id",
        ),
        (
            &["partner", "add-key"][..],
            "<PARTNER_ID>",
            "UserCompany id",
        ),
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let text = stdout(&provisio(&args));
        assert!(
            text.contains(id) && text.contains(what),
            "{command:?}: {text}"
        );
    }
    let text = stdout(&provisio(&["inquiry", "review", "--help"]));
    assert!(
        text.contains("--approve") && text.contains("Approve it"),
        "{text}"
    );
    assert!(text.contains("Reject it"), "{text}");
}
