//! `upexport completions`, `upexport man` (and its committed copy,
//! `assets/upexport.1`) and `--version` with the git describe.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Sandbox, run};
use upexport::cli::CompletionShell;
use upexport::cli::docs::{completion_script, man_page};

const SUBCOMMANDS: [&str; 12] = [
    "submit",
    "status",
    "jobs",
    "download",
    "preview",
    "lookups",
    "history",
    "queue",
    "doctor",
    "completions",
    "man",
    "demo-server",
];

fn upexport(sb: &Sandbox, args: &[&str]) -> crate::support::Out {
    let mut c = sb.command(None);
    c.args(args);
    let out = run(c);
    assert_eq!(out.code, Some(0), "upexport {args:?}: {out:?}");
    out
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `program args…` with `script` on stdin; its exit status and stderr.
fn check_with(program: &str, args: &[&str], script: &[u8]) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the shell");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script)
        .expect("write the script");
    let out = child.wait_with_output().expect("wait for the shell");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn each_shell_gets_a_script_naming_the_commands_and_flags() {
    let sb = Sandbox::new();
    for (shell, name, flag_form) in [
        (CompletionShell::Bash, "bash", "--event-type"),
        (CompletionShell::Zsh, "zsh", "--event-type=["),
        (CompletionShell::Fish, "fish", "-l event-type"),
    ] {
        let out = upexport(&sb, &["completions", name]);
        assert!(out.stderr.is_empty(), "{name}: {}", out.stderr);
        assert_eq!(
            out.stdout.as_bytes(),
            completion_script(shell),
            "{name}: the binary prints the library's script"
        );
        assert!(
            out.stdout.len() > 1000,
            "{name}: {} bytes",
            out.stdout.len()
        );
        for word in SUBCOMMANDS {
            assert!(out.stdout.contains(word), "{name} script lacks {word}");
        }
        for flag in [flag_form, "plain", "base-url", "dry-run", "json"] {
            assert!(out.stdout.contains(flag), "{name} script lacks {flag}");
        }
        assert!(
            !out.stdout.contains('\u{1b}'),
            "{name}: no escape sequences"
        );
    }
    // The shell must accept it, not just find words in it.
    let bash = completion_script(CompletionShell::Bash);
    if have("bash") {
        let (ok, err) = check_with("bash", &["-n"], &bash);
        assert!(ok, "bash -n refused the script: {err}");
        // Load it and ask for completions of `upexport sub`.
        let mut script = bash.clone();
        script.extend_from_slice(
            b"\nCOMP_WORDS=(upexport sub); COMP_CWORD=1; COMP_LINE='upexport sub'; COMP_POINT=12\n\
              _upexport upexport sub upexport\nprintf '%s\\n' \"${COMPREPLY[@]}\" >&2\n",
        );
        let (ok, err) = check_with("bash", &[], &script);
        assert!(ok, "bash could not run the completion: {err}");
        assert_eq!(err.trim(), "submit", "completions of `upexport sub`");
    } else {
        eprintln!("bash not installed: only the text of the script was checked");
    }
    let zsh = completion_script(CompletionShell::Zsh);
    assert!(zsh.starts_with(b"#compdef upexport"), "zsh header");
    if have("zsh") {
        let (ok, err) = check_with("zsh", &["-n"], &zsh);
        assert!(ok, "zsh -n refused the script: {err}");
    }
    let fish = completion_script(CompletionShell::Fish);
    if have("fish") {
        let (ok, err) = check_with("fish", &["--no-execute"], &fish);
        assert!(ok, "fish refused the script: {err}");
    }
    let r = {
        let mut c = sb.command(None);
        c.args(["completions", "tcsh"]);
        run(c)
    };
    assert_eq!(r.code, Some(2), "an unknown shell is a usage error: {r:?}");
    assert!(
        r.stderr.contains("bash") && r.stderr.contains("fish"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_man_page_is_generated_and_the_committed_copy_is_current() {
    let page = man_page();
    let text = String::from_utf8(page.clone()).expect("UTF-8");
    assert!(text.contains("\n.TH upexport 1 "), "{}", &text[..120]);
    assert!(text.is_ascii(), "non-ASCII is escaped for troff");
    for s in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH \"EXIT STATUS\"",
        "USERPILOT_API_KEY",
    ] {
        assert!(text.contains(s), "the page lacks {s}");
    }
    for sub in SUBCOMMANDS {
        assert!(
            text.contains(&format!(".SS \"upexport {sub}\"")),
            "no section for {sub}"
        );
    }
    assert!(
        text.contains(".SS \"upexport queue add\""),
        "nested commands"
    );
    assert!(
        text.contains("\\-\\-event\\-type"),
        "submit's flags are there"
    );
    assert!(
        !text.contains(upexport::version::git_describe().unwrap_or("\u{0}")),
        "the page names the cargo version only, so it changes with the interface only"
    );

    let sb = Sandbox::new();
    let out = upexport(&sb, &["man"]);
    assert_eq!(out.stdout, text, "`upexport man` prints the same page");

    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/upexport.1"))
        .expect("assets/upexport.1");
    assert!(
        committed == page,
        "assets/upexport.1 differs from what the code generates; regenerate it with\n    cargo run -- man > assets/upexport.1\nand commit it"
    );

    if have("groff") {
        let (ok, err) = check_with("groff", &["-man", "-Tutf8", "-ww", "-z"], &page);
        assert!(ok && err.is_empty(), "groff warnings: {err}");
    }
}

#[test]
fn version_names_the_cargo_version_and_the_git_describe() {
    let sb = Sandbox::new();
    let out = upexport(&sb, &["--version"]);
    let cargo = env!("CARGO_PKG_VERSION");
    match upexport::version::git_describe() {
        Some(d) => {
            assert_eq!(out.stdout, format!("upexport {cargo} ({d})\n"));
            // What `git describe --tags --always --dirty` prints: a tag, an
            // abbreviated hash, and maybe -N-gHASH and -dirty.
            assert!(
                d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._+/".contains(c)),
                "{d}"
            );
        }
        None => assert_eq!(out.stdout, format!("upexport {cargo}\n")),
    }
    // Built in a git checkout (this test's build is one, as CI's clone is),
    // the describe is there.
    if std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.git")).exists() && have("git") {
        assert!(
            upexport::version::git_describe().is_some(),
            "a git checkout, yet no describe: {}",
            out.stdout
        );
    }
    let short = upexport(&sb, &["-V"]);
    assert_eq!(short.stdout, out.stdout);
}
