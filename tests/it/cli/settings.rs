//! Settings from the environment and the command line: `UPEXPORT_CONFIG`,
//! `--theme` and `UPEXPORT_THEME`, `-q` (quiet: errors only, for cron)
//! and `-v` (each request on stderr).

use upexport::demo::{DEMO_KEY, DemoOptions};

use crate::support::demo::start;
use crate::support::{Out, Sandbox, closed_port, json, run_async, write_private};

async fn up(sb: &Sandbox, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.env_remove("UPEXPORT_LOG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args);
    run_async(c, None).await
}

#[track_caller]
fn code(out: &Out, want: i32, what: &str) {
    assert_eq!(
        out.code,
        Some(want),
        "{what}: exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upexport_config_names_the_config_file_and_the_flag_wins() {
    let sb = Sandbox::new();
    let elsewhere = sb.root().join("elsewhere.toml");
    write_private(
        &elsewhere,
        "[profiles.eu]\nbase_url = \"https://eu.example.test\"\n",
    );
    let env = [("UPEXPORT_CONFIG", elsewhere.to_str().unwrap_or_default())];
    let out = up(&sb, &env, &["doctor", "--json"]).await;
    let v = json(&out.stdout);
    assert_eq!(
        v["paths"]["config_file"],
        elsewhere.to_str().unwrap_or_default(),
        "{v}"
    );
    assert_eq!(v["profile"]["name"], "eu", "{v}");
    // --config wins over it.
    let other = sb.root().join("other.toml");
    write_private(&other, "[profiles.us]\n");
    let out = up(
        &sb,
        &env,
        &[
            "--config",
            other.to_str().unwrap_or_default(),
            "doctor",
            "--json",
        ],
    )
    .await;
    assert_eq!(
        json(&out.stdout)["paths"]["config_file"],
        other.to_str().unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_comes_from_the_flag_then_upexport_theme_then_the_config() {
    let sb = Sandbox::new();
    sb.write_config("theme = \"light\"\n");
    let theme = |out: &Out| {
        let v = json(&out.stdout);
        format!(
            "{} from {}",
            v["profile"]["theme"], v["profile"]["theme_from"]
        )
    };
    let out = up(&sb, &[], &["doctor", "--json"]).await;
    assert_eq!(
        theme(&out),
        r#""light" from "config file""#,
        "{}",
        out.stdout
    );
    let out = up(&sb, &[("UPEXPORT_THEME", "mono")], &["doctor", "--json"]).await;
    assert_eq!(
        theme(&out),
        r#""mono" from "environment UPEXPORT_THEME""#,
        "{}",
        out.stdout
    );
    let out = up(
        &sb,
        &[("UPEXPORT_THEME", "mono")],
        &["--theme", "ansi16", "doctor", "--json"],
    )
    .await;
    assert_eq!(
        theme(&out),
        r#""ansi16" from "flag --theme""#,
        "{}",
        out.stdout
    );
    // An unknown theme is refused where it is given.
    let out = up(&sb, &[], &["--theme", "neon", "doctor"]).await;
    code(&out, 2, "--theme neon");
    assert!(
        out.stderr.contains("auto") && out.stderr.contains("mono"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_leaves_only_errors_and_verbose_shows_each_request() {
    let sb = Sandbox::new();
    // A config readable by others: a warning, which -q leaves out.
    let cfg = sb.write_config("theme = \"auto\"\n");
    crate::support::set_mode(&cfg, 0o644);
    let url = format!("http://127.0.0.1:{}", closed_port());
    let args = [
        "submit",
        "--dry-run",
        "--from",
        "7d",
        "--to",
        "yesterday",
        "--base-url",
        &url,
    ];
    let out = up(&sb, &[], &args).await;
    code(&out, 0, "dry run");
    assert!(
        out.stderr.contains("warning") && out.stderr.contains("(UTC)"),
        "{}",
        out.stderr
    );
    let mut quiet = vec!["-q"];
    quiet.extend(args);
    let out = up(&sb, &[], &quiet).await;
    code(&out, 0, "-q dry run");
    assert_eq!(out.stderr, "", "-q prints no notes or warnings");
    assert!(
        out.stdout.contains("curl"),
        "the output itself stays: {}",
        out.stdout
    );
    // Errors stay.
    let out = up(&sb, &[], &["-q", "jobs", "--base-url", &url]).await;
    code(&out, 5, "-q jobs on a closed port");
    assert!(out.stderr.contains("error"), "{}", out.stderr);

    // -v: each request and answer on stderr (never a header, so never the key).
    let server = start(DemoOptions::default()).await;
    let out = up(&sb, &[], &["-v", "jobs", "--base-url", &server.base_url()]).await;
    code(&out, 0, "-v jobs");
    assert!(
        out.stderr.contains("/api/v1/analytics/exports/jobs") && out.stderr.contains("200"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(DEMO_KEY), "the key on stderr");
    let out = up(&sb, &[], &["jobs", "--base-url", &server.base_url()]).await;
    assert!(
        !out.stderr.contains("/api/v1/"),
        "without -v: {}",
        out.stderr
    );
}
