//! Make a history store of N synthetic entries, for benchmarks:
//! `cargo run --release --example fill_history -- PATH N`
//! (used by `scripts/bench.sh` to open the TUI on 100,000 entries).

use std::process::ExitCode;

use upexport::history::HistoryStore;

const TEMPLATE: &str = r#"{"from":"2026-11-01","to":"2026-11-26","emails":["analyst@example.com"],"event_type":["track","page_view"],"user_id":["u{n}"],"format":"csv"}"#;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(n)) = (args.next(), args.next().and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!("usage: fill_history PATH N");
        return ExitCode::from(2);
    };
    let result = HistoryStore::open(std::path::Path::new(&path))
        .and_then(|o| o.store.fill_synthetic(n, TEMPLATE));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fill_history: {e}");
            ExitCode::FAILURE
        }
    }
}
