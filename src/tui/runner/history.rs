//! Reading the history pane's pages from the store, off the UI thread.

use super::Runner;
use crate::history::{Entry, HistoryError, HistoryStore};
use crate::tui::msg::Msg;

/// A page of entries as the pane takes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub offset: u64,
    pub entries: Vec<Entry>,
    /// Entries in the store ([`HistoryStore::count_quick`]).
    pub total: u64,
    /// False when `total` is the id span, not yet a count.
    pub exact: bool,
    /// Ids of `sending` entries whose writer is gone.
    pub orphans: Vec<i64>,
}

impl Page {
    pub fn into_msg(self) -> Msg {
        Msg::HistoryLoaded {
            offset: self.offset,
            entries: self.entries,
            total: self.total,
            orphans: self.orphans,
        }
    }
}

/// Read `limit` entries from `offset` (newest first) and how many there
/// are. Unfiltered, without reading the whole table (see
/// [`HistoryStore::count_quick`]); filtered to one profile, counted exactly.
pub fn load_page(
    store: &HistoryStore,
    only: Option<&str>,
    offset: u64,
    limit: u32,
) -> Result<Page, HistoryError> {
    let (total, exact) = match only {
        None => store.count_quick()?,
        Some(p) => (store.count_of(Some(p))?, true),
    };
    let entries = store.page_of(only, offset, limit)?;
    let orphans = entries
        .iter()
        .filter(|e| e.outcome_unknown())
        .map(|e| e.id)
        .collect();
    Ok(Page {
        offset,
        entries,
        total,
        exact,
        orphans,
    })
}

impl Runner {
    /// Read a page for the history pane (this profile's only when the
    /// pane is filtered).
    pub(super) fn load_history(&self, offset: u64, limit: u32) {
        let only = self.history_filter.clone();
        let early = self.tx.clone();
        self.store_task(
            move |s| {
                let page = load_page(s, only.as_deref(), offset, limit)?;
                if page.exact {
                    return Ok(page);
                }
                // Show the page now with the id span as the total;
                // the count (which reads the whole table, once a
                // session) follows.
                let _ = early.send(page.clone().into_msg());
                let total = s.count()?;
                Ok(Page {
                    total,
                    exact: true,
                    ..page
                })
            },
            |r| r.map_or_else(Msg::HistoryFailed, Page::into_msg),
        );
    }
}
