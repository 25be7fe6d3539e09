//! `upexport --plain`: the form as a dialogue of plain lines, for screen
//! readers, very slow links and scripts. Each field is asked in form order
//! on stderr (label, what it takes, the value kept on an empty answer in
//! brackets); answers are read line by line from stdin, so it works piped.
//! Every answer goes through the same [`validate`] as the TUI and the CLI;
//! a field is asked again with the message when it is wrong. Then the JSON
//! body is shown and "Send? [y/N]" asked; the request goes through
//! [`submit_recorded`] (history first), the outcome is printed on stdout.
//! No escape sequences, no raw mode, no colour.

use std::io::{BufRead, IsTerminal, Write};

use chrono::NaiveDate;

use super::args::Global;
use super::context::Context;
use super::exit::CliError;
use crate::export::validate::field_errors;
use crate::export::{Field, FormInput, Format, KNOWN_EVENT_TYPES, Validated, validate};
use crate::history::SOURCE_CLI;
use crate::jobs::submit::{Origin, submit_recorded};

/// How often one field may be answered wrongly in a row before giving up
/// (a script feeding the same bad line forever must end).
pub const MAX_TRIES: usize = 5;

/// How the dialogue ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// "y" at the Send prompt.
    Send(Box<Validated>),
    /// Anything else at the Send prompt (or end of input there).
    Declined,
}

/// Why the dialogue stopped before the Send prompt.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// Input ended while `Field` was asked.
    Eof(Field),
    /// [`MAX_TRIES`] wrong answers in a row for `Field`.
    TooManyTries(Field, String),
    /// stdin or stderr failed.
    Io(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Eof(field) => write!(f, "input ended at {}; nothing was sent", field.label()),
            Stop::TooManyTries(field, m) => write!(
                f,
                "{MAX_TRIES} invalid answers for {} (last: {m}); nothing was sent",
                field.label()
            ),
            Stop::Io(m) => write!(f, "{m}; nothing was sent"),
        }
    }
}

/// What a field takes, said after its label.
fn hint(field: Field) -> String {
    match field {
        Field::From => {
            "start date: YYYY-MM-DD, an RFC 3339 time, today, yesterday, or 7d for 7 days ago"
                .into()
        }
        Field::To => "end date, the same forms as From".into(),
        Field::Emails => "who gets the download links, comma-separated".into(),
        Field::EventType => format!("comma-separated, e.g. {}", KNOWN_EVENT_TYPES.join(", ")),
        Field::UserId => "only these users, comma-separated (a space is part of an id)".into(),
        Field::CompanyId => {
            "only these companies, comma-separated (a space is part of an id)".into()
        }
        Field::SegmentId => "only this segment, one id".into(),
        Field::Format => "avro, csv, ndjson or parquet; or its first letter".into(),
        Field::Exclusions => "passed through as typed".into(),
    }
}

/// The value an empty answer keeps, for the brackets.
fn current(form: &FormInput, field: Field) -> String {
    let v = match field {
        Field::Format => form.format.map(|f| f.to_string()).unwrap_or_default(),
        f => form.text(f).unwrap_or("").trim().to_owned(),
    };
    if v.is_empty() {
        "none".into()
    } else {
        plain(&v)
    }
}

/// `today`, `yesterday` and `Nd` (N days ago) as `YYYY-MM-DD`
/// ([`crate::export::relative_date`]); anything else unchanged (the date
/// parser judges it).
pub fn expand_date(answer: &str, today: NaiveDate) -> String {
    match crate::export::relative_date::resolve(answer, today) {
        Some(day) => day.format("%Y-%m-%d").to_string(),
        None => answer.trim().to_owned(),
    }
}

/// What to run next about a created job, with the flags that reach the
/// same server (with `--demo`: why there is nothing to run).
pub fn follow_lines(job: &str) -> String {
    let job = crate::suggest::shell_word(job);
    let (status, files) = (
        crate::suggest::job(&format!("status {job}")),
        crate::suggest::job(&format!("download {job}")),
    );
    if status == files {
        format!("follow it: {status}")
    } else {
        format!("follow it:  {status}\nfiles:      {files}")
    }
}

/// Text safe to print on a plain terminal: control characters (escape
/// sequences among them) become `?`.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

/// One line of input without its line end; `None` at end of input.
fn read_line(input: &mut impl BufRead) -> Result<Option<String>, Stop> {
    let mut buf = Vec::new();
    match input.read_until(b'\n', &mut buf) {
        Ok(0) => Ok(None),
        Ok(_) => {
            let text = String::from_utf8_lossy(&buf);
            Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
        }
        Err(e) => Err(Stop::Io(format!("cannot read stdin: {e}"))),
    }
}

fn say(out: &mut impl Write, text: &str) -> Result<(), Stop> {
    writeln!(out, "{text}")
        .and_then(|_| out.flush())
        .map_err(|e| Stop::Io(format!("cannot write to stderr: {e}")))
}

fn prompt(out: &mut impl Write, text: &str) -> Result<(), Stop> {
    write!(out, "{text}")
        .and_then(|_| out.flush())
        .map_err(|e| Stop::Io(format!("cannot write to stderr: {e}")))
}

/// How the dialogue talks.
#[derive(Clone, Copy, Debug)]
pub struct Talk {
    pub today: NaiveDate,
    /// Repeat each answer after its prompt: when stdin is not a terminal
    /// nothing else ends the prompt's line, and a transcript shows what
    /// was answered.
    pub echo: bool,
}

/// Read an answer to the prompt just written; echo it when asked.
fn answer(
    input: &mut impl BufRead,
    out: &mut impl Write,
    talk: Talk,
) -> Result<Option<String>, Stop> {
    let line = read_line(input)?;
    match &line {
        Some(a) if talk.echo => say(out, &plain(a))?,
        Some(_) => {}
        None => say(out, "")?,
    }
    Ok(line)
}

/// Ask every field of `form` in order, then show the body and ask whether
/// to send it. Prompts and messages go to `out` (stderr).
pub fn dialogue(
    input: &mut impl BufRead,
    out: &mut impl Write,
    mut form: FormInput,
    talk: Talk,
) -> Result<Decision, Stop> {
    let today = talk.today;
    say(
        out,
        "Answer each field; an empty answer keeps the value in brackets, a single - clears it.",
    )?;
    for field in Field::ALL {
        ask_field(input, out, &mut form, field, talk)?;
    }
    let validated = match validate(&form, today) {
        Ok(v) => v,
        // Every field passed on its own, so this is not expected; say it.
        Err(issues) => {
            let all: Vec<String> = issues.iter().map(|i| plain(&i.to_string())).collect();
            return Err(Stop::TooManyTries(Field::ALL[0], all.join("; ")));
        }
    };
    say(out, "")?;
    say(out, "Request body:")?;
    say(out, &validated.request.to_json_pretty())?;
    prompt(out, "Send? [y/N] ")?;
    let yes = answer(input, out, talk)?
        .is_some_and(|a| matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes"));
    Ok(if yes {
        Decision::Send(Box::new(validated))
    } else {
        Decision::Declined
    })
}

fn ask_field(
    input: &mut impl BufRead,
    out: &mut impl Write,
    form: &mut FormInput,
    field: Field,
    talk: Talk,
) -> Result<(), Stop> {
    let today = talk.today;
    let mut tries = 0;
    loop {
        prompt(
            out,
            &format!(
                "{} ({}) [{}]: ",
                field.label(),
                hint(field),
                current(form, field)
            ),
        )?;
        let Some(answer) = answer(input, out, talk)? else {
            return Err(Stop::Eof(field));
        };
        let answer = answer.trim();
        if answer.is_empty() {
            return Ok(());
        }
        let value = if answer == "-" {
            String::new()
        } else if field.is_date() {
            expand_date(answer, today)
        } else {
            answer.to_owned()
        };
        let mut next = form.clone();
        let problem = if field == Field::Format {
            if value.is_empty() {
                next.format = None;
                None
            } else {
                let initial = match value.chars().collect::<Vec<_>>()[..] {
                    [c] => Format::from_initial(c),
                    _ => None,
                };
                match initial.map_or_else(|| value.parse::<Format>(), Ok) {
                    Ok(f) => {
                        next.format = Some(f);
                        None
                    }
                    Err(e) => Some(e),
                }
            }
        } else {
            if let Some(slot) = next.text_mut(field) {
                *slot = value.clone();
            }
            let errors = field_errors(&next, today, field);
            (!errors.is_empty()).then(|| errors.join("; "))
        };
        match problem {
            None => {
                if field.is_date() && !value.is_empty() && value != answer {
                    say(out, &format!("  {}: {value}", field.label()))?;
                }
                if let Ok(v) = validate(&next, today) {
                    for w in v.warnings.iter().filter(|w| w.field == field) {
                        say(out, &format!("  note: {}", plain(&w.message)))?;
                    }
                }
                *form = next;
                return Ok(());
            }
            Some(m) => {
                let m = plain(&m);
                tries += 1;
                if tries >= MAX_TRIES {
                    return Err(Stop::TooManyTries(field, m));
                }
                say(out, &format!("  {}: {m}; try again", field.label()))?;
            }
        }
    }
}

/// `upexport --plain`.
pub async fn run(global: &Global) -> Result<(), CliError> {
    let mut ctx = Context::new(global).await?;
    // The key (maybe a command) before the questions: no use filling the
    // form to learn at the end that nothing can be sent.
    let client = ctx.client()?;
    // The history too (a newer upexport's file is refused): the attempt is
    // recorded before it is sent.
    let store = ctx.store()?;
    let mut err = std::io::stderr();
    say(
        &mut err,
        &format!(
            "upexport {}, line mode: profile {}, {}",
            crate::version::VERSION,
            plain(&ctx.resolved.profile),
            plain(client.base_url().as_str())
        ),
    )
    .map_err(|e| CliError::Invalid(e.to_string()))?;
    let start = FormInput {
        format: Some(Format::default()),
        ..Default::default()
    };
    let stdin = std::io::stdin();
    let talk = Talk {
        today: crate::export::relative_date::today_utc(),
        echo: !stdin.is_terminal(),
    };
    let decision = dialogue(&mut stdin.lock(), &mut err, start, talk);
    let v = match decision {
        Ok(Decision::Send(v)) => *v,
        Ok(Decision::Declined) => {
            outln!("not sent");
            return Ok(());
        }
        Err(stop) => return Err(CliError::Invalid(stop.to_string())),
    };
    let origin = Origin {
        source: SOURCE_CLI,
        profile: &ctx.resolved.profile,
    };
    errln!("sending");
    let (id, result, history_error) = submit_recorded(&store, &client, origin, &v.request)
        .await
        .map_err(|e| CliError::History(format!("{e}; nothing was sent")))?;
    if let Some(e) = history_error {
        errln!("upexport: warning: history entry #{id} could not be updated: {e}");
    }
    let created = result?;
    let job = plain(created.job_id.as_deref().unwrap_or("?"));
    outln!("created export job {job}");
    if let Some(n) = &created.environment_name {
        outln!("environment: {}", plain(n));
    }
    if let Some(t) = &created.start_time {
        outln!("started: {}", plain(t));
    }
    if let Some(l) = created.links.as_deref().filter(|l| !l.is_empty()) {
        outln!("links: {}", plain(l));
    }
    outln!("history entry: #{id}");
    outln!("{}", follow_lines(&job));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn talk(lines: &str) -> (Result<Decision, Stop>, String) {
        let mut input = std::io::Cursor::new(lines.as_bytes().to_vec());
        let mut out = Vec::new();
        let start = FormInput {
            format: Some(Format::Csv),
            ..Default::default()
        };
        let talk = Talk {
            today: day(2026, 11, 27),
            echo: true,
        };
        let r = dialogue(&mut input, &mut out, start, talk);
        (r, String::from_utf8(out).unwrap())
    }

    fn sent(r: Result<Decision, Stop>) -> crate::export::ExportRequest {
        match r {
            Ok(Decision::Send(v)) => v.request,
            other => panic!("not sent: {other:?}"),
        }
    }

    #[test]
    fn every_field_in_order_with_defaults_and_lists() {
        let (r, said) = talk(
            "2026-11-01\n2026-11-26\na@x.com, b@y.com\ntrack,page_view\n\n\n42\nndjson\n\ny\n",
        );
        let req = sent(r);
        assert_eq!(
            req.to_json(),
            r#"{"from":"2026-11-01","to":"2026-11-26","emails":["a@x.com","b@y.com"],"event_type":["track","page_view"],"segment_id":"42","format":"ndjson"}"#
        );
        let labels: Vec<usize> = Field::ALL
            .iter()
            .map(|f| {
                said.find(&format!("{} (", f.label()))
                    .unwrap_or_else(|| panic!("{}", f.label()))
            })
            .collect();
        assert!(labels.windows(2).all(|w| w[0] < w[1]), "order: {said}");
        assert!(said.contains(
            "Format (avro, csv, ndjson or parquet; or its first letter) [csv]: ndjson\n"
        ));
        assert!(said.contains("From (start date"), "{said}");
        assert!(said.contains("[none]: "), "{said}");
        assert!(said.contains("\"segment_id\": \"42\""), "the body: {said}");
        assert!(said.ends_with("Send? [y/N] y\n"), "{said}");
        assert!(!said.contains('\u{1b}'), "no escape sequences");
    }

    #[test]
    fn an_empty_answer_keeps_the_default_and_a_dash_clears_it() {
        let (r, _) = talk("\n\n\n\n\n\n\n\n\ny\n");
        assert_eq!(sent(r).to_json(), r#"{"format":"csv"}"#);
        let (r, _) = talk("\n\n\n\n\n\n\n-\n\nyes\n");
        assert_eq!(sent(r).to_json(), "{}");
    }

    #[test]
    fn an_invalid_date_is_asked_again_with_its_message() {
        let (r, said) = talk("2026-02-30\n2026-02-03\n\n\n\n\n\n\n\n\ny\n");
        assert_eq!(sent(r).to_json(), r#"{"from":"2026-02-03","format":"csv"}"#);
        assert!(
            said.contains(
                "From: 2026-02-30 is not a real date: February 2026 has 28 days; try again"
            ),
            "{said}"
        );
        assert_eq!(said.matches("From (start date").count(), 2, "{said}");
    }

    #[test]
    fn to_before_from_is_asked_again_on_to() {
        let (r, said) = talk("2026-11-10\n2026-11-01\n2026-11-12\n\n\n\n\n\n\n\ny\n");
        let req = sent(r);
        assert_eq!(req.to.map(|d| d.to_wire()).as_deref(), Some("2026-11-12"));
        assert!(said.contains("To: ends before it starts"), "{said}");
    }

    #[test]
    fn date_words_are_expanded_and_said() {
        let today = day(2026, 11, 27);
        assert_eq!(expand_date("today", today), "2026-11-27");
        assert_eq!(expand_date(" Yesterday ", today), "2026-11-26");
        assert_eq!(expand_date("7d", today), "2026-11-20");
        assert_eq!(expand_date("30d", today), "2026-10-28");
        assert_eq!(expand_date("d", today), "d");
        assert_eq!(expand_date("2026-01-01", today), "2026-01-01");
        assert_eq!(expand_date("99999999d", today), "99999999d");
        let (r, said) = talk("7d\ntoday\n\n\n\n\n\n\n\ny\n");
        assert_eq!(
            sent(r).to_json(),
            r#"{"from":"2026-11-20","to":"2026-11-27","format":"csv"}"#
        );
        assert!(said.contains("[none]: 7d\n  From: 2026-11-20\n"), "{said}");
    }

    #[test]
    fn a_bad_format_and_bad_emails_are_asked_again() {
        let (r, said) = talk("\n\nbad@\nok@x.com\n\n\n\n\njson\nx\np\n\ny\n");
        let req = sent(r);
        assert_eq!(req.emails, ["ok@x.com"]);
        assert_eq!(req.format, Some(Format::Parquet), "p is parquet");
        assert!(said.contains("'x' is not a format"), "{said}");
        assert!(said.contains("Emails: invalid address: bad@"), "{said}");
        assert!(said.contains("'json' is not a format"), "{said}");
    }

    #[test]
    fn no_or_end_of_input_at_the_send_prompt_declines() {
        for last in ["n\n", "\n", "", "whatever\n"] {
            let (r, _) = talk(&format!("\n\n\n\n\n\n\n\n\n{last}"));
            assert_eq!(r, Ok(Decision::Declined), "{last:?}");
        }
    }

    #[test]
    fn input_ending_early_stops_naming_the_field() {
        let (r, _) = talk("2026-11-01\n2026-11-02\n");
        assert_eq!(r, Err(Stop::Eof(Field::Emails)));
        let e = Stop::Eof(Field::Emails).to_string();
        assert!(
            e.contains("Emails") && e.contains("nothing was sent"),
            "{e}"
        );
    }

    #[test]
    fn the_same_bad_answer_forever_ends() {
        let (r, _) = talk(&"nope\n".repeat(100));
        match r {
            Err(Stop::TooManyTries(Field::From, m)) => assert!(m.contains("'nope'"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn control_characters_are_not_echoed() {
        let (_, said) = talk("\u{1b}[31mx\n");
        assert!(!said.contains('\u{1b}'), "{said:?}");
        assert_eq!(plain("a\u{1b}[2Jb\u{7}"), "a?[2Jb?");
    }

    #[test]
    fn crlf_line_ends_are_taken() {
        let (r, _) = talk("2026-11-01\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\ny\r\n");
        assert_eq!(sent(r).to_json(), r#"{"from":"2026-11-01","format":"csv"}"#);
    }
}
