//! `upexport demo-server`: the embedded server in the foreground.

use std::time::Duration;

use super::args::DemoArgs;
use super::exit::CliError;
use crate::demo::{DemoOptions, DemoServer};

pub async fn run(a: &DemoArgs) -> Result<(), CliError> {
    let (port, mode) = (a.port, a.mode);
    let part_gz = match &a.part_file {
        None => None,
        Some(path) => Some(read_part_file(path)?),
    };
    let opts = DemoOptions {
        port,
        mode,
        job_duration: Duration::from_secs_f64(a.job_seconds.clamp(0.05, 86_400.0)),
        rows_per_part: a.rows_per_part,
        part_gz,
        ..DemoOptions::default()
    };
    let server = DemoServer::start(opts).await.map_err(|e| {
        CliError::Invalid(format!(
            "could not start the demo server on 127.0.0.1:{port}: {e}"
        ))
    })?;
    let url = server.base_url();
    outln!("upexport demo server listening on {url}");
    outln!("mode: {mode:?} ({})", mode.describe());
    outln!("key: {}", server.key());
    outln!(
        "try: USERPILOT_API_KEY={} upexport --base-url {url}",
        server.key()
    );
    outln!("stop with Ctrl-C");
    crate::frontend::wait_for_shutdown().await;
    server.shutdown().await;
    Ok(())
}

/// A gzip file to serve as every part: read whole, checked for the gzip
/// magic bytes (the demo's parts are always gzip, as the real API's are).
fn read_part_file(path: &std::path::Path) -> Result<bytes::Bytes, CliError> {
    let data = std::fs::read(path)
        .map_err(|e| CliError::Invalid(format!("--part-file {}: {e}", path.display())))?;
    if !data.starts_with(&[0x1f, 0x8b]) {
        return Err(CliError::Invalid(format!(
            "--part-file {}: not a gzip file (make one with `gzip -k FILE`)",
            path.display()
        )));
    }
    Ok(data.into())
}
