//! Following a paginated lookup's cursor to the end, safely.
//!
//! The vendor documents the pages (`{"data":[…],"metadata":{"cursor":
//! {"after":…}}}`, next page with `?after_cursor=<after>`) but not how they
//! end; `after: null` on the last page is a guess. Where it is silent, a
//! server may ignore `after_cursor` (every page the first), hand out a new
//! cursor with the same items, repeat a cursor, or overlap its pages. So
//! paging stops at whichever comes first:
//! - `after` missing, `null` or empty, or a page with no items: the end;
//! - a page whose items were all on earlier pages: stopped early;
//! - a cursor handed out before: stopped early;
//! - [`MAX_LOOKUP_PAGES`] pages: stopped early.
//!
//! Items are kept once, by `id` (the vendor's examples give every item of
//! a paginated lookup one; numbers and strings alike: `101` is `"101"`),
//! or by the whole item when it has none. An item repeated within one
//! page is kept as the server sent it; a repeat of an earlier page's item
//! is dropped. A list that stopped early is complete only when it holds
//! at least the `total_count` the server reported (also undocumented as a
//! rule, so it is only trusted to confirm a list, never to cut one short).

use std::collections::HashSet;

use serde_json::Value;

use super::types::LookupPage;

/// The most pages one lookup follows (at the documented 50 items a page:
/// 50,000 items). A list longer than that is shown cut off, with a warning.
pub const MAX_LOOKUP_PAGES: usize = 1_000;

/// Why paging ended before the server said the list was over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyStop {
    /// The last page handed back a cursor given before.
    RepeatedCursor,
    /// The last page held only items of earlier pages (the server may
    /// ignore `after_cursor`).
    NothingNew,
    /// [`MAX_LOOKUP_PAGES`] pages were read and the server had more.
    PageCap,
}

/// Every item of a lookup, each once, and how its paging ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lookup {
    pub items: Vec<Value>,
    /// Pages read (1 for a bare-array lookup).
    pub pages: usize,
    /// Items dropped because an earlier page held them.
    pub repeats: usize,
    /// The server's `total_count` on its last page, if it gave one.
    pub total_count: Option<u64>,
    /// Set when paging stopped before the server said the list was over.
    pub early_stop: Option<EarlyStop>,
}

impl Lookup {
    /// True unless paging stopped early without the server's `total_count`
    /// showing that every item is here. An incomplete list is never cached.
    pub fn is_complete(&self) -> bool {
        self.early_stop.is_none()
            || self
                .total_count
                .is_some_and(|t| self.items.len() as u64 >= t)
    }

    /// What to tell the user when paging stopped early, e.g. `paging
    /// stopped after page 2: it held only items of earlier pages (the server
    /// may ignore after_cursor); 50 of the 120 items the server counts were
    /// read: the list is incomplete`.
    pub fn warning(&self) -> Option<String> {
        let why = match self.early_stop? {
            EarlyStop::RepeatedCursor => "it handed back the cursor of an earlier page".to_owned(),
            EarlyStop::NothingNew => {
                "it held only items of earlier pages (the server may ignore after_cursor)".into()
            }
            EarlyStop::PageCap => format!("that is the limit of {MAX_LOOKUP_PAGES} pages"),
        };
        let n = self.items.len();
        let outcome = match self.total_count {
            Some(t) if n as u64 >= t => format!("all {n} items the server counts are here"),
            Some(t) => {
                format!("{n} of the {t} items the server counts were read: the list is incomplete")
            }
            None => format!("{n} items were read: the list may be incomplete"),
        };
        Some(format!(
            "paging stopped after page {}: {why}; {outcome}",
            self.pages
        ))
    }

    /// The same in a few words, for a one-line note: `incomplete: paging
    /// stopped at page 2, 50 of 120`, or `paging stopped at page 3, all
    /// 120 here`.
    pub fn short_warning(&self) -> Option<String> {
        self.early_stop?;
        let n = self.items.len();
        let p = self.pages;
        Some(match self.total_count {
            Some(t) if n as u64 >= t => format!("paging stopped at page {p}, all {n} here"),
            Some(t) => format!("incomplete: paging stopped at page {p}, {n} of {t}"),
            None => format!("may be incomplete: paging stopped at page {p}, {n} read"),
        })
    }
}

/// What makes two items the same: the `id` as text, else the whole item.
fn identity(item: &Value) -> String {
    match item.get("id") {
        Some(Value::String(s)) => format!("id:{s}"),
        Some(n @ Value::Number(_)) => format!("id:{n}"),
        _ => format!("item:{item}"),
    }
}

/// The paging state of one lookup: feed it each page, follow the cursor it
/// gives back, then take the [`Lookup`].
#[derive(Debug)]
pub(crate) struct Pager {
    lookup: Lookup,
    max_pages: usize,
    cursors: HashSet<String>,
    /// The identities of the items kept; made when a second page is asked
    /// for (a one-page lookup needs none).
    seen: Option<HashSet<String>>,
}

impl Pager {
    pub(crate) fn new(max_pages: usize) -> Pager {
        Pager {
            lookup: Lookup::default(),
            max_pages: max_pages.max(1),
            cursors: HashSet::new(),
            seen: None,
        }
    }

    /// Take one page; the cursor of the next page to ask for, or `None`
    /// when paging is over (see the module's rules).
    pub(crate) fn take(&mut self, page: LookupPage) -> Option<String> {
        let l = &mut self.lookup;
        l.pages += 1;
        if let Some(t) = page
            .metadata
            .total_count
            .as_deref()
            .and_then(|t| t.trim().parse::<u64>().ok())
        {
            l.total_count = Some(t);
        }
        let next = page.metadata.cursor.after.filter(|a| !a.trim().is_empty());
        let empty = page.data.is_empty();
        let added = match &mut self.seen {
            None => {
                let n = page.data.len();
                l.items.extend(page.data);
                n
            }
            Some(seen) => {
                let mut added = 0;
                for item in page.data {
                    if seen.insert(identity(&item)) {
                        l.items.push(item);
                        added += 1;
                    } else {
                        l.repeats += 1;
                    }
                }
                added
            }
        };
        if l.pages > 1 && !empty && added == 0 {
            l.early_stop = Some(EarlyStop::NothingNew);
            return None;
        }
        let next = next.filter(|_| !empty)?;
        if !self.cursors.insert(next.clone()) {
            l.early_stop = Some(EarlyStop::RepeatedCursor);
            return None;
        }
        if l.pages >= self.max_pages {
            l.early_stop = Some(EarlyStop::PageCap);
            return None;
        }
        if self.seen.is_none() {
            self.seen = Some(l.items.iter().map(identity).collect());
        }
        Some(next)
    }

    pub(crate) fn finish(self) -> Lookup {
        self.lookup
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(ids: &[u64], after: Option<&str>, total: Option<u64>) -> LookupPage {
        serde_json::from_value(json!({
            "data": ids.iter().map(|i| json!({"id": i})).collect::<Vec<_>>(),
            "metadata": {"cursor": {"after": after}, "total_count": total},
        }))
        .unwrap()
    }

    fn ids(l: &Lookup) -> Vec<u64> {
        l.items
            .iter()
            .map(|v| match &v["id"] {
                Value::String(s) => s.parse().unwrap(),
                n => n.as_u64().unwrap(),
            })
            .collect()
    }

    #[test]
    fn a_plain_list_ends_on_a_null_cursor_or_an_empty_page() {
        let mut p = Pager::new(10);
        assert_eq!(
            p.take(page(&[1, 2], Some("a"), Some(4))).as_deref(),
            Some("a")
        );
        assert_eq!(p.take(page(&[3, 4], None, Some(4))), None);
        let l = p.finish();
        assert_eq!(ids(&l), [1, 2, 3, 4]);
        assert!(l.is_complete() && l.warning().is_none());

        let mut p = Pager::new(10);
        p.take(page(&[1], Some("a"), None));
        assert_eq!(p.take(page(&[], Some("b"), None)), None, "empty page ends");
        let l = p.finish();
        assert_eq!((l.pages, l.early_stop), (2, None));
    }

    #[test]
    fn repeats_are_dropped_by_id_across_pages_only() {
        let mut p = Pager::new(10);
        p.take(page(&[1, 2, 2], Some("a"), None));
        let mut second = page(&[2, 3], None, None);
        second.data[1] = json!({"id": "1", "title": "1 as text"});
        second.data.push(json!({"id": 4}));
        p.take(second);
        let l = p.finish();
        assert_eq!(
            ids(&l),
            [1, 2, 2, 4],
            "within page 1 as sent; 2 and \"1\" dropped"
        );
        assert_eq!(l.repeats, 2);
    }

    #[test]
    fn items_without_an_id_are_compared_whole() {
        let mut p = Pager::new(10);
        let mut a = page(&[], Some("a"), None);
        a.data = vec![json!({"key": "x"}), json!({"key": "y"})];
        p.take(a);
        let mut b = page(&[], None, None);
        b.data = vec![json!({"key": "x"}), json!({"key": "y", "extra": 1})];
        p.take(b);
        assert_eq!(p.finish().items.len(), 3);
    }

    #[test]
    fn early_stops_and_whether_the_list_is_complete() {
        // Same cursor again: stopped; total_count not reached.
        let mut p = Pager::new(10);
        p.take(page(&[1, 2], Some("a"), Some(3)));
        assert_eq!(p.take(page(&[3], Some("a"), Some(3))), None);
        let l = p.finish();
        assert_eq!(l.early_stop, Some(EarlyStop::RepeatedCursor));
        assert!(l.is_complete(), "3 of 3");
        assert!(
            l.warning().unwrap().contains("all 3 items"),
            "{:?}",
            l.warning()
        );

        // Fresh cursor, nothing new: stopped, incomplete (no total).
        let mut p = Pager::new(10);
        p.take(page(&[1, 2], Some("a"), None));
        assert_eq!(p.take(page(&[1, 2], Some("b"), None)), None);
        let l = p.finish();
        assert_eq!(l.early_stop, Some(EarlyStop::NothingNew));
        assert!(!l.is_complete());
        assert_eq!(ids(&l), [1, 2]);
        assert_eq!(
            l.warning().unwrap(),
            "paging stopped after page 2: it held only items of earlier pages (the server \
             may ignore after_cursor); 2 items were read: the list may be incomplete"
        );

        // The cap.
        let mut p = Pager::new(3);
        for i in 0..3u64 {
            let next = p.take(page(&[i], Some(&format!("c{i}")), Some(100)));
            assert_eq!(next.is_some(), i < 2);
        }
        let l = p.finish();
        assert_eq!((l.pages, l.early_stop), (3, Some(EarlyStop::PageCap)));
        assert!(!l.is_complete());
        assert_eq!(
            l.short_warning().unwrap(),
            "incomplete: paging stopped at page 3, 3 of 100"
        );
    }
}
