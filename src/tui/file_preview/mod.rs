//! The preview of a downloaded file: its first rows as a table (Enter in
//! the downloads view).

pub mod view;

use std::path::PathBuf;

use crate::jobs::file_preview::Table;
use crate::tui::app::{App, Overlay};
use crate::tui::msg::{Effect, Level, Notice};

/// The first rows of a downloaded file.
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    pub path: std::path::PathBuf,
    pub table: Table,
    pub row: usize,
    pub col: usize,
}

impl App {
    pub(crate) fn preview_ready(
        &mut self,
        path: PathBuf,
        result: Result<crate::jobs::file_preview::Table, String>,
    ) -> Vec<Effect> {
        match result {
            Ok(table) => {
                self.overlay = Some(Overlay::Table(TableView {
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
}
