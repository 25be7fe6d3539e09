//! The preview of a downloaded file (Enter in the downloads view): its
//! format, row count and first rows as a table, and its schema (Tab).

pub mod view;

use std::path::PathBuf;

use crate::jobs::file_preview::Preview;
use crate::tui::app::{App, Overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

/// A downloaded file's preview and where the view is.
#[derive(Clone, Debug, PartialEq)]
pub struct FilePreview {
    pub path: PathBuf,
    pub preview: Box<Preview>,
    /// First row shown (of the table, or of the schema list).
    pub row: usize,
    /// First column shown.
    pub col: usize,
    /// The schema list instead of the table.
    pub schema: bool,
}

impl FilePreview {
    /// Lines the Up/Down keys move through.
    fn lines(&self) -> usize {
        if self.schema {
            self.preview.schema.columns.len()
        } else {
            self.preview.rows.len()
        }
    }
}

impl App {
    pub(crate) fn file_preview_loaded(
        &mut self,
        path: PathBuf,
        result: Result<Box<Preview>, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(preview) => {
                self.overlay = Some(Overlay::FilePreview(FilePreview {
                    path,
                    preview,
                    row: 0,
                    col: 0,
                    schema: false,
                }))
            }
            Err(e) => {
                self.status = Some(Notice::new(
                    Level::Error,
                    // `e` starts with the file's name.
                    format!("cannot preview {e}"),
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
            Action::Down => t.row = (t.row + 1).min(t.lines().saturating_sub(1)),
            Action::Left if !t.schema => t.col = t.col.saturating_sub(1),
            Action::Right if !t.schema => {
                t.col = (t.col + 1).min(t.preview.schema.columns.len().saturating_sub(1))
            }
            Action::Toggle => {
                t.schema = !t.schema;
                t.row = 0;
            }
            _ => self.dirty = false,
        }
        vec![]
    }
}
