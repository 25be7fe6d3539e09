//! A reader that panics on bad input must not take the program down: the
//! Parquet and Avro crates decode bytes from outside, and a panic in them
//! would otherwise end the TUI (its panic hook gives the terminal back and
//! the screen is gone).
//!
//! [`contained`] runs the reading under `catch_unwind` and marks the thread
//! as quiet; the panic hook, wrapped once on the first preview (never at
//! start), skips the previous hook for a quiet thread and keeps the message
//! for the error instead. Panics anywhere else go to the previous hook as
//! before.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static WRAP_HOOK: Once = Once::new();

/// `f()`, or the message of the panic that stopped it.
pub fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    WRAP_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let what = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                let text = crate::api::sanitise(&what, 200);
                tracing::warn!(location = ?info.location(), "file preview: a reader panicked: {text}");
                MESSAGE.with(|m| *m.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    out.map_err(|_| {
        MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| "a panic".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_the_thread_goes_on() {
        let r: Result<(), String> = contained(|| panic!("bad page {}", 7));
        assert_eq!(r.unwrap_err(), "bad page 7");
        assert_eq!(contained(|| 5).unwrap(), 5);
        assert!(!QUIET.with(Cell::get), "quiet only while contained");
    }
}
