//! Background start-up: a value made off the UI thread, on first use or
//! started at once. The history store and the API client (loading CA
//! certificates, running a key command) are not needed for the first
//! frame, so they never delay it.

use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

type Init<T> = Box<dyn FnOnce() -> Result<T, String> + Send>;

/// A shared, lazily made `Result<T, String>`.
pub struct Deferred<T> {
    cell: Arc<OnceCell<Result<T, String>>>,
    init: Arc<Mutex<Option<Init<T>>>>,
}

impl<T> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        Deferred {
            cell: self.cell.clone(),
            init: self.init.clone(),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> Deferred<T> {
    /// Already made.
    pub fn ready(value: Result<T, String>) -> Deferred<T> {
        Deferred {
            cell: Arc::new(OnceCell::new_with(Some(value))),
            init: Arc::new(Mutex::new(None)),
        }
    }

    /// Made by `f` on a blocking thread the first time it is needed.
    pub fn later(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Deferred<T> {
        Deferred {
            cell: Arc::new(OnceCell::new()),
            init: Arc::new(Mutex::new(Some(Box::new(f)))),
        }
    }

    /// Made by `f` on its own thread, starting now (the history store:
    /// opened while the terminal is set up, so the first frame can show
    /// it); [`Deferred::get`] waits for it.
    pub fn started(
        name: &str,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Deferred<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = tx.send(f());
            });
        match spawned {
            Ok(_) => Deferred::later(move || {
                rx.recv()
                    .unwrap_or_else(|_| Err("setup ended without a result".into()))
            }),
            Err(e) => Deferred::ready(Err(format!("cannot start a thread: {e}"))),
        }
    }

    /// The value, making it if needed (concurrent callers wait for one make).
    pub async fn get(&self) -> Result<T, String> {
        let init = self.init.clone();
        self.cell
            .get_or_init(|| async move {
                let f = init.lock().ok().and_then(|mut g| g.take());
                match f {
                    Some(f) => tokio::task::spawn_blocking(f)
                        .await
                        .unwrap_or_else(|e| Err(format!("setup failed: {e}"))),
                    None => Err("setup already failed".into()),
                }
            })
            .await
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn made_once_and_shared() {
        let count = Arc::new(Mutex::new(0));
        let c = count.clone();
        let lazy = Deferred::later(move || {
            *c.lock().unwrap() += 1;
            Ok(7)
        });
        let other = lazy.clone();
        assert_eq!(lazy.get().await, Ok(7));
        assert_eq!(other.get().await, Ok(7));
        assert_eq!(*count.lock().unwrap(), 1);
        assert_eq!(
            Deferred::<u8>::ready(Err("no".into())).get().await,
            Err("no".into())
        );
    }

    #[tokio::test]
    async fn started_runs_before_anyone_asks() {
        let (tx, rx) = std::sync::mpsc::channel();
        let lazy = Deferred::started("test-started", move || {
            tx.send(()).unwrap();
            Ok(9)
        });
        // The thread runs without a `get`…
        rx.recv().unwrap();
        // …and `get` then hands over its result, also to clones.
        assert_eq!(lazy.clone().get().await, Ok(9));
        assert_eq!(lazy.get().await, Ok(9));
    }
}
