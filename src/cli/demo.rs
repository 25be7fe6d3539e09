//! `upexport demo-server`: the embedded server in the foreground.

use std::time::Duration;

use super::exit::CliError;
use crate::demo::{DemoOptions, DemoServer, FaultMode};

pub async fn run(
    port: u16,
    mode: FaultMode,
    job_seconds: f64,
    rows_per_part: usize,
) -> Result<(), CliError> {
    let opts = DemoOptions {
        port,
        mode,
        job_duration: Duration::from_secs_f64(job_seconds.clamp(0.05, 86_400.0)),
        rows_per_part,
        ..DemoOptions::default()
    };
    let server = DemoServer::start(opts).await.map_err(|e| {
        CliError::Invalid(format!(
            "could not start the demo server on 127.0.0.1:{port}: {e}"
        ))
    })?;
    let url = server.base_url();
    println!("upexport demo server listening on {url}");
    println!("mode: {mode:?} ({})", mode.describe());
    println!("key: {}", server.key());
    println!(
        "try: USERPILOT_API_KEY={} upexport --base-url {url}",
        server.key()
    );
    println!("stop with Ctrl-C");
    super::signals::wait_for_shutdown().await;
    server.shutdown().await;
    Ok(())
}
