//! The preview of a downloaded file: its first rows as a table (Enter in
//! the downloads view).

pub mod view;

use std::path::PathBuf;

use crate::jobs::file_preview::Table;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

/// The first rows of a downloaded file.
#[derive(Clone, Debug, PartialEq)]
pub struct FilePreview {
    pub path: std::path::PathBuf,
    pub table: Table,
    pub row: usize,
    pub col: usize,
}

impl App {
    pub(crate) fn file_preview_loaded(
        &mut self,
        path: PathBuf,
        result: Result<crate::jobs::file_preview::Table, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(table) => {
                self.overlay = Some(Overlay::FilePreview(FilePreview {
                    path,
                    table,
                    row: 0,
                    col: 0,
                }))
            }
            Err(e) => {
                self.status = Some(Notice::new(
                    Level::Error,
                    format!("cannot preview {}: {e}", path.display()),
                ))
            }
        }
        vec![]
    }

    pub(crate) fn file_preview_action(&mut self, a: Action) -> Vec<Effect> {
        let Some(Overlay::FilePreview(t)) = self.overlay.as_mut() else {
            return vec![];
        };
        match a {
            Action::Up => t.row = t.row.saturating_sub(1),
            Action::Down => t.row = (t.row + 1).min(t.table.rows.len().saturating_sub(1)),
            Action::Left => t.col = t.col.saturating_sub(1),
            Action::Right => t.col = (t.col + 1).min(t.table.columns.len().saturating_sub(1)),
            _ => self.dirty = false,
        }
        vec![]
    }
}
