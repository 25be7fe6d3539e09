//! `upexport completions SHELL` and `upexport man`: both generated from
//! the clap definition, so they cannot drift from the real flags.

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::args::{Cli, CompletionShell};
use super::exit::CliError;

/// The completion script for `shell`.
pub fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "upexport", &mut out);
    out
}

/// The manual page in roff. It names the cargo version only (not the git
/// describe), so the copy committed as `assets/upexport.1` changes only
/// when the interface does.
pub fn man_page() -> Vec<u8> {
    let mut cmd = Cli::command()
        .version(crate::version::CARGO_VERSION)
        .long_about(DESCRIPTION)
        .disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    roff.text([roman(
        "Without a command, upexport opens the terminal app (or, with --plain, the line mode). The global options above apply to every command.",
    )]);
    let _ = roff.to_writer(&mut out);
    let globals: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .collect();
    for sub in cmd.get_subcommands() {
        command_section(&mut out, sub, "upexport", &globals);
    }
    let _ = extra_sections().to_writer(&mut out);
    ascii_only(&out)
}

const DESCRIPTION: &str = "upexport fills one form with every field of a Userpilot bulk data export request, sends it without blocking, and keeps a history of every attempt (written before the request goes out) that survives restarts. The same core serves the commands below. The API key is read from $USERPILOT_API_KEY, or from the profile's api_key_file or api_key_command in the config file; never from an argument, and it is never printed, logged or stored.";

/// Non-ASCII characters as groff's `\[uXXXX]` escapes, so the page renders
/// the same without a UTF-8 aware troff (and `groff -ww` stays quiet).
fn ascii_only(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if c == '\u{2026}' {
            out.push_str("...");
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out.into_bytes()
}

/// `.SS upexport NAME`, what it does, its usage and its own options (the
/// global ones are documented once, above); then its subcommands.
fn command_section(out: &mut Vec<u8>, sub: &clap::Command, parent: &str, globals: &[String]) {
    let path = format!("{parent} {}", sub.get_name());
    let mut roff = Roff::new();
    roff.control("SS", [path.as_str()]);
    let about = sub
        .get_long_about()
        .or(sub.get_about())
        .map(|s| s.to_string())
        .unwrap_or_default();
    if !about.is_empty() {
        roff.text([roman(about)]);
    }
    let usage = sub
        .clone()
        .bin_name(path.clone())
        .render_usage()
        .to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim().to_owned();
    roff.control("PP", [] as [&str; 0]);
    roff.text([italic("Usage: "), bold(usage)]);
    let _ = roff.to_writer(out);

    let mut own = sub.clone();
    for id in globals.iter().map(String::as_str).chain(["help"]) {
        if own.get_arguments().any(|a| a.get_id() == id) {
            own = own.mut_arg(id, |a| a.hide(true));
        }
    }
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        let mut options = Vec::new();
        let _ = Man::new(own).render_options_section(&mut options);
        // Its options under this command's heading, not a new section.
        let text = String::from_utf8_lossy(&options).replace(".SH OPTIONS\n", "");
        out.extend_from_slice(text.as_bytes());
    }
    for nested in sub.get_subcommands() {
        command_section(out, nested, &path, globals);
    }
}

/// ENVIRONMENT, FILES and EXIT STATUS.
fn extra_sections() -> Roff {
    let mut roff = Roff::new();
    let item = |roff: &mut Roff, term: &str, text: &str| {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(term)]);
        roff.text([roman(text)]);
    };
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, text) in [
        (
            "USERPILOT_API_KEY",
            "The API key (never taken from an argument). A profile chosen with --profile uses its own api_key_file or api_key_command first.",
        ),
        ("USERPILOT_BASE_URL", "The API base URL."),
        (
            "UPEXPORT_PROFILE",
            "The profile to use from the config file.",
        ),
        (
            "UPEXPORT_LOG, RUST_LOG",
            "Log filter, e.g. debug (default: upexport=info).",
        ),
        (
            "UPEXPORT_CONFIG",
            "The config file (--config wins over it).",
        ),
        (
            "UPEXPORT_THEME",
            "The terminal app's theme: auto, ansi16, dark, light or mono (--theme wins over it, it over the config's theme).",
        ),
        ("NO_COLOR", "Turns colour off in the terminal app."),
        (
            "XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME",
            "Where the files below live, on every system when set (default: ~/.config, ~/.local/state, ~/.cache; on macOS ~/Library/Application Support and ~/Library/Caches).",
        ),
        (
            "XDG_DOWNLOAD_DIR",
            "Downloads go to its upexport/ folder when neither --out nor download_dir says (default: the system's downloads folder, else ~/Downloads).",
        ),
    ] {
        item(&mut roff, name, text);
    }
    roff.control("SH", ["FILES"]);
    let logs = format!(
        "Daily log files (upexport.YYYY-MM-DD.log, UTC days), the last {} kept.",
        crate::logging::MAX_LOG_FILES
    );
    for (name, text) in [
        (
            "$XDG_CONFIG_HOME/upexport/config.toml",
            "Profiles: base_url, api_key_file, api_key_command, timeouts, download_dir.",
        ),
        (
            "$XDG_STATE_HOME/upexport/history.sqlite3",
            "Every submit attempt and the export queue.",
        ),
        (
            "$XDG_STATE_HOME/upexport/demo/",
            "--demo's own history and draft (its lookups in $XDG_CACHE_HOME/upexport/demo/), apart from the real ones.",
        ),
        ("$XDG_STATE_HOME/upexport/logs/", logs.as_str()),
        (
            "$XDG_CACHE_HOME/upexport/lookups/",
            "Lookups cached per profile.",
        ),
    ] {
        item(&mut roff, name, text);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, text) in [
        ("0", "Success."),
        ("2", "Invalid input or configuration (nothing was sent)."),
        (
            "3",
            "Unauthorized: the key was refused (401/403), or no key is configured.",
        ),
        (
            "4",
            "Conflict: an export is already running in this environment (409).",
        ),
        ("5", "Any other API, network or history error."),
        (
            "130",
            "Stopped by Ctrl-C (or SIGTERM, SIGHUP) while waiting or downloading.",
        ),
    ] {
        item(&mut roff, code, text);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "upexport completions bash|zsh|fish; upexport doctor; the README.",
    )]);
    roff
}

/// `upexport completions SHELL`.
pub fn completions(shell: CompletionShell) -> Result<(), CliError> {
    write_stdout(&completion_script(shell))
}

/// `upexport man`.
pub fn man() -> Result<(), CliError> {
    write_stdout(&man_page())
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .or_else(|e| {
            // `upexport man | head` closes the pipe early: not an error.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .map_err(|e| CliError::Invalid(format!("cannot write to stdout: {e}")))
}
