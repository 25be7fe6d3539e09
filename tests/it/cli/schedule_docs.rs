//! The systemd units and the crontab line of docs/cli.md ("Running it
//! every day") are well-formed and run a `sync` upexport accepts: parsed
//! here always, and checked by `systemd-analyze verify` where systemd is
//! installed.

use std::process::Command;

use clap::Parser;
use upexport::cli::{Cli, Command as UpCommand};

fn cli_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md"))
        .expect("docs/cli.md")
}

/// The fenced block right after `<!-- MARKER -->`, without its fences.
fn block_after(text: &str, marker: &str) -> String {
    let tag = format!("<!-- {marker} -->");
    let at = text
        .find(&tag)
        .unwrap_or_else(|| panic!("docs/cli.md has no {tag} before a block"));
    let rest = &text[at + tag.len()..];
    let open = rest.find("```").expect("a fenced block after the marker");
    let body = &rest[open..];
    let first_nl = body.find('\n').expect("the fence's line");
    let body = &body[first_nl + 1..];
    let close = body.find("\n```").expect("the block's closing fence");
    body[..close + 1].to_owned()
}

/// A unit file read as (section, key, value) lines; panics on a line that
/// is none of comment, blank, `[Section]` or `Key=Value`.
fn unit_lines(unit: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_owned();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not Key=Value: {line:?}"));
        assert!(!section.is_empty(), "{line:?} comes before any [Section]");
        assert!(
            k.chars().all(|c| c.is_ascii_alphanumeric()),
            "a key is letters and digits: {k:?}"
        );
        out.push((section.clone(), k.to_owned(), v.to_owned()));
    }
    out
}

fn value<'a>(lines: &'a [(String, String, String)], section: &str, key: &str) -> &'a str {
    lines
        .iter()
        .find(|(s, k, _)| s == section && k == key)
        .map(|(_, _, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key}= in [{section}]"))
}

/// `upexport ARGS…` as the binary would read it: a `sync` with `--json`.
#[track_caller]
fn assert_a_json_sync(argv: &[&str]) {
    assert!(
        argv.first().is_some_and(|p| p.ends_with("/upexport")),
        "{argv:?} runs upexport by its path"
    );
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    match cli.command {
        Some(UpCommand::Sync(a)) => assert!(a.json && !a.dry_run, "{argv:?}"),
        other => panic!("{argv:?} is not a sync: {other:?}"),
    }
}

/// Neither the API key nor a store's secret is written in the unit or the
/// crontab: they come from the environment file and the key file.
#[track_caller]
fn assert_no_secret(text: &str) {
    for word in [
        "USERPILOT_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AZURE_STORAGE_ACCOUNT_KEY",
        "--api-key",
    ] {
        assert!(!text.contains(word), "{word} written in:\n{text}");
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_systemd_service_and_timer_are_well_formed() {
    let text = cli_md();
    let service = block_after(&text, "systemd:upexport-sync.service");
    let timer = block_after(&text, "systemd:upexport-sync.timer");
    assert_no_secret(&service);
    assert_no_secret(&timer);

    let s = unit_lines(&service);
    assert_eq!(value(&s, "Service", "Type"), "oneshot");
    assert!(value(&s, "Service", "EnvironmentFile").starts_with('/'));
    let exec: Vec<&str> = value(&s, "Service", "ExecStart")
        .split_whitespace()
        .collect();
    assert_a_json_sync(&exec);

    let t = unit_lines(&timer);
    let when = value(&t, "Timer", "OnCalendar");
    assert!(
        when.contains("03:00") && when.ends_with("UTC"),
        "daily at 03:00 UTC: {when}"
    );
    assert_eq!(value(&t, "Timer", "Persistent"), "true");
    assert_eq!(value(&t, "Install", "WantedBy"), "timers.target");

    if !have("systemd-analyze") {
        eprintln!("skipped: systemd-analyze not installed (the units were parsed only)");
        return;
    }
    // verify wants the program to exist: the binary under test stands in
    // for /usr/local/bin/upexport.
    let dir = tempfile::tempdir().expect("temp dir");
    let service = service.replace(exec[0], env!("CARGO_BIN_EXE_upexport"));
    std::fs::write(dir.path().join("upexport-sync.service"), service).expect("write");
    std::fs::write(dir.path().join("upexport-sync.timer"), &timer).expect("write");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("upexport-sync.service"))
        .arg(dir.path().join("upexport-sync.timer"))
        .output()
        .expect("run systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Unknown keys and bad values are warnings on stderr with exit 0.
    let about_ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("upexport-sync"))
        .collect();
    assert!(
        out.status.success() && about_ours.is_empty(),
        "systemd-analyze verify: {stderr}"
    );
    let out = Command::new("systemd-analyze")
        .args(["calendar", when])
        .output()
        .expect("run systemd-analyze calendar");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("03:00:00 UTC"),
        "{when}: {said}"
    );
}

#[test]
fn the_crontab_line_is_well_formed() {
    let text = cli_md();
    let tab = block_after(&text, "crontab");
    assert_no_secret(&tab);
    let mut tz = None;
    let mut jobs = Vec::new();
    for line in tab.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(v) = line.strip_prefix("CRON_TZ=") {
            tz = Some(v.to_owned());
            continue;
        }
        jobs.push(line);
    }
    assert_eq!(tz.as_deref(), Some("UTC"), "CRON_TZ=UTC first");
    assert_eq!(jobs.len(), 1, "one job line: {jobs:?}");
    let fields: Vec<&str> = jobs[0].splitn(6, ' ').collect();
    assert_eq!(fields.len(), 6, "five time fields and a command");
    let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
    for (f, (lo, hi)) in fields[..5].iter().zip(ranges) {
        let ok = *f == "*" || f.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n));
        assert!(ok, "time field {f:?} (from {lo} to {hi})");
    }
    let (minute, hour) = (fields[0], fields[1]);
    assert!(
        hour.parse::<u32>().is_ok_and(|h| h >= 1) && minute != "*",
        "once a day, after midnight UTC: {minute} {hour}"
    );
    let command = fields[5];
    // cron turns an unescaped % into a newline.
    assert!(!command.contains('%'), "a % in the command: {command}");
    let sh = Command::new("sh")
        .args(["-n", "-c", command])
        .output()
        .expect("run sh -n");
    assert!(
        sh.status.success(),
        "sh -n: {}",
        String::from_utf8_lossy(&sh.stderr)
    );
    // The upexport invocation: from its path to the first redirection.
    let call: Vec<&str> = command
        .split(';')
        .map(str::trim)
        .find(|part| part.contains("/upexport "))
        .expect("a command running upexport")
        .split_whitespace()
        .take_while(|w| !w.starts_with('>') && !w.starts_with("2>"))
        .collect();
    assert_a_json_sync(&call);
}
