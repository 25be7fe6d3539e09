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
