//! Print the TUI key table as Markdown (pasted into the README).
fn main() {
    print!("{}", upexport::tui::keymap::markdown_table());
}
