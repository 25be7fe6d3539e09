//! Reading the history pane's pages from the store, off the UI thread.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc::UnboundedSender;

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

/// The newest history read asked for. Each read runs on its own blocking
/// task, so two reads (after `SubmitStarted` and `SubmitDone`, say) can end
/// in either order; a read sends its pages only while it is still the
/// newest, checked and sent under one lock, so the pane never shows an
/// older page after a newer one.
#[derive(Clone, Default)]
pub(super) struct NewestRead(Arc<Mutex<u64>>);

impl NewestRead {
    /// Start a read; its number.
    fn start(&self) -> u64 {
        let mut n = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *n += 1;
        *n
    }

    /// Send `msg` if read `n` is still the newest.
    fn send_if_newest(&self, n: u64, tx: &UnboundedSender<Msg>, msg: Msg) {
        let newest = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if *newest == n {
            let _ = tx.send(msg);
        }
    }
}

impl Runner {
    /// Read a page for the history pane (this profile's only when the
    /// pane is filtered).
    pub(super) fn load_history(&self, offset: u64, limit: u32) {
        let only = self.history_filter.clone();
        let n = self.history_reads.start();
        let (newest, tx, store) = (
            self.history_reads.clone(),
            self.tx.clone(),
            self.store.clone(),
        );
        tokio::spawn(async move {
            let (early, early_tx) = (newest.clone(), tx.clone());
            let read = move |s: &HistoryStore| {
                let page = load_page(s, only.as_deref(), offset, limit)?;
                if page.exact {
                    return Ok(page);
                }
                // Show the page now with the id span as the total; the
                // count (which reads the whole table, once a session)
                // follows.
                early.send_if_newest(n, &early_tx, page.clone().into_msg());
                let total = s.count()?;
                Ok(Page {
                    total,
                    exact: true,
                    ..page
                })
            };
            let result = match store.get().await {
                Ok(s) => super::on_store(&s, read).await,
                Err(e) => Err(e),
            };
            newest.send_if_newest(
                n,
                &tx,
                result.map_or_else(Msg::HistoryFailed, Page::into_msg),
            );
        });
    }
}
