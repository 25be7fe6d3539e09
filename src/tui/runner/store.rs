//! Running work on the history store off the UI thread.

use super::Store;
use crate::history::{HistoryError, HistoryStore};

/// Run `work` with the store on a blocking thread.
pub async fn on_store<T: Send + 'static>(
    store: &Store,
    work: impl FnOnce(&HistoryStore) -> Result<T, HistoryError> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let s = store
            .lock()
            .map_err(|_| "history store lock poisoned".to_owned())?;
        work(&s).map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("history task failed: {e}")))
}
