//! Parsing of the list fields (emails, event types, user and company ids).
//!
//! Users paste lists from spreadsheets, mail clients and terminals, so items
//! are separated by commas, semicolons, newlines, tabs and other control
//! characters, never by a space: the vendor allows any string as an id, and
//! `Jane Doe` is one user id. Items are trimmed of the spaces around them,
//! empty items dropped and duplicates removed, keeping the first
//! occurrence's position. (Items of a JSON array are never split: see
//! [`crate::export::validate_json`].)

use std::collections::HashSet;

/// True for every character that separates two list items: `,`, `;`, and
/// control characters (newline, tab…). A space is part of an item.
pub fn is_separator(c: char) -> bool {
    c == ',' || c == ';' || c.is_control()
}

/// The rule, in one sentence, for help texts and hints.
pub const RULE: &str =
    "items are separated by commas, semicolons, tabs or newlines; spaces inside an item are kept";

/// Split `raw` into distinct, non-empty items in first-seen order.
pub fn parse(raw: &str) -> Vec<String> {
    parse_borrowed(raw).into_iter().map(str::to_owned).collect()
}

/// [`parse`] without copying: the items are slices of `raw`.
pub fn parse_borrowed(raw: &str) -> Vec<&str> {
    let mut seen = HashSet::new();
    raw.split(is_separator)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .filter(|item| seen.insert(*item))
        .collect()
}

/// Join items the way the form shows them: `a, b, c`.
pub fn join(items: &[String]) -> String {
    items.join(", ")
}

/// Join the values of a repeatable CLI flag (each may itself hold commas)
/// into one raw field, so the CLI and the TUI share one parser.
pub fn join_raw<S: AsRef<str>>(values: &[S]) -> String {
    values
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_every_separator_and_dedupes() {
        let got = parse(" a@x.com,b@y.com;\n a@x.com\tc@z.com ,, ");
        assert_eq!(got, ["a@x.com", "b@y.com", "c@z.com"]);
    }

    #[test]
    fn a_space_inside_an_item_keeps_it_whole() {
        assert_eq!(parse("Jane Doe"), ["Jane Doe"]);
        assert_eq!(
            parse(" Jane Doe , x y;Acme Inc\tEU "),
            ["Jane Doe", "x y", "Acme Inc", "EU"]
        );
        assert_eq!(parse("a  b"), ["a  b"], "inner spaces as typed");
    }

    #[test]
    fn empty_and_blank_give_nothing() {
        assert!(parse("").is_empty());
        assert!(parse(" ,\n;\t").is_empty());
    }

    #[test]
    fn control_characters_separate() {
        assert_eq!(parse("u1\u{1b}u2\u{0}u3"), ["u1", "u2", "u3"]);
    }

    #[test]
    fn join_then_parse_round_trips() {
        let items = parse("b, a, c");
        assert_eq!(parse(&join(&items)), items);
    }
}
