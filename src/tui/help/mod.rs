//! The help overlay (F1, ?): every key, from the keymap table.

pub mod view;
