//! `upexport sync`: keep a dataset of exported events current, one
//! partition (a UTC day or month) per export, in a local folder or an
//! object store, Hive-style (`NAME/dt=YYYY-MM-DD/part-NNNN.EXT`, a
//! `_manifest.json` written last). This module holds what a sync is
//! ([`def`]), which partitions it still needs ([`plan`]), where they go
//! ([`dest`]), one run at a time ([`lock`]), and running one ([`run`],
//! each part streamed by [`stream`]) through the one job workflow
//! (`crate::jobs`), as the CLI and the TUI do.

pub mod clock;
pub mod def;
pub mod defined;
pub mod dest;
pub mod lock;
pub mod plan;
pub mod report;
pub mod run;
pub mod status;
pub mod stream;
pub mod upload;

pub use def::{Destination, Sync, SyncDef};
pub use plan::{Partition, PartitionSize, last_complete_day, missing, partitions};
pub use status::{Gap, SyncStatus, status};
