//! A form holding a very long list (a pasted column of 100,000 ids) draws
//! and checks the same as a short one: the tail scrolls into view while
//! focused, the head shows otherwise, bad emails are marked where they are
//! drawn, and the count and body preview follow every edit.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use upexport::export::Field;
use upexport::tui::app::App;
use upexport::tui::form::Focus;
use upexport::tui::testing::buffer_text;
use upexport::tui::theme::Theme;

fn draw(app: &App) -> (String, ratatui::buffer::Buffer) {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| upexport::tui::view::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (buffer_text(&buf), buf)
}

fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no row {label}:\n{screen}"))
}

fn focus(a: &mut App, field: Field) {
    while a.focus != Focus::Field(field) {
        a.update(key(KeyCode::Tab));
    }
}

#[test]
fn a_hundred_thousand_ids_scroll_count_and_preview() {
    let mut a = app_sized(200, 60);
    a.theme = Theme::MONO;
    focus(&mut a, Field::UserId);
    let ids: String = (0..100_000).map(|i| format!("u{i}\n")).collect();
    a.update(upexport::tui::msg::Msg::Paste(ids));
    assert_eq!(a.form.count(Field::UserId), 100_000);

    let (screen, _) = draw(&a);
    let line = row(&screen, "User IDs");
    assert!(line.contains("User IDs 100000"), "{line}");
    // Focused, cursor at the end: the tail is in view after a leading …
    assert!(line.contains("…"), "{line}");
    assert!(line.contains("u99998, u99999"), "{line}");
    assert!(!line.contains("u0, u1,"), "{line}");
    // The live body shows the first ids.
    assert!(screen.contains("\"u0\","), "{screen}");

    // Typing goes to the end and is counted.
    for c in ", extra".chars() {
        a.update(ch(c));
    }
    assert_eq!(a.form.count(Field::UserId), 100_001);
    let (screen, _) = draw(&a);
    assert!(
        row(&screen, "User IDs").contains("u99999, extra"),
        "{screen}"
    );

    let input = a.form.input(Field::UserId).unwrap();
    assert_eq!(
        a.form.visual(Field::UserId, 150),
        (input.visual_scroll(150), input.visual_cursor())
    );

    // Elsewhere, the field shows its head and is cut with a …
    focus(&mut a, Field::Emails);
    for c in "ana@example.com".chars() {
        a.update(ch(c));
    }
    assert_eq!(a.form.count(Field::UserId), 100_001);
    assert_eq!(a.form.count(Field::Emails), 1);
    let (screen, _) = draw(&a);
    let line = row(&screen, "User IDs");
    assert!(line.contains("u0, u1, u2"), "{line}");
    let form_part = line.split('│').nth(1).unwrap_or("");
    assert!(form_part.trim_end().ends_with('…'), "{line}");
}

#[test]
fn bad_emails_are_marked_where_a_scrolled_field_draws_them() {
    let mut a = app_sized(120, 40);
    a.theme = Theme::MONO;
    focus(&mut a, Field::Emails);
    let good: String = (0..40).map(|i| format!("user{i}@example.com, ")).collect();
    let text = format!("{good}bad-one, last@example.com, nope@");
    for c in text.chars() {
        a.update(ch(c));
    }
    let (screen, buf) = draw(&a);
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Emails"))
        .unwrap();
    assert!(line.contains('…') && line.contains("nope@"), "{line}");
    let cell = |needle: &str| {
        let byte = line
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {line}"));
        let x = line[..byte].chars().count() as u16;
        buf[(x, y as u16)].clone()
    };
    for bad in ["bad-one", "nope@"] {
        assert!(
            cell(bad).modifier.contains(Modifier::UNDERLINED),
            "{bad}: {line}"
        );
    }
    assert!(
        !cell("last@").modifier.contains(Modifier::UNDERLINED),
        "{line}"
    );
}

#[test]
fn wide_characters_scroll_like_the_input_widget_says() {
    let mut a = app_sized(120, 40);
    focus(&mut a, Field::Exclusions);
    let text: String = "中文 exclusions ".repeat(40);
    for c in text.chars() {
        a.update(ch(c));
    }
    let input = a.form.input(Field::Exclusions).unwrap();
    for width in [1, 7, 50, 101, 1000] {
        assert_eq!(
            a.form.visual(Field::Exclusions, width),
            (input.visual_scroll(width), input.visual_cursor()),
            "width {width}"
        );
    }
    let (screen, _) = draw(&a);
    assert!(
        row(&screen, "Exclusions").contains("exclusions"),
        "{screen}"
    );
}
