//! How the workflow reaches the history store, whoever owns it.
//!
//! Every workflow function in [`crate::jobs`] touches the store only in
//! short synchronous steps (a closure over `&HistoryStore`) between its
//! network awaits. The CLI owns a [`HistoryStore`] and runs each step in
//! place; the TUI shares one behind a lock ([`SharedStore`]) and runs each
//! step on a blocking thread, so the screen never waits for SQLite. Both
//! call the very same workflow functions.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::history::{HistoryError, HistoryStore};

/// Somewhere a synchronous store step can run.
pub trait StoreAccess {
    /// Run `step` with the store; its result comes back.
    fn with<T: Send + 'static>(
        &self,
        step: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
    ) -> impl Future<Output = Result<T, HistoryError>>;
}

/// The CLI's way: the step runs at once on this thread.
impl StoreAccess for HistoryStore {
    async fn with<T: Send + 'static>(
        &self,
        step: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
    ) -> Result<T, HistoryError> {
        step(self)
    }
}

/// A store shared between the UI thread and background tasks (rusqlite
/// connections are `Send` but not `Sync`).
#[derive(Clone)]
pub struct SharedStore(Arc<Mutex<HistoryStore>>);

impl SharedStore {
    pub fn new(store: HistoryStore) -> SharedStore {
        SharedStore(Arc::new(Mutex::new(store)))
    }

    /// Run `step` with the store on this thread (for code that is on a
    /// blocking thread already).
    pub fn blocking<T>(
        &self,
        step: impl FnOnce(&HistoryStore) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let guard = self.0.lock().map_err(|_| HistoryError::Unavailable {
            problem: "a thread panicked while using it".into(),
        })?;
        step(&guard)
    }
}

/// The TUI's way: the step runs on a blocking thread, holding the lock.
impl StoreAccess for SharedStore {
    #[allow(refining_impl_trait)]
    fn with<T: Send + 'static>(
        &self,
        step: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
    ) -> impl Future<Output = Result<T, HistoryError>> + Send + 'static {
        let store = self.clone();
        async move {
            tokio::task::spawn_blocking(move || store.blocking(step))
                .await
                .unwrap_or_else(|e| {
                    Err(HistoryError::Unavailable {
                        problem: format!("its worker thread failed ({e})"),
                    })
                })
        }
    }
}
