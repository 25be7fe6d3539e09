//! The diffing backend draws exactly what ratatui means: its bytes, fed to a
//! terminal emulator (vt100), give the same screen as `TestBackend`, frame
//! after frame; and typing a character costs a handful of bytes.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use upexport::tui::term::diff_backend::DiffBackend;
use upexport::tui::testing::{Harness, buffer_text};

struct Diff {
    term: Terminal<DiffBackend<Vec<u8>>>,
    vt: vt100::Parser,
}

impl Diff {
    fn new(w: u16, h: u16) -> Diff {
        Diff {
            term: Terminal::new(DiffBackend::with_size(Vec::new(), w, h)).unwrap(),
            vt: vt100::Parser::new(
                std::num::NonZeroU16::new(h).unwrap(),
                std::num::NonZeroU16::new(w).unwrap(),
                0,
            ),
        }
    }

    /// Draw the harness's app; return the bytes written.
    fn draw(&mut self, h: &Harness) -> usize {
        self.term
            .draw(|f| upexport::tui::view::draw(f, h.app()))
            .unwrap();
        let bytes = std::mem::take(self.term.backend_mut().writer_mut());
        self.vt.process(&bytes);
        bytes.len()
    }

    fn screen(&self) -> String {
        let s = self.vt.screen();
        let (rows, cols) = s.size();
        let (rows, cols): (u16, u16) = (rows.into(), cols.into());
        let mut out = String::new();
        for r in 0..rows {
            let mut line = String::new();
            let mut c = 0;
            while c < cols {
                match s.cell(r, c) {
                    Some(cell) if cell.is_wide_continuation() => {}
                    Some(cell) => {
                        let t = cell.contents();
                        line.push_str(if t.is_empty() { " " } else { t });
                    }
                    None => line.push(' '),
                }
                c += 1;
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Cells whose reverse-video flag differs from the reference buffer.
    fn reverse_mismatches(&self, h: &mut Harness) -> Vec<(u16, u16)> {
        h.screen();
        let buf = h.terminal.backend().buffer().clone();
        let s = self.vt.screen();
        let mut bad = Vec::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let want = buf[(x, y)]
                    .modifier
                    .contains(ratatui::style::Modifier::REVERSED);
                let got = s.cell(y, x).is_some_and(|c| c.inverse());
                if want != got && !buf[(x, y)].symbol().trim().is_empty() {
                    bad.push((x, y));
                }
            }
        }
        bad
    }
}

async fn check(h: &mut Harness, diff: &mut Diff, what: &str) {
    diff.draw(h);
    let want = h.screen();
    assert_eq!(
        diff.screen(),
        want,
        "{what}: the terminal shows something else"
    );
    assert!(
        diff.reverse_mismatches(h).is_empty(),
        "{what}: reverse video differs"
    );
}

#[tokio::test]
async fn the_diffed_output_shows_the_same_screens() {
    for (w, ht) in [(80, 24), (120, 40)] {
        let mut h = Harness::new(
            w,
            ht,
            upexport::history::HistoryStore::open_in_memory().unwrap(),
            None,
            env(),
            &csv_draft(),
        );
        let mut diff = Diff::new(w, ht);
        check(&mut h, &mut diff, "empty form").await;
        h.type_text("2026-11-01");
        check(&mut h, &mut diff, "typed").await;
        h.key(KeyCode::Tab);
        h.type_text("2026-10-01");
        h.ctrl('s');
        check(&mut h, &mut diff, "errors").await;
        h.key(KeyCode::Enter);
        check(&mut h, &mut diff, "calendar").await;
        h.key(KeyCode::Esc);
        h.key(KeyCode::F(1));
        check(&mut h, &mut diff, "help").await;
        h.key(KeyCode::Esc);
        h.type_text("日本語 é");
        check(&mut h, &mut diff, "wide and combining text").await;
        let _ = buffer_text;
    }
}

#[tokio::test]
async fn a_typed_character_costs_its_cell_and_little_more() {
    let mut h = Harness::new(
        120,
        40,
        upexport::history::HistoryStore::open_in_memory().unwrap(),
        None,
        env(),
        &csv_draft(),
    );
    let mut diff = Diff::new(120, 40);
    // Into Exclusions: no list count, the body preview shows the text.
    for _ in 0..8 {
        h.key(KeyCode::Tab);
    }
    diff.draw(&h);
    let mut costs = Vec::new();
    for c in "abcdefghijklmnopqrst".chars() {
        h.key(KeyCode::Char(c));
        costs.push(diff.draw(&h));
    }
    // First key: the placeholder goes and the body preview gains a line.
    let steady = &costs[2..];
    let worst = steady.iter().max().copied().unwrap_or(0);
    eprintln!("bytes per typed character: {costs:?}");
    assert!(worst <= 32, "bytes per typed character: {costs:?}");
    assert_eq!(diff.screen(), h.screen());
}
