//! The command line: argument parsing, one function per command, exit
//! codes. It uses the library only; it never imports the TUI.
//!
//! Printing goes through [`crate::frontend::out`]'s macros, which never
//! panic on a closed pipe.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod context;
mod demo;
pub mod docs;
pub mod doctor;
mod doctor_api;
mod exit;
mod history;
mod jobs;
mod json;
mod lookups;
pub mod plain;
mod preview;
mod progress;
mod queue;

mod submit;
mod sync;

pub use crate::frontend::wait_for_shutdown;
pub use args::{
    Cli, Command, CompletionShell, Global, QueueAddArgs, QueueCommand, RequestArgs, SubmitArgs,
    SyncArgs, key_flag_refusal,
};
pub use context::Context;
pub use exit::{CliError, code};
pub use history::outcome_line;
pub use submit::form_from_args;

/// True when the command asked for JSON output.
fn wants_json(cmd: &Command) -> bool {
    match cmd {
        Command::Submit(a) => a.json,
        Command::Status { json, .. } | Command::Jobs { json } | Command::Lookups { json, .. } => {
            *json
        }
        Command::History { json, .. } => *json,
        Command::Download(a) => a.json,
        Command::Preview(a) => a.json,
        Command::Sync(a) => a.json,
        Command::Queue(q) => match q {
            QueueCommand::Add(a) => a.json,
            QueueCommand::List { json, .. } | QueueCommand::Run { json, .. } => *json,
            _ => false,
        },
        Command::Doctor { json, .. } => *json,
        Command::DemoServer(_) | Command::Completions { .. } | Command::Man => false,
    }
}

/// Run one subcommand; print its error and return the exit code.
pub async fn run(global: &Global, cmd: &Command) -> u8 {
    match dispatch(global, cmd).await {
        Ok(()) => code::OK,
        Err(e) => {
            if wants_json(cmd) && !e.json_printed() {
                outln!("{}", e.to_json());
            }
            errln!("upexport: error: {e}");
            e.exit_code()
        }
    }
}

/// `upexport --plain` (no command): the line mode. Prints its error and
/// returns the exit code, as [`run`] does.
pub async fn run_plain(global: &Global) -> u8 {
    match plain::run(global).await {
        Ok(()) => code::OK,
        Err(e) => {
            errln!("upexport: error: {e}");
            e.exit_code()
        }
    }
}

async fn dispatch(global: &Global, cmd: &Command) -> Result<(), CliError> {
    // Commands that need no profile (and must work with a broken config).
    match cmd {
        Command::DemoServer(a) => return demo::run(a).await,
        Command::Completions { shell } => return docs::completions(*shell),
        Command::Man => return docs::man(),
        Command::Preview(a) => return preview::run(a).await,
        Command::Doctor {
            json, api: false, ..
        } => return doctor::run(global, *json).await,
        _ => {}
    }
    let mut ctx = Context::new(global).await?;
    match cmd {
        Command::Submit(a) => submit::run(&mut ctx, a).await,
        Command::Status { job_id, json } => jobs::status(&mut ctx, job_id, *json).await,
        Command::Jobs { json } => jobs::jobs(&mut ctx, *json).await,
        Command::Download(a) => jobs::download(&mut ctx, a).await,
        Command::Lookups {
            name,
            json,
            refresh,
        } => lookups::run(&mut ctx, name.as_deref(), *json, *refresh).await,
        Command::History { json, limit } => history::run(&ctx, *json, *limit),
        Command::Queue(q) => queue::run(&mut ctx, q).await,
        Command::Sync(a) => sync::run(&mut ctx, a).await,
        Command::Doctor {
            json,
            api: true,
            save,
        } => doctor_api::run(&mut ctx, *json, save.as_deref()).await,
        Command::DemoServer(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Preview(_)
        | Command::Doctor { .. } => Ok(()),
    }
}
