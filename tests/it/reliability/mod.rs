//! Across the layers (issue #5, `docs/reliability.md`): faults of the API
//! and the network, crashes and concurrent writers, bad input and secrets,
//! and property tests of the pure parsers.

mod crash_and_concurrency;
mod faults;
mod inputs_and_secrets;
mod preview_props;
mod props;
