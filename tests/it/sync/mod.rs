//! `src/sync`: destinations (a folder, and S3 over the real protocol on
//! 127.0.0.1), and what a sync writes there.

mod dest;
