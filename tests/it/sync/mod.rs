//! `src/sync`: destinations (a folder, and S3 over the real protocol on
//! 127.0.0.1), and what a sync writes there: end to end, and under every
//! fault of issue #16 (each test ends with the destination and the history
//! database checked against each other, [`harness::Rig::consistent`]).

mod dest;
mod e2e;
mod harness;
mod job_faults;
mod kill;
mod store_faults;
