//! Reading history for one profile (environment) only, and what an
//! environment was last known as.

use rusqlite::{OptionalExtension, params};

use super::{Entry, HistoryError, HistoryStore};

/// An environment's name and app token, as the API gave them.
pub type NameAndToken = (Option<String>, Option<String>);

impl HistoryStore {
    /// Entries of `profile` (all when `None`), newest first.
    pub fn page_of(
        &self,
        profile: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Entry>, HistoryError> {
        let Some(p) = profile else {
            return self.page(offset, limit);
        };
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        self.select(
            "reading a page of one profile's entries",
            "WHERE profile = ?3 ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            params![limit, offset, p],
        )
    }

    /// How many entries `profile` has (all when `None`).
    pub fn count_of(&self, profile: Option<&str>) -> Result<u64, HistoryError> {
        let Some(p) = profile else {
            return self.count();
        };
        self.conn
            .query_row(
                "SELECT count(*) FROM attempts WHERE profile = ?1",
                [p],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(self.err("counting one profile's entries"))
    }

    /// The environment name and app token the API last gave for `profile`.
    pub fn last_environment(&self, profile: &str) -> Result<Option<NameAndToken>, HistoryError> {
        self.conn
            .query_row(
                "SELECT environment_name, environment_app_token FROM attempts \
                 WHERE profile = ?1 AND (environment_name IS NOT NULL OR environment_app_token IS NOT NULL) \
                 ORDER BY id DESC LIMIT 1",
                [profile],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err("reading the last environment"))
    }
}

#[cfg(test)]
mod tests {
    use crate::history::{Created, HistoryStore, NewAttempt};

    #[test]
    fn pages_and_counts_by_profile() {
        let s = HistoryStore::open_in_memory().unwrap();
        for (i, p) in ["prod", "eu", "prod", "prod", "eu"].iter().enumerate() {
            let id = s
                .begin_attempt(&NewAttempt {
                    source: "cli",
                    profile: p,
                    base_url: "https://x/",
                    request_json: "{}",
                })
                .unwrap();
            if *p == "eu" {
                s.record_created(
                    id,
                    &Created {
                        job_id: format!("j{i}"),
                        environment_name: Some("EU".into()),
                        environment_app_token: Some(format!("NX-{i}")),
                        start_time: None,
                        links: None,
                    },
                )
                .unwrap();
            }
        }
        assert_eq!(s.count_of(None).unwrap(), 5);
        assert_eq!(s.count_of(Some("prod")).unwrap(), 3);
        let eu: Vec<i64> = s
            .page_of(Some("eu"), 0, 10)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(eu, [5, 2]);
        assert_eq!(s.page_of(Some("prod"), 1, 1).unwrap()[0].id, 3);
        assert_eq!(
            s.last_environment("eu").unwrap(),
            Some((Some("EU".into()), Some("NX-4".into())))
        );
        assert_eq!(s.last_environment("prod").unwrap(), None);
    }
}
