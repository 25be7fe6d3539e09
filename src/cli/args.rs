//! The command line (clap). `upexport` alone opens the TUI.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::export::Format;
pub use crate::frontend::Global;

/// Userpilot bulk data export: a keyboard-first terminal app and CLI.
///
/// The API key is read from $USERPILOT_API_KEY, or from the profile's
/// api_key_file or api_key_command in the config file; never from an
/// argument.
#[derive(Debug, Parser)]
#[command(name = "upexport", version = crate::version::VERSION, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Command>,
}

pub const EXIT_CODES: &str = "Exit codes: 0 ok · 2 invalid input or config · 3 unauthorized (or no key) · 4 conflict (an export is already running) · 5 other API or network error · 130 stopped by Ctrl-C while waiting or downloading";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an export job (every field of the request has a flag)
    Submit(SubmitArgs),
    /// Show one job's status, progress and files
    Status {
        job_id: String,
        /// Print the job's status as JSON (its shape: docs/json.md)
        #[arg(long)]
        json: bool,
    },
    /// List recent export jobs
    Jobs {
        #[arg(long)]
        json: bool,
    },
    /// Download a completed job's files into DIR/<job id>/ (gzip parts are
    /// decompressed; a cut download resumes)
    Download(DownloadArgs),
    /// Show a file's format, schema, row count and first rows
    ///
    /// CSV, NDJSON, Avro and Parquet, plain or gzip, told by the content,
    /// never the name. Only what the rows need is read (Parquet: the footer
    /// and the first pages; Avro: the header, the first blocks and each
    /// block's header for the count). A damaged file prints the rows read
    /// before the damage, then says what is wrong (exit 2).
    Preview(PreviewArgs),
    /// Show a lookup (segments, events_properties, flows, …), cached per profile and server
    ///
    /// Each item is listed by the field it is known by (a segment's or a
    /// flow's id, a property's or a feature's key), its name and a detail.
    /// Paged lookups are followed page by page until the server ends them,
    /// a cursor comes back, a page brings nothing new, or 1,000 pages; each
    /// item is kept once. A list that may be cut off is printed, then
    /// warned about; it exits 5 and is not cached.
    Lookups {
        /// Lookup name; omit to list the names
        name: Option<String>,
        /// Print the items as JSON, as the API sent them (in an object:
        /// docs/json.md)
        #[arg(long)]
        json: bool,
        /// Fetch again instead of using the cached copy
        #[arg(long)]
        refresh: bool,
    },
    /// Show past submit attempts, newest first
    History {
        #[arg(long)]
        json: bool,
        /// How many entries, newest first (0: every entry)
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Queue exports to be submitted one after another
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Keep a dataset current: one export per missing UTC day (or month)
    /// since a sync's start, into a folder or object store (`[sync.NAME]`
    /// tables of the config file). In progress: --dry-run shows the plan
    Sync(SyncArgs),
    /// Check the setup: versions, paths, profile, key, connectivity, history
    Doctor {
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
        /// Instead: ask the API what it answers (read-only: the job list,
        /// one recent job's status, each lookup's first page) and report
        /// shapes only (no key, ids, emails or names), for a bug report
        #[arg(long)]
        api: bool,
        /// With --api: also write the report as JSON to FILE
        #[arg(long, value_name = "FILE", requires = "api")]
        save: Option<std::path::PathBuf>,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the manual page (roff): `upexport man | man -l -`
    Man,
    /// Run the embedded demo server in the foreground
    DemoServer(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Fault mode, for trying error handling
    #[arg(long, value_enum, default_value = "normal")]
    pub mode: crate::demo::FaultMode,
    /// Seconds a job takes from pending to completed
    #[arg(long, default_value_t = 6.0)]
    pub job_seconds: f64,
    /// Rows in each of a job's two parts (made in memory on the first
    /// download)
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub rows_per_part: usize,
    /// Serve this gzip file as every part of every job (for benchmarks
    /// with large parts; read into memory at start)
    #[arg(long, value_name = "FILE.gz")]
    pub part_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Print the JSON body and an equivalent curl command; send nothing
    #[arg(long, conflicts_with_all = ["wait", "download"])]
    pub dry_run: bool,
    /// Print the outcome as JSON (with --wait: and the final job status;
    /// docs/json.md)
    #[arg(long)]
    pub json: bool,
    /// Follow the job until it completes (progress on stderr); on 409, wait
    /// for the running export to finish and submit automatically
    #[arg(long)]
    pub wait: bool,
    /// With --wait: download the completed job's files into DIR/<job id>/
    #[arg(long, value_name = "DIR", requires = "wait")]
    pub download: Option<PathBuf>,
    /// With --wait: stop following a job still not finished after DURATION
    /// (90s, 30m, 6h, 2d; default 6h, at most 3 days) and exit 5 naming its
    /// last status
    #[arg(long, value_name = "DURATION", requires = "wait", value_parser = crate::jobs::track::parse_max_wait)]
    pub max_wait: Option<std::time::Duration>,
}

/// The export request's fields, as flags or a JSON body file.
#[derive(Debug, Args, Default, Clone)]
pub struct RequestArgs {
    /// Start date, YYYY-MM-DD (or an RFC 3339 datetime, or today,
    /// yesterday, 7d for 7 days ago: days in UTC)
    #[arg(long)]
    pub from: Option<String>,
    /// End date, the same forms as --from; the day is taken as included
    /// (assumed: the API does not say)
    #[arg(long)]
    pub to: Option<String>,
    /// Who gets the download links (repeatable; commas and semicolons also split)
    #[arg(long = "email", value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// Event type to export (repeatable; commas and semicolons also split)
    #[arg(long = "event-type", value_name = "TYPE")]
    pub event_types: Vec<String>,
    /// Restrict to these users (repeatable; commas, semicolons, tabs and newlines also split; a space is part of an id)
    #[arg(long = "user-id", value_name = "ID")]
    pub user_ids: Vec<String>,
    /// Restrict to these companies (repeatable; commas, semicolons, tabs and newlines also split; a space is part of an id)
    #[arg(long = "company-id", value_name = "ID")]
    pub company_ids: Vec<String>,
    /// Restrict to a segment
    #[arg(long, value_name = "ID")]
    pub segment_id: Option<String>,
    /// File format
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Exclusions, passed through as typed
    #[arg(long)]
    pub exclusions: Option<String>,
    /// Read the JSON body from a file ('-' for stdin) instead of the flags
    #[arg(long, value_name = "PATH", conflicts_with_all = ["from", "to", "emails", "event_types", "user_ids", "company_ids", "segment_id", "format", "exclusions"])]
    pub body_file: Option<PathBuf>,
}

/// The shells `upexport completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// clap's view of [`Format`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Avro,
    Csv,
    Ndjson,
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Avro => Format::Avro,
            FormatArg::Csv => Format::Csv,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    pub file: PathBuf,
    /// How many rows to show (at most 10000)
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=10_000))]
    pub rows: u16,
    /// Print a JSON document (format, columns, rows, total_rows, notes,
    /// error; a `version` field says its shape)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    pub job_id: String,
    /// Save into DIR/<job id>/ [default DIR: the profile's download_dir,
    /// else upexport/ in the downloads folder: $XDG_DOWNLOAD_DIR, else
    /// ~/Downloads]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Fetch again and replace files already there (without it, a file this
    /// job saved there before is kept as downloaded; anything else is kept
    /// and that file fails)
    #[arg(long)]
    pub overwrite: bool,
    /// Keep gzip parts compressed
    #[arg(long)]
    pub keep_gz: bool,
    /// Only these files, by their number in `upexport status` (e.g. 1,3)
    #[arg(long, value_name = "N,…", value_delimiter = ',', num_args = 1)]
    pub only: Vec<usize>,
    /// Print a JSON summary of the files
    #[arg(long)]
    pub json: bool,
    /// Then join a CSV or NDJSON job's parts into DIR/<job id>.csv or
    /// .ndjson (one CSV header); Parquet and Avro parts are kept apart
    #[arg(long, conflicts_with = "only")]
    pub merge: bool,
}

/// `upexport queue …`: exports submitted one after another, each as soon as
/// the environment is free. The queue is kept in the history database.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Add an export (or one per month / N days of its range) to the queue
    Add(Box<QueueAddArgs>),
    /// Show the queue in order: waiting, submitting, submitted and failed items
    List {
        #[arg(long)]
        json: bool,
        /// Every profile's items, not only this profile's
        #[arg(long)]
        all: bool,
    },
    /// Take an item out of the queue
    Remove { id: i64 },
    /// Move a waiting item one place towards the front
    Up { id: i64 },
    /// Move a waiting item one place towards the back
    Down { id: i64 },
    /// Remove the submitted and failed items
    Clear,
    /// Submit the waiting items in order, each after the previous job ends
    Run {
        /// Download each completed job's files into DIR/<job id>/
        #[arg(long, value_name = "DIR")]
        download: Option<PathBuf>,
        /// Print one JSON line per finished item
        #[arg(long)]
        json: bool,
        /// Stop following a job still not finished after DURATION (90s,
        /// 30m, 6h, 2d; default 6h, at most 3 days), and the run with exit
        /// 5 naming its last status
        #[arg(long, value_name = "DURATION", value_parser = crate::jobs::track::parse_max_wait)]
        max_wait: Option<std::time::Duration>,
    },
}

/// `upexport sync [NAME…]`.
#[derive(Debug, Args, Default)]
pub struct SyncArgs {
    /// The syncs to run (default: every one defined)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// The last day to cover, YYYY-MM-DD (default and latest: yesterday
    /// in UTC, the last complete day)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Print the plan (the partitions missing and each request); send
    /// nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the plan (with --dry-run) or the run's report as JSON
    #[arg(long)]
    pub json: bool,
    /// Give up following one job after this long (90s, 30m, 6h, 2d; at
    /// most 3 days): the partition is tried again next run
    #[arg(long, value_name = "DURATION", value_parser = crate::jobs::track::parse_max_wait)]
    pub max_wait: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct QueueAddArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Split the range into one export per calendar month (monthly) or per
    /// N days (7d, 30d, …); needs --from and --to as dates
    #[arg(long, value_name = "monthly|Nd")]
    pub split: Option<crate::jobs::queue::Split>,
    /// Print the added items as JSON
    #[arg(long)]
    pub json: bool,
}

/// Flags a user may try for the key, which upexport never takes (a key in
/// argv is visible to every user of the machine and kept in shell history).
const KEY_FLAGS: [&str; 5] = ["--api-key", "--api_key", "--apikey", "--key", "--token"];

/// When `args` (without the program name) try to give the key as a flag:
/// what to say instead of clap's "unexpected argument". The value is never
/// repeated. Arguments after `--` are not flags.
pub fn key_flag_refusal<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let flag = args
        .into_iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .find_map(|a| {
            let name = a.split('=').next().unwrap_or_default().to_owned();
            KEY_FLAGS.contains(&name.as_str()).then_some(name)
        })?;
    Some(format!(
        "there is no {flag}: upexport never takes the API key as an argument (every user of \
         this machine could read it, and your shell history would keep it). It reads the key \
         from ${}, or from the profile's api_key_file or api_key_command in the config file \
         (`upexport doctor` shows which one is used); the TUI also takes it pasted. The key \
         is in {}.",
        crate::config::KEY_ENV,
        crate::api::KEY_FOUND_AT
    ))
}
