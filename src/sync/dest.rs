//! A sync's destination as an object store (the Apache Arrow project's
//! `object_store`): a local folder, S3, GCS or Azure. Credentials come from
//! each store's own environment variables and files (`AWS_*`,
//! `GOOGLE_*`, `AZURE_*`), read by the crate's `from_env` builders; upexport
//! never stores, logs or prints them.
//!
//! Files are written so a reader never sees half of one: large ones as
//! multipart uploads (an object appears only when the upload completes;
//! the local store writes a temporary file and renames it), small ones in
//! one put. Transient store errors (5xx, timeouts, connections lost) are
//! retried by the crate itself, with the bounded policy of [`retry`]:
//! a store that keeps failing fails the run in well under a minute rather
//! than holding it for the crate's default three.

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, PutPayload};

use super::def::Destination;
use super::upload::{PART_SIZE, PARTS_IN_FLIGHT, Upload};

/// Why the destination failed, sorted by what the user must do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store refused the credentials (exit 3).
    #[error("{dest}: the storage credentials were refused ({detail}); check {vars}")]
    Credentials {
        dest: String,
        detail: String,
        vars: &'static str,
    },
    /// The bucket, container or folder is not there, or the URL is wrong
    /// (exit 2, before any export).
    #[error("{dest}: {detail}")]
    Missing { dest: String, detail: String },
    /// Anything else (exit 5).
    #[error("{dest}: {detail}")]
    Other { dest: String, detail: String },
}

/// Retries of one store request after a 5xx, a timeout or a lost
/// connection (the first try not counted).
pub const RETRIES: usize = 5;

/// The retry policy of every store: [`RETRIES`] tries more, waiting
/// 0.2 s, then up to twice as long each time (at most 5 s), and no retry
/// later than 40 s after the first try. Five retries ride out a store's
/// brief 503 (S3's `SlowDown`); a store down for longer fails the run,
/// which the next run resumes.
pub fn retry() -> object_store::RetryConfig {
    object_store::RetryConfig {
        backoff: object_store::BackoffConfig {
            init_backoff: std::time::Duration::from_millis(200),
            max_backoff: std::time::Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: RETRIES,
        retry_timeout: std::time::Duration::from_secs(40),
    }
}

/// The variables that hold a store's credentials, for messages.
fn credential_vars(url: &str) -> &'static str {
    match url.split_once("://").map(|(s, _)| s) {
        Some("s3" | "s3a") => {
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL"
        }
        Some("gs") => "GOOGLE_SERVICE_ACCOUNT (or GOOGLE_APPLICATION_CREDENTIALS)",
        _ => "AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_SAS_KEY)",
    }
}

/// An opened destination: the store and the prefix everything goes under.
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    prefix: StorePath,
    shown: String,
    vars: &'static str,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dest", &self.shown).finish()
    }
}

impl Store {
    /// Open `dest` with the store's settings from the process environment.
    /// A local folder is created if missing.
    pub fn open(dest: &Destination) -> Result<Store, StoreError> {
        Self::open_with(dest, std::env::vars())
    }

    /// [`Store::open`] with the settings taken from `env` instead of the
    /// process environment (`AWS_*`, `GOOGLE_*`, `AZURE_*` names, as
    /// `from_env` reads them).
    pub fn open_with(
        dest: &Destination,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Store, StoreError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let settings = |prefix: &str| {
            env.iter()
                .filter(move |(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect::<Vec<_>>()
        };
        let shown = dest.to_string();
        let missing = |detail: String| StoreError::Missing {
            dest: shown.clone(),
            detail,
        };
        match dest {
            Destination::Folder { path } => {
                std::fs::create_dir_all(path)
                    .map_err(|e| missing(format!("cannot create the folder: {e}")))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(path)
                    .map_err(|e| missing(e.to_string()))?;
                Ok(Store {
                    inner: Arc::new(fs),
                    prefix: StorePath::default(),
                    shown,
                    vars: "the folder's permissions",
                })
            }
            Destination::Store { url } => {
                let parsed =
                    url::Url::parse(url).map_err(|e| missing(format!("not a URL: {e}")))?;
                let prefix = StorePath::from(parsed.path().trim_matches('/'));
                let vars = credential_vars(url);
                let built: Result<Arc<dyn ObjectStore>, object_store::Error> = match parsed.scheme()
                {
                    "s3" | "s3a" => {
                        let mut b = object_store::aws::AmazonS3Builder::new().with_retry(retry());
                        let mut checksum = Some(object_store::aws::Checksum::SHA256);
                        for (k, v) in settings("AWS_") {
                            if k == "aws_checksum_algorithm" {
                                // Ours: "none" (or empty) sends no checksum,
                                // for a server that refuses them.
                                checksum = None;
                                let off =
                                    v.trim().is_empty() || v.trim().eq_ignore_ascii_case("none");
                                if off {
                                    continue;
                                }
                            }
                            if let Ok(key) = k.parse() {
                                b = b.with_config(key, v);
                            }
                        }
                        // Each part goes with its SHA-256, which the store
                        // checks on arrival (and keeps: a composite checksum
                        // of the object). It costs nothing: the same digest
                        // signs the request. AWS's SDKs send a checksum by
                        // default too (CRC32); without one, S3 computes a
                        // CRC64 of the whole object itself, which moto does
                        // in Python (BENCHMARKS.md, "sync").
                        if let Some(c) = checksum {
                            b = b.with_checksum_algorithm(c);
                        }
                        b.with_url(url.as_str())
                            .build()
                            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
                    }
                    "gs" => {
                        let mut b =
                            object_store::gcp::GoogleCloudStorageBuilder::new().with_retry(retry());
                        for (k, v) in settings("GOOGLE_") {
                            if let Ok(key) = k.parse() {
                                b = b.with_config(key, v);
                            }
                        }
                        b.with_url(url.as_str())
                            .build()
                            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
                    }
                    _ => {
                        let mut b =
                            object_store::azure::MicrosoftAzureBuilder::new().with_retry(retry());
                        for (k, v) in settings("AZURE_") {
                            if let Ok(key) = k.parse() {
                                b = b.with_config(key, v);
                            }
                        }
                        b.with_url(url.as_str())
                            .build()
                            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
                    }
                };
                let inner =
                    built.map_err(|e| missing(format!("cannot use it: {}", one_line(&e))))?;
                Ok(Store {
                    inner,
                    prefix,
                    shown,
                    vars,
                })
            }
        }
    }

    /// Where `rel` (a `/`-separated path under the destination) goes.
    fn path(&self, rel: &str) -> StorePath {
        let mut p = self.prefix.clone();
        for part in rel.split('/').filter(|s| !s.is_empty()) {
            p = p.child(part);
        }
        p
    }

    /// A failed write: a PUT answered "not found" can only mean the bucket
    /// (or container) is not there.
    fn classify_write(&self, e: object_store::Error) -> StoreError {
        match e {
            object_store::Error::NotFound { .. } => StoreError::Missing {
                dest: self.shown.clone(),
                detail: format!("the bucket (or container) does not exist: {}", one_line(&e)),
            },
            e => self.classify(e),
        }
    }

    fn classify(&self, e: object_store::Error) -> StoreError {
        let detail = one_line(&e);
        let (dest, lower) = (self.shown.clone(), e.to_string().to_ascii_lowercase());
        match e {
            object_store::Error::Unauthenticated { .. }
            | object_store::Error::PermissionDenied { .. } => StoreError::Credentials {
                dest,
                detail,
                vars: self.vars,
            },
            _ if lower.contains("invalidaccesskeyid")
                || lower.contains("signaturedoesnotmatch")
                || lower.contains("accessdenied")
                || lower.contains("403 forbidden")
                || lower.contains("401 unauthorized") =>
            {
                StoreError::Credentials {
                    dest,
                    detail,
                    vars: self.vars,
                }
            }
            _ if lower.contains("nosuchbucket")
                || lower.contains("containernotfound")
                || lower.contains("bucket not found") =>
            {
                StoreError::Missing {
                    dest,
                    detail: format!("the bucket (or container) does not exist: {detail}"),
                }
            }
            _ => StoreError::Other { dest, detail },
        }
    }

    /// Write and delete a small marker: a wrong bucket or refused
    /// credentials fail here, in a second, before any export.
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        let name = format!(
            ".upexport-write-check-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        let p = self.path(&name);
        self.inner
            .put(
                &p,
                PutPayload::from_static(b"upexport checks it may write here\n"),
            )
            .await
            .map_err(|e| self.classify_write(e))?;
        self.inner.delete(&p).await.map_err(|e| self.classify(e))
    }

    /// Write `bytes` at `rel` in one put (manifests, small files).
    pub async fn put(&self, rel: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner
            .put(&self.path(rel), PutPayload::from(Bytes::from(bytes)))
            .await
            .map(|_| ())
            .map_err(|e| self.classify_write(e))
    }

    /// The bytes at `rel`, or `None` when there is nothing there.
    pub async fn get(&self, rel: &str) -> Result<Option<Bytes>, StoreError> {
        match self.inner.get(&self.path(rel)).await {
            Ok(r) => r.bytes().await.map(Some).map_err(|e| self.classify(e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// Start a streamed upload to `rel`: nothing is visible there until
    /// it is sealed ([`Upload::seal`]) and completed
    /// ([`super::upload::Sealed::complete`]).
    pub async fn upload(&self, rel: &str) -> Result<Upload, StoreError> {
        let up = self
            .inner
            .put_multipart(&self.path(rel))
            .await
            .map_err(|e| self.classify_write(e))?;
        Ok(Upload::new(up, PART_SIZE, PARTS_IN_FLIGHT))
    }

    /// Turn an error of an [`Upload`] into a [`StoreError`].
    pub fn error(&self, e: object_store::Error) -> StoreError {
        self.classify(e)
    }

    /// Delete everything under `rel` (a partition left half-written by a
    /// killed run, before it is written again).
    pub async fn clear(&self, rel: &str) -> Result<usize, StoreError> {
        use futures_util::StreamExt;
        let prefix = self.path(rel);
        let mut listed = self.inner.list(Some(&prefix));
        let mut paths = Vec::new();
        while let Some(meta) = listed.next().await {
            match meta {
                Ok(m) => paths.push(m.location),
                Err(object_store::Error::NotFound { .. }) => break,
                Err(e) => return Err(self.classify(e)),
            }
        }
        drop(listed);
        for p in &paths {
            match self.inner.delete(p).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.classify(e)),
            }
        }
        Ok(paths.len())
    }
}

/// An error's text on one line, without the credentials (object_store's
/// errors name paths and HTTP answers, not keys) and cut to 300 characters.
fn one_line(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        src = s.source();
    }
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.chars().take(300).collect()
}
