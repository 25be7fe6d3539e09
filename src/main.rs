//! The `upexport` binary: parse arguments, start logging, dispatch.

// Printing goes through `upexport::frontend::out` (never a panic on a
// closed pipe).
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;
use upexport::cli::Cli;
use upexport::frontend::code;
use upexport::{errln, noteln};

fn main() -> ExitCode {
    // Before clap, whose "unexpected argument" would not say where the key
    // comes from.
    if let Some(why) = upexport::cli::key_flag_refusal(std::env::args_os().skip(1)) {
        errln!("upexport: error: {why}");
        return ExitCode::from(code::INVALID);
    }
    let cli = Cli::parse();
    // Every command upexport suggests carries the flags that reach the
    // same server and history.
    upexport::suggest::set(cli.global.reach());
    upexport::frontend::out::set_quiet(cli.global.quiet);
    // -v writes to stderr, which the TUI owns: commands and --plain only.
    let verbose = if cli.command.is_some() || cli.global.plain {
        cli.global.verbose
    } else {
        0
    };
    let paths = upexport::config::Paths::discover().ok();
    let _log = upexport::logging::init(paths.as_ref(), verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            errln!("upexport: error: cannot start the async runtime: {e}");
            return ExitCode::from(code::API);
        }
    };
    let status = runtime.block_on(async {
        match &cli.command {
            Some(cmd) => {
                if cli.global.plain {
                    noteln!("upexport: warning: --plain is the interactive form's line mode; it does nothing for a command");
                }
                upexport::cli::run(&cli.global, cmd).await
            }
            None if cli.global.plain => upexport::cli::run_plain(&cli.global).await,
            None if let Some(why) = upexport::tui::cannot_run() => {
                errln!("upexport: {why}: using the plain line mode (--plain)");
                upexport::cli::run_plain(&cli.global).await
            }
            None => upexport::tui::run(&cli.global).await,
        }
    });
    ExitCode::from(status)
}
