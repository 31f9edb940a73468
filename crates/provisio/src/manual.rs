//! `provisio completions SHELL` and `provisio man`: shell completions and the manual page,
//! both made from the same clap definitions as the commands themselves, so they cannot drift.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in: bash, zsh or fish (also elvish, powershell).
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (provisio.1, provisio-serve.1, provisio-partner-list.1, …)
    /// into this directory instead of printing provisio(1).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `command` is the whole command line (`Cli::command()`), given by `main`: this module is
/// below `cli.rs`, which names its arguments.
pub fn completions(args: &CompletionsArgs, mut command: clap::Command) -> anyhow::Result<()> {
    // Into memory first: clap_complete panics when its writer fails (`… | head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "provisio", &mut script);
    crate::listing::write_out(&script)
}

/// `command` as for [`completions`].
pub fn man(args: &ManArgs, command: clap::Command) -> anyhow::Result<()> {
    match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("writing the pages into {}", dir.display()))?;
            println!("Wrote the manual pages into {}.", dir.display());
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            crate::listing::write_out(&page)?;
        }
    }
    Ok(())
}
