//! `upexport sync`: keep a dataset of exported events current, one
//! partition (a UTC day or month) per export, in a local folder or an
//! object store, Hive-style (`NAME/dt=YYYY-MM-DD/part-NNNN.EXT`, a
//! `manifest.json` written last). This module holds what a sync is
//! ([`def`]) and which partitions it still needs ([`plan`]); running one
//! goes through the one job workflow (`crate::jobs`), as the CLI and the
//! TUI do.

pub mod clock;
pub mod def;
pub mod dest;
pub mod lock;
pub mod plan;
pub mod run;
pub mod stream;

pub use def::{Destination, Sync, SyncDef};
pub use plan::{Partition, PartitionSize, last_complete_day, missing, partitions};
