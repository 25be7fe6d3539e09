//! Drawing and typing: one full frame at 200x60 with 10 and with 100,000
//! history entries (the pane holds only a page of them), and one key press
//! (update + the redraw it causes) into a form holding 100,000 ids.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use ratatui::Terminal;
use ratatui::layout::Rect;
use upexport::export::{Field, FormInput, Format};
use upexport::history::HistoryStore;
use upexport::tui::app::{App, EnvInfo};
use upexport::tui::form::Focus;
use upexport::tui::msg::{Effect, Msg};
use upexport::tui::runner::history::load_page;
use upexport::tui::term::diff_backend::DiffBackend;
use upexport::tui::testing::fixed_clock;

fn main() {
    divan::main();
}

const W: u16 = 200;
const H: u16 = 60;

/// A realistic request body, numbered.
pub const TEMPLATE: &str = r#"{"from":"2026-11-01","to":"2026-11-26","event_type":["track","page_view"],"user_id":["u{n}"],"format":"csv"}"#;

fn env() -> EnvInfo {
    EnvInfo {
        profile: "bench".into(),
        base_url: "http://127.0.0.1:9".into(),
        ..Default::default()
    }
}

fn draft() -> FormInput {
    FormInput {
        format: Some(Format::Csv),
        ..Default::default()
    }
}

/// An app whose history pane shows the newest page of a store of `n`
/// entries, loaded the way the runner loads it.
fn app_with_history(store: &HistoryStore) -> App {
    let mut app = App::new(&draft(), env(), fixed_clock(), Rect::new(0, 0, W, H));
    let mut effects = app.init();
    while let Some(e) = effects.pop() {
        if let Effect::LoadHistory { offset, limit } = e {
            let page = load_page(store, None, offset, limit).expect("page");
            effects.extend(app.update(page.into_msg()));
        }
    }
    app
}

/// A store of `n` synthetic entries.
fn store(n: u64) -> HistoryStore {
    let s = HistoryStore::open_in_memory().expect("store");
    s.fill_synthetic(n, TEMPLATE).expect("fill");
    s
}

/// One whole frame (as after a resize): view, diff against an empty
/// screen, and the bytes for the terminal. 10 entries fill a sixth of the
/// pane; from about 55 on it is full, so 100 vs 100,000 shows what the
/// store's size costs.
#[divan::bench(args = [10, 100, 100_000])]
fn full_frame_200x60(bencher: Bencher, entries: u64) {
    let app = app_with_history(&store(entries));
    assert_eq!(app.history.total, entries);
    let mut term = Terminal::new(DiffBackend::with_size(Vec::new(), W, H)).expect("terminal");
    bencher.bench_local(|| {
        term.clear().expect("clear");
        term.draw(|f| upexport::tui::view::draw(f, &app))
            .expect("draw");
        let out = std::mem::take(term.backend_mut().writer_mut());
        divan::black_box(out.len())
    });
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// An app with 100,000 user ids pasted, focused on `field`.
fn big_form(field: Field) -> App {
    let mut app = App::new(&draft(), env(), fixed_clock(), Rect::new(0, 0, W, H));
    while app.focus != Focus::Field(Field::UserId) {
        app.update(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    }
    let ids: String = (0..100_000).map(|i| format!("user-{i:06}\n")).collect();
    app.update(Msg::Paste(ids));
    while app.focus != Focus::Field(field) {
        app.update(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)));
    }
    app
}

/// One printable key typed into a text field of a form holding 100,000
/// ids (in the Emails field, and at the end of the ids themselves): the
/// update, its effects (the draft copy), and the redraw.
#[divan::bench(args = ["emails", "user_ids"])]
fn key_press_with_100k_ids(bencher: Bencher, into: &str) {
    let field = if into == "emails" {
        Field::Emails
    } else {
        Field::UserId
    };
    let mut app = big_form(field);
    let mut term = Terminal::new(DiffBackend::with_size(Vec::new(), W, H)).expect("terminal");
    term.draw(|f| upexport::tui::view::draw(f, &app))
        .expect("draw");
    let mut n = 0u32;
    bencher.bench_local(|| {
        n += 1;
        // Letters that keep the field valid where it matters.
        let c = if n.is_multiple_of(2) { 'a' } else { 'b' };
        let effects = app.update(key(c));
        term.draw(|f| upexport::tui::view::draw(f, &app))
            .expect("draw");
        term.backend_mut().writer_mut().clear();
        divan::black_box(effects.len())
    });
}
