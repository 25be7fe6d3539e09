//! The README documents the code: these tests fail when they drift apart.

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn keymap_table_matches_the_code() {
    let text = readme();
    let start = text
        .find("<!-- keymap:start -->\n")
        .expect("keymap start marker")
        + "<!-- keymap:start -->\n".len();
    let end = text.find("<!-- keymap:end -->").expect("keymap end marker");
    let in_readme = text[start..end].trim();
    let from_code = upexport::tui::keymap::markdown_table();
    assert_eq!(
        in_readme,
        from_code.trim(),
        "README key table is stale: regenerate it with `cargo run --example keymap_md`"
    );
}

#[test]
fn every_demo_fault_mode_is_documented() {
    let text = readme();
    for mode in upexport::demo::FaultMode::ALL {
        assert!(
            text.contains(&format!("`{}`", mode.name())),
            "README misses demo mode {}",
            mode.name()
        );
    }
}

#[test]
fn the_two_setup_commands_are_there() {
    let text = readme();
    assert!(text.contains("cargo run --release -- --demo"));
    assert!(text.contains("\ncargo test\n"));
    let ci =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    assert!(ci.contains("cargo test"));
}

#[test]
fn exit_codes_match() {
    use upexport::frontend::code;
    let text = readme();
    for (c, word) in [
        (code::INVALID, "invalid input"),
        (code::UNAUTHORIZED, "unauthorized"),
        (code::CONFLICT, "conflict"),
        (code::API, "any other API"),
        (code::INTERRUPTED, "stopped by Ctrl-C"),
    ] {
        assert!(
            text.contains(&format!("| {c} | {word}")),
            "exit code {c} ({word}) not documented as such"
        );
    }
}

#[test]
fn every_command_and_global_flag_is_in_the_cli_reference() {
    use clap::CommandFactory;
    let text = readme();
    let start = text.find("\n## CLI\n").expect("a CLI section");
    let block = &text[start..];
    let block = &block[block.find("\n```\n").expect("its usage block") + 5..];
    let block = &block[..block.find("\n```\n").expect("its usage block ends")];
    let cmd = upexport::cli::Cli::command();
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        assert!(
            block.contains(&format!("\n  {name} ")) || block.contains(&format!("\n  {name}\n")),
            "README's CLI block misses `{name}`"
        );
    }
    for arg in cmd.get_arguments().filter(|a| a.is_global_set()) {
        let long = format!("--{}", arg.get_long().expect("a long flag"));
        assert!(block.contains(&long), "README's CLI block misses {long}");
    }
}

/// The tour's step 2 takes as many Tabs from From to Emails as the form's
/// focus ring needs (one short, the email lands in To).
#[test]
fn the_tour_tabs_from_from_to_emails() {
    use upexport::export::Field;
    use upexport::tui::form::Focus;
    let text = readme();
    let mut f = Focus::Field(Field::From);
    let mut tabs = 0;
    while f != Focus::Field(Field::Emails) {
        f = f.next();
        tabs += 1;
    }
    let want = match tabs {
        1 => "**Tab** to **Emails**",
        2 => "**Tab** twice to **Emails**",
        n => panic!("{n} Tabs from From to Emails"),
    };
    let step2 = text
        .split("\n2. ")
        .nth(1)
        .and_then(|s| s.split("\n3. ").next())
        .expect("the tour's step 2");
    assert!(step2.contains(want), "step 2 should say {want}: {step2}");
}

/// Where the key is found is said one way, everywhere: the README, the
/// first-run screen, the 401 message, the missing-key messages (all
/// through `api::KEY_FOUND_AT`).
#[test]
fn where_the_key_is_found_is_said_one_way() {
    let place = upexport::api::KEY_FOUND_AT;
    assert!(readme().contains(place), "README lacks {place}");
    assert!(
        !readme().contains("Settings → Environment"),
        "README words it otherwise"
    );
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let mut uses = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if !p.ends_with("api/key.rs") {
                for other in ["Settings → Environment", place] {
                    assert!(
                        !text.contains(other),
                        "{} words it itself: {other}",
                        p.display()
                    );
                }
            }
            uses += text.matches("KEY_FOUND_AT").count();
        }
    }
    assert!(uses >= 5, "the messages use the one wording ({uses} uses)");
}

/// Tour step 7 says what the calendar's 90-day preset queues by month: one
/// export per calendar month the range touches, whatever the day.
#[test]
fn tour_step_7_says_what_the_90_day_preset_queues() {
    use upexport::jobs::queue::{Split, split_range};
    use upexport::tui::calendar::Preset;
    let text = readme();
    let start = text.find("\n7. ").expect("tour step 7");
    let step = &text[start..];
    let step = &step[..step.find("\n8. ").expect("tour step 8")];
    assert!(step.contains("**5**") && step.contains("90 days"), "{step}");
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a day");
    let counts: std::collections::BTreeSet<usize> = (0..366)
        .map(|i| {
            let (from, to) = Preset::Last90.range(first + chrono::Days::new(i));
            split_range(from, to, Split::Monthly).len()
        })
        .collect();
    for n in counts {
        let word = ["zero", "one", "two", "three", "four", "five"][n];
        assert!(step.contains(word), "step 7 does not say {word}: {step}");
    }
}

/// The README says what theme `auto` does (256 colours where announced,
/// the 16 ANSI colours elsewhere), never that only 16 are used; every
/// theme is named.
#[test]
fn the_colour_claims_match_the_themes() {
    let text = readme();
    assert!(
        !text.contains("only the 16 ANSI colours are used"),
        "theme auto uses 256 colours where the terminal announces them"
    );
    for name in upexport::tui::theme::THEMES {
        assert!(
            text.contains(&format!("`{name}`")),
            "README misses theme {name}"
        );
    }
    let ssh = &text[text.find("## Over SSH").expect("an SSH section")..];
    assert!(ssh.contains("`ansi16`") && ssh.contains("256"), "{ssh}");
}

/// A newcomer's first screen: what it is, the requirements (before the
/// first command), the two commands, one screenshot; reference material
/// comes after.
#[test]
fn the_first_screen_has_the_requirements_before_the_two_commands_and_a_screenshot() {
    let text = readme();
    let req = text
        .find("\n## Requirements\n")
        .expect("a Requirements section");
    let first_command = text.find("```sh").expect("a command block");
    assert!(
        req < first_command,
        "the requirements come before the first command"
    );
    let section = &text[req..first_command];
    for needle in [
        format!("Rust {}", env!("CARGO_PKG_RUST_VERSION")),
        "edition 2024".to_owned(),
        "C compiler".to_owned(),
        "SQLite".to_owned(),
        "zstd".to_owned(),
        "tmux".to_owned(),
    ] {
        assert!(
            section.contains(&needle),
            "the requirements lack {needle:?}"
        );
    }
    let first_screen: String = text.lines().take(60).collect::<Vec<_>>().join("\n") + "\n";
    assert!(first_screen.contains("\ncargo run --release -- --demo\n"));
    assert!(first_screen.contains("\ncargo test\n"));
    assert_eq!(first_screen.matches("```text").count(), 1, "one screenshot");
    // Reference material is below it.
    for later in ["## Keys", "## CLI", "### Exit codes"] {
        let at = text.find(&format!("\n{later}\n")).unwrap_or(0);
        assert!(at > first_screen.len(), "{later} is on the first screen");
    }
}
