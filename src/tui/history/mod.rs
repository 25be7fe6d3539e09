//! The history pane's state: a window of entries around what is visible
//! (never the whole table), the selection and the scroll position.

mod update;
pub mod view;

use crate::history::Entry;

/// Entries kept beyond the visible ones, above and below.
pub const MARGIN: u64 = 50;

#[derive(Clone, Debug, Default)]
pub struct HistoryPane {
    /// Number of entries in the store.
    pub total: u64,
    /// Absolute index (0 = newest) of `entries[0]`.
    pub window_start: u64,
    pub entries: Vec<Entry>,
    /// One-line request summaries, parallel to `entries` (made once per
    /// page, not per frame).
    pub summaries: Vec<String>,
    /// Ids of `sending` entries whose writer is gone (found at load time,
    /// so drawing never looks at processes).
    pub orphans: std::collections::HashSet<i64>,
    /// Selected entry (absolute index).
    pub selected: u64,
    /// First visible entry (absolute index).
    pub top: u64,
    /// A page read is on its way.
    pub loading: bool,
    /// Why the store could not be read, if it could not.
    pub error: Option<String>,
    /// No store file existed at start (a first run): the history is known
    /// to be empty before the first read answers.
    pub known_empty: bool,
}

impl HistoryPane {
    /// The cached entry at absolute index `i`.
    pub fn get(&self, i: u64) -> Option<&Entry> {
        let rel = i.checked_sub(self.window_start)?;
        self.entries.get(usize::try_from(rel).ok()?)
    }

    /// True for a `sending` entry whose writer is gone: outcome unknown.
    pub fn is_orphan(&self, id: i64) -> bool {
        self.orphans.contains(&id)
    }

    /// The cached summary at absolute index `i`.
    pub fn summary(&self, i: u64) -> Option<&str> {
        let rel = i.checked_sub(self.window_start)?;
        self.summaries
            .get(usize::try_from(rel).ok()?)
            .map(String::as_str)
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.get(self.selected)
    }

    /// Move the selection by `delta` and keep it on screen (`visible`
    /// entries fit). Returns the page to load when the cache does not cover
    /// what is now visible.
    pub fn move_by(&mut self, delta: i64, visible: u64) -> Option<(u64, u32)> {
        if self.total == 0 {
            return None;
        }
        let last = self.total - 1;
        self.selected = (self.selected as i64 + delta).clamp(0, last as i64) as u64;
        self.scroll_into_view(visible);
        self.needed_page(visible)
    }

    pub fn scroll_into_view(&mut self, visible: u64) {
        let visible = visible.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + visible {
            self.top = self.selected + 1 - visible;
        }
        let max_top = self.total.saturating_sub(visible);
        self.top = self.top.min(max_top);
    }

    /// The (offset, limit) to read if the visible range is not cached.
    pub fn needed_page(&self, visible: u64) -> Option<(u64, u32)> {
        let end = (self.top + visible).min(self.total);
        let cached_end = self.window_start + self.entries.len() as u64;
        let covered = self.top >= self.window_start && end <= cached_end;
        if covered || self.loading {
            return None;
        }
        Some(self.page_around(visible))
    }

    /// A page centred on what is visible.
    pub fn page_around(&self, visible: u64) -> (u64, u32) {
        let offset = self.top.saturating_sub(MARGIN);
        let limit = (visible + 2 * MARGIN) as u32;
        (offset, limit)
    }

    /// Take a page read from the store.
    pub fn loaded(&mut self, offset: u64, entries: Vec<Entry>, total: u64, visible: u64) {
        // Keep the selection on the same entry when new ones land on top
        // (the newest stays selected when it was).
        let keep = (self.selected > 0)
            .then(|| self.selected_entry().map(|e| e.id))
            .flatten();
        if let Some(pos) = keep.and_then(|id| entries.iter().position(|e| e.id == id)) {
            let moved = offset + pos as u64;
            self.top = (self.top + moved).saturating_sub(self.selected);
            self.selected = moved;
        }
        self.loading = false;
        self.error = None;
        self.total = total;
        self.window_start = offset;
        self.summaries = entries.iter().map(summary_of).collect();
        self.entries = entries;
        if total == 0 {
            self.selected = 0;
            self.top = 0;
        } else {
            self.selected = self.selected.min(total - 1);
        }
        self.scroll_into_view(visible);
    }
}

/// The one-line summary of an entry's request.
pub fn summary_of(e: &Entry) -> String {
    serde_json::from_str::<crate::export::ExportRequest>(&e.request_json)
        .map(|r| r.summary())
        .unwrap_or_else(|_| "(request not readable)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64) -> Entry {
        Entry {
            id,
            created_at: chrono::Utc::now(),
            source: "tui".into(),
            profile: "p".into(),
            base_url: "http://127.0.0.1:9/".into(),
            request_json: "{}".into(),
            state: crate::history::EntryState::Failed,
            pid: None,
            finished_at: None,
            created: None,
            failed: None,
            job: None,
            conflicts: 0,
            sent_at: None,
        }
    }

    #[test]
    fn the_selection_stays_on_its_entry_when_new_ones_arrive() {
        let mut p = HistoryPane::default();
        p.loaded(0, (1..=5).rev().map(entry).collect(), 5, 10);
        p.move_by(2, 10);
        assert_eq!(p.selected_entry().map(|e| e.id), Some(3));
        // Two new attempts land on top.
        p.loaded(0, (1..=7).rev().map(entry).collect(), 7, 10);
        assert_eq!(p.selected_entry().map(|e| e.id), Some(3));
        assert_eq!(p.selected, 4);
        // At the top, the newest stays selected.
        p.move_by(-10, 10);
        p.loaded(0, (1..=8).rev().map(entry).collect(), 8, 10);
        assert_eq!(p.selected_entry().map(|e| e.id), Some(8));
    }

    #[test]
    fn moving_past_the_cache_asks_for_a_page() {
        let mut p = HistoryPane {
            total: 1000,
            ..Default::default()
        };
        p.loaded(0, Vec::new(), 1000, 10);
        // Nothing cached: a page around the top.
        assert_eq!(p.needed_page(10), Some((0, 110)));
        p.window_start = 0;
        p.entries = vec![];
        let page = p.move_by(500, 10);
        assert_eq!(p.selected, 500);
        assert_eq!(p.top, 491);
        assert_eq!(page, Some((441, 110)));
        p.move_by(10_000, 10);
        assert_eq!((p.selected, p.top), (999, 990));
        p.move_by(-10_000, 10);
        assert_eq!((p.selected, p.top), (0, 0));
    }
}
