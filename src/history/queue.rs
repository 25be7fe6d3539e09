//! The export queue: requests waiting to be submitted one after another,
//! kept in the history database so they survive a restart.
//!
//! An item goes `waiting` → `submitting` (claimed by one process, with its
//! pid) → `submitted` (with the history attempt that created its job) or
//! `failed` (with a message). A claim is one conditional `UPDATE`, so two
//! processes never submit the same item. Submitted and failed items stay
//! listed until [`HistoryStore::queue_clear_done`].
//!
//! A claim whose process is gone is settled on the next
//! [`HistoryStore::queue_list`] or [`HistoryStore::queue_next`] by looking
//! for the attempt that process recorded for the item: a created job makes
//! the item `submitted`, an attempt whose outcome is unknown makes it
//! `failed` (it may have been created: never sent twice), anything else
//! puts it back to `waiting`.

use std::fmt;

use crate::api::ErrorKind;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::HistoryStore;
use super::entry::{fmt_time, parse_time, process_gone};
use super::error::HistoryError;

/// Where a queued export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueState {
    /// Waiting its turn.
    Waiting,
    /// Claimed by a process that is submitting it (or waiting for the
    /// environment to be free first).
    Submitting,
    /// Its job was created (see `attempt_id`).
    Submitted,
    /// It could not be submitted (see `message`).
    Failed,
}

impl QueueState {
    /// The word stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Waiting => "waiting",
            QueueState::Submitting => "submitting",
            QueueState::Submitted => "submitted",
            QueueState::Failed => "failed",
        }
    }

    /// Inverse of [`QueueState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(QueueState::Waiting),
            "submitting" => Some(QueueState::Submitting),
            "submitted" => Some(QueueState::Submitted),
            "failed" => Some(QueueState::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for QueueState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One queued export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedExport {
    pub id: i64,
    /// Order in the queue (smaller first); not contiguous.
    pub position: i64,
    pub profile: String,
    /// The base URL when it was added (the profile's at submit time is used).
    pub base_url: String,
    /// The exact body to send.
    pub request_json: String,
    pub added_at: DateTime<Utc>,
    pub state: QueueState,
    /// Its history attempt: the one that created its job, once submitted;
    /// while it waits after a 409, the refused one, which is sent again
    /// (the same row) when its turn comes.
    pub attempt_id: Option<i64>,
    /// Why it failed, or a note on its job (e.g. that the job failed).
    pub message: Option<String>,
}

const QUEUE_COLUMNS: &str =
    "id, position, profile, base_url, request_json, added_at, state, attempt_id, message";

#[derive(Debug, thiserror::Error)]
#[error("unknown queue state '{0}'")]
struct UnknownState(String);

fn bad(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<QueuedExport> {
    let state: String = row.get(6)?;
    let added: String = row.get(5)?;
    Ok(QueuedExport {
        id: row.get(0)?,
        position: row.get(1)?,
        profile: row.get(2)?,
        base_url: row.get(3)?,
        request_json: row.get(4)?,
        added_at: parse_time(&added).map_err(|e| bad(5, e))?,
        state: QueueState::parse(&state).ok_or_else(|| bad(6, UnknownState(state.clone())))?,
        attempt_id: row.get(7)?,
        message: row.get(8)?,
    })
}

/// A `submitting` item as the recovery needs it.
struct Claim {
    id: i64,
    pid: Option<u32>,
    claimed_at: Option<String>,
    request_json: String,
    profile: String,
}

impl HistoryStore {
    fn queue_item(
        &self,
        tx: &Transaction<'_>,
        op: &'static str,
        id: i64,
    ) -> Result<QueuedExport, HistoryError> {
        tx.query_row(
            &format!("SELECT {QUEUE_COLUMNS} FROM queue WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()
        .map_err(self.err(op))?
        .ok_or_else(|| HistoryError::NoSuchQueueItem {
            path: self.location.clone(),
            id,
        })
    }

    fn wrong_state(&self, id: i64, state: QueueState, wanted: &'static str) -> HistoryError {
        HistoryError::QueueItemState {
            path: self.location.clone(),
            id,
            state,
            wanted,
        }
    }

    /// Add an export at the end of the queue (state `waiting`); returns its id.
    pub fn queue_add(
        &self,
        profile: &str,
        base_url: &str,
        request_json: &str,
    ) -> Result<i64, HistoryError> {
        let op = "adding to the queue";
        self.write(op, |tx| {
            tx.execute(
                "INSERT INTO queue (position, profile, base_url, request_json, added_at, state)
                 VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM queue), ?1, ?2, ?3, ?4, 'waiting')",
                params![profile, base_url, request_json, fmt_time(Utc::now())],
            )
            .map_err(self.err(op))?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The queue in order (of one profile, or all), done items included.
    /// Claims of processes that are gone are settled first.
    pub fn queue_list(&self, profile: Option<&str>) -> Result<Vec<QueuedExport>, HistoryError> {
        self.queue_recover()?;
        let op = "listing the queue";
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {QUEUE_COLUMNS} FROM queue WHERE ?1 IS NULL OR profile = ?1
                 ORDER BY position, id"
            ))
            .map_err(self.err(op))?;
        let rows = st.query_map([profile], from_row).map_err(self.err(op))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err(op))
    }

    /// One queued export.
    pub fn queue_get(&self, id: i64) -> Result<Option<QueuedExport>, HistoryError> {
        let op = "reading a queued export";
        self.conn
            .query_row(
                &format!("SELECT {QUEUE_COLUMNS} FROM queue WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()
            .map_err(self.err(op))
    }

    /// Take an item out of the queue. An item being submitted by a running
    /// process cannot be removed.
    pub fn queue_remove(&self, id: i64) -> Result<(), HistoryError> {
        self.queue_recover()?;
        let op = "removing from the queue";
        self.write(op, |tx| {
            let item = self.queue_item(tx, op, id)?;
            if item.state == QueueState::Submitting {
                return Err(self.wrong_state(id, item.state, "waiting, submitted or failed"));
            }
            tx.execute("DELETE FROM queue WHERE id = ?1", [id])
                .map_err(self.err(op))?;
            Ok(())
        })
    }

    /// Move a waiting item `delta` places among the waiting items of its
    /// profile (negative: towards the front). Clamped at both ends.
    pub fn queue_move(&self, id: i64, delta: i64) -> Result<(), HistoryError> {
        let op = "reordering the queue";
        self.write(op, |tx| {
            let item = self.queue_item(tx, op, id)?;
            if item.state != QueueState::Waiting {
                return Err(self.wrong_state(id, item.state, "waiting"));
            }
            let waiting: Vec<(i64, i64)> = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT id, position FROM queue WHERE state = 'waiting' AND profile = ?1
                         ORDER BY position, id",
                    )
                    .map_err(self.err(op))?;
                st.query_map([&item.profile], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(self.err(op))?
                    .collect::<Result<_, _>>()
                    .map_err(self.err(op))?
            };
            let Some(from) = waiting.iter().position(|(i, _)| *i == id) else {
                return Ok(());
            };
            let last = waiting.len().saturating_sub(1) as i64;
            let to = (from as i64).saturating_add(delta).clamp(0, last) as usize;
            if to == from {
                return Ok(());
            }
            // The same set of positions, handed out in the new order: items
            // in other states keep theirs.
            let positions: Vec<i64> = waiting.iter().map(|(_, p)| *p).collect();
            let mut order: Vec<i64> = waiting.iter().map(|(i, _)| *i).collect();
            let moved = order.remove(from);
            order.insert(to, moved);
            for (item_id, pos) in order.iter().zip(positions) {
                tx.execute(
                    "UPDATE queue SET position = ?2 WHERE id = ?1",
                    params![item_id, pos],
                )
                .map_err(self.err(op))?;
            }
            Ok(())
        })
    }

    /// The first waiting item of `profile`, after settling dead claims.
    pub fn queue_next(&self, profile: &str) -> Result<Option<QueuedExport>, HistoryError> {
        self.queue_recover()?;
        let op = "reading the queue";
        self.conn
            .query_row(
                &format!(
                    "SELECT {QUEUE_COLUMNS} FROM queue WHERE state = 'waiting' AND profile = ?1
                     ORDER BY position, id LIMIT 1"
                ),
                [profile],
                from_row,
            )
            .optional()
            .map_err(self.err(op))
    }

    /// Claim a waiting item for this process (`waiting` → `submitting`).
    /// `false` when it is not waiting any more (another process took it,
    /// or it was removed).
    pub fn queue_claim(&self, id: i64) -> Result<bool, HistoryError> {
        let op = "claiming a queued export";
        self.write(op, |tx| {
            let n = tx
                .execute(
                    "UPDATE queue SET state = 'submitting', pid = ?2, claimed_at = ?3, message = NULL
                     WHERE id = ?1 AND state = 'waiting'",
                    params![id, std::process::id(), fmt_time(Utc::now())],
                )
                .map_err(self.err(op))?;
            Ok(n == 1)
        })
    }

    /// A claimed item's job was created by history attempt `attempt_id`.
    pub fn queue_submitted(&self, id: i64, attempt_id: i64) -> Result<(), HistoryError> {
        self.settle(id, "marking a queued export submitted", |tx| {
            tx.execute(
                "UPDATE queue SET state = 'submitted', attempt_id = ?2, message = NULL, pid = NULL
                 WHERE id = ?1 AND state = 'submitting'",
                params![id, attempt_id],
            )
        })
    }

    /// A claimed item could not be submitted.
    pub fn queue_failed(&self, id: i64, message: &str) -> Result<(), HistoryError> {
        self.settle(id, "marking a queued export failed", |tx| {
            tx.execute(
                "UPDATE queue SET state = 'failed', message = ?2, pid = NULL
                 WHERE id = ?1 AND state = 'submitting'",
                params![id, message],
            )
        })
    }

    /// Put a claimed item back to `waiting` (after a 409, on Ctrl-C, …),
    /// keeping its place. `message` says why, for the list.
    pub fn queue_release(&self, id: i64, message: Option<&str>) -> Result<(), HistoryError> {
        self.settle(id, "putting a queued export back", |tx| {
            tx.execute(
                "UPDATE queue SET state = 'waiting', message = ?2, pid = NULL, claimed_at = NULL
                 WHERE id = ?1 AND state = 'submitting'",
                params![id, message],
            )
        })
    }

    /// A claimed item was refused with 409 by history attempt
    /// `attempt_id`: put it back to `waiting` with `message`, remembering
    /// the attempt (sent again, on the same row, when the item's turn
    /// comes).
    pub fn queue_release_after_conflict(
        &self,
        id: i64,
        attempt_id: i64,
        message: &str,
    ) -> Result<(), HistoryError> {
        self.settle(id, "putting a queued export back after a 409", |tx| {
            tx.execute(
                "UPDATE queue SET state = 'waiting', message = ?2, attempt_id = ?3, pid = NULL,
                        claimed_at = NULL
                 WHERE id = ?1 AND state = 'submitting'",
                params![id, message, attempt_id],
            )
        })
    }

    /// While an item waits through a 409 (still claimed): its note, and the
    /// refused attempt, so that it is sent again on the same row even if
    /// this process stops meanwhile.
    pub fn queue_note_conflict(
        &self,
        id: i64,
        attempt_id: i64,
        message: &str,
    ) -> Result<(), HistoryError> {
        let op = "noting a 409 on a queued export";
        self.write(op, |tx| {
            let n = tx
                .execute(
                    "UPDATE queue SET message = ?2, attempt_id = ?3 WHERE id = ?1",
                    params![id, message, attempt_id],
                )
                .map_err(self.err(op))?;
            if n == 0 {
                return Err(HistoryError::NoSuchQueueItem {
                    path: self.location.clone(),
                    id,
                });
            }
            Ok(())
        })
    }

    /// Set (or clear) an item's note without changing its state, e.g.
    /// "waiting for job … to finish" or "its job failed: …".
    pub fn queue_note(&self, id: i64, message: Option<&str>) -> Result<(), HistoryError> {
        let op = "noting on a queued export";
        self.write(op, |tx| {
            let n = tx
                .execute(
                    "UPDATE queue SET message = ?2 WHERE id = ?1",
                    params![id, message],
                )
                .map_err(self.err(op))?;
            if n == 0 {
                return Err(HistoryError::NoSuchQueueItem {
                    path: self.location.clone(),
                    id,
                });
            }
            Ok(())
        })
    }

    /// Remove submitted and failed items (of one profile, or all); returns
    /// how many.
    pub fn queue_clear_done(&self, profile: Option<&str>) -> Result<u64, HistoryError> {
        let op = "clearing the queue";
        self.write(op, |tx| {
            let n = tx
                .execute(
                    "DELETE FROM queue WHERE state IN ('submitted', 'failed')
                     AND (?1 IS NULL OR profile = ?1)",
                    [profile],
                )
                .map_err(self.err(op))?;
            Ok(n as u64)
        })
    }

    /// Settle this process's own claim on `id` when its submitter stopped
    /// half-way (a dropped future, Ctrl-C): like a dead process's claim.
    /// Does nothing unless the item is `submitting` by this process.
    pub fn queue_abandon(&self, id: i64) -> Result<(), HistoryError> {
        let op = "settling an abandoned claim";
        self.write(op, |tx| {
            let claim = self.claims(tx, op, Some(id))?;
            for c in claim {
                if c.pid == Some(std::process::id()) {
                    self.settle_claim(tx, op, &c)?;
                }
            }
            Ok(())
        })
    }

    /// Apply a state change to a `submitting` item; say why when none matched.
    fn settle(
        &self,
        id: i64,
        op: &'static str,
        update: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<(), HistoryError> {
        self.update_one(op, update, |tx| {
            let item = self.queue_item(tx, op, id)?;
            Ok(self.wrong_state(id, item.state, "submitting"))
        })
    }

    fn claims(
        &self,
        tx: &Transaction<'_>,
        op: &'static str,
        only: Option<i64>,
    ) -> Result<Vec<Claim>, HistoryError> {
        let mut st = tx
            .prepare_cached(
                "SELECT id, pid, claimed_at, request_json, profile FROM queue
                 WHERE state = 'submitting' AND (?1 IS NULL OR id = ?1)",
            )
            .map_err(self.err(op))?;
        st.query_map([only], |r| {
            Ok(Claim {
                id: r.get(0)?,
                pid: r.get(1)?,
                claimed_at: r.get(2)?,
                request_json: r.get(3)?,
                profile: r.get(4)?,
            })
        })
        .map_err(self.err(op))?
        .collect::<Result<_, _>>()
        .map_err(self.err(op))
    }

    /// Settle the claims of processes that are gone (see the module docs).
    /// Writes only when there is one.
    fn queue_recover(&self) -> Result<(), HistoryError> {
        let op = "settling claims of stopped processes";
        let dead = |c: &Claim| match c.pid {
            None => true,
            Some(pid) if pid == std::process::id() => false,
            Some(pid) => process_gone(pid),
        };
        let any: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM queue WHERE state = 'submitting')",
                [],
                |r| r.get(0),
            )
            .map_err(self.err(op))?;
        if !any {
            return Ok(());
        }
        self.write(op, |tx| {
            for c in self.claims(tx, op, None)? {
                if dead(&c) {
                    self.settle_claim(tx, op, &c)?;
                }
            }
            Ok(())
        })
    }

    /// Decide what became of a claim whose submitter stopped: find the
    /// attempt it recorded for the item (same process, same body, same
    /// profile, sent — first or again after a 409 — not before the claim),
    /// newest first.
    fn settle_claim(
        &self,
        tx: &Transaction<'_>,
        op: &'static str,
        c: &Claim,
    ) -> Result<(), HistoryError> {
        let attempt: Option<(i64, String, Option<String>)> = match (c.pid, &c.claimed_at) {
            (Some(pid), Some(since)) => tx
                .query_row(
                    "SELECT id, state, error_kind FROM attempts
                     WHERE pid = ?1 AND request_json = ?2 AND profile = ?3
                       AND coalesce(sent_at, created_at) >= ?4
                     ORDER BY id DESC LIMIT 1",
                    params![pid, c.request_json, c.profile, since],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(self.err(op))?,
            _ => None,
        };
        let (state, attempt_id, message) = match attempt {
            Some((id, state, _)) if state == "created" => ("submitted", Some(id), None),
            Some((id, state, _)) if state == "sending" => (
                "failed",
                Some(id),
                Some(format!(
                    "interrupted while sending (history #{id}): the export may have been created; check `{}`, then add it again if it was not",
                    crate::suggest::cmd("jobs")
                )),
            ),
            Some((id, _, Some(kind)))
                if ErrorKind::parse(&kind).is_some_and(ErrorKind::outcome_unknown) =>
            {
                (
                    "failed",
                    Some(id),
                    Some(format!(
                        "{kind} while submitting (history #{id}): the export may have been created; check `{}`, then add it again if it was not",
                        crate::suggest::cmd("jobs")
                    )),
                )
            }
            Some((id, _, Some(kind))) if ErrorKind::parse(&kind) == Some(ErrorKind::HttpError) => (
                "failed",
                Some(id),
                Some(format!("refused by the API; see history #{id}")),
            ),
            // Nothing sent, or refused for reasons not its own (409, 401,
            // server trouble): its turn comes again.
            _ => (
                "waiting",
                None,
                Some("put back: the run that took it stopped before submitting it".to_owned()),
            ),
        };
        tx.execute(
            "UPDATE queue SET state = ?2, attempt_id = COALESCE(?3, attempt_id), message = ?4,
                    pid = NULL, claimed_at = CASE WHEN ?2 = 'waiting' THEN NULL ELSE claimed_at END
             WHERE id = ?1 AND state = 'submitting'",
            params![c.id, state, attempt_id, message],
        )
        .map_err(self.err(op))?;
        Ok(())
    }
}
