//! Overlays (calendar, picker, detail, preview, help) and the history pane.

use super::*;
use crate::export::{DateBound, ExportRequest, Field, Format};
use crate::tui::calendar::{CalOutcome, Calendar, Preset};
use crate::tui::form::{Focus, FormState};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn overlay_or_pane_action(&mut self, a: Action) -> Vec<Effect> {
        let today = self.today();
        let max_scroll = crate::tui::view::overlay_max_scroll(self);
        match self.overlay.as_mut() {
            Some(Overlay::Calendar(cal)) => match cal.apply(a, today) {
                CalOutcome::Stay => {}
                CalOutcome::Ignored => self.dirty = false,
                CalOutcome::Pick(d) => {
                    let field = cal.field;
                    self.overlay = None;
                    self.form
                        .set_text(field, &DateBound::Date(d).to_wire(), today);
                    self.form.touch(field);
                    return vec![Effect::SaveDraft(self.form.to_input())];
                }
                CalOutcome::Preset(p) => return self.apply_preset(p),
            },
            Some(Overlay::Picker(_)) => return self.picker_action(a),
            Some(Overlay::Profiles { .. }) => return self.profiles_action(a),
            Some(Overlay::FirstRun(f)) => match a {
                Action::UseKey | Action::SaveKey => {
                    let Some(key) = crate::api::ApiKey::new(f.key.0.value()) else {
                        f.error =
                            Some("paste the key first (Userpilot → Environment settings)".into());
                        return vec![];
                    };
                    let save = (a == Action::SaveKey).then(|| f.key_file.clone());
                    f.clear();
                    self.overlay = None;
                    self.env.blocked = None;
                    self.status = Some(Notice::new(
                        Level::Success,
                        match &save {
                            Some(p) => format!("key saved to {} (0600) and in use", p.display()),
                            None => "key in use for this session only".to_owned(),
                        },
                    ));
                    return vec![Effect::UseKey { key, save }];
                }
                _ => self.dirty = false,
            },
            Some(Overlay::Conflict(_)) => match a {
                Action::Wait => return self.conflict_wait(),
                _ => self.dirty = false,
            },
            Some(Overlay::QueueAdd(_)) => return self.queue_add_action(a),
            Some(Overlay::Queue { .. }) => return self.queue_view_action(a),
            Some(Overlay::DownloadSetup(_)) => return self.setup_action(a),
            Some(Overlay::Downloads { .. }) => return self.downloads_action(a),
            Some(Overlay::Table(t)) => match a {
                Action::Up => t.row = t.row.saturating_sub(1),
                Action::Down => t.row = (t.row + 1).min(t.table.rows.len().saturating_sub(1)),
                Action::Left => t.col = t.col.saturating_sub(1),
                Action::Right => t.col = (t.col + 1).min(t.table.columns.len().saturating_sub(1)),
                _ => self.dirty = false,
            },
            Some(Overlay::Detail { entry, scroll }) => match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = scroll.saturating_add(1).min(max_scroll),
                Action::CopyJob => {
                    let job = entry.created.as_ref().map(|c| c.job_id.clone());
                    return match job {
                        Some(j) => vec![Effect::Copy {
                            text: j,
                            what: "job id",
                        }],
                        None => {
                            self.status = Some(Notice::new(
                                Level::Warning,
                                "this attempt created no job: nothing to copy",
                            ));
                            vec![]
                        }
                    };
                }
                Action::CopyLinks => {
                    let mut links: Vec<String> = Vec::new();
                    if let Some(l) = entry
                        .created
                        .as_ref()
                        .and_then(|c| c.links.clone())
                        .filter(|l| !l.is_empty())
                    {
                        links.push(l);
                    }
                    if let Some(j) = &entry.job {
                        links.extend(j.files.iter().map(|f| f.url.clone()));
                    }
                    return if links.is_empty() {
                        self.status =
                            Some(Notice::new(Level::Warning, "no links on this attempt yet"));
                        vec![]
                    } else {
                        vec![Effect::Copy {
                            text: links.join("\n"),
                            what: "links",
                        }]
                    };
                }
                Action::LoadIntoForm => return self.load_entry_into_form(),
                Action::Download => {
                    let entry = entry.clone();
                    return self.open_download(&entry);
                }
                _ => self.dirty = false,
            },
            Some(Overlay::Preview { scroll }) | Some(Overlay::Help { scroll }) => match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = scroll.saturating_add(1).min(max_scroll),
                Action::CopyCurl => {
                    return match self.preview_request() {
                        Ok(req) => vec![Effect::Copy {
                            text: self.curl_for(&req),
                            what: "curl command",
                        }],
                        Err(_) => {
                            self.status = Some(Notice::new(
                                Level::Warning,
                                "fix the form first: the request is not valid",
                            ));
                            vec![]
                        }
                    };
                }
                _ => self.dirty = false,
            },
            None if self.focus == Focus::History => return self.history_action(a),
            None => self.dirty = false,
        }
        vec![]
    }

    pub(crate) fn history_action(&mut self, a: Action) -> Vec<Effect> {
        let visible = self.visible();
        let page = visible as i64;
        let delta = match a {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Home => i64::MIN / 2,
            Action::End => i64::MAX / 2,
            Action::Open => {
                match self.history.selected_entry() {
                    Some(e) => {
                        self.overlay = Some(Overlay::Detail {
                            entry: Box::new(e.clone()),
                            scroll: 0,
                        })
                    }
                    None => self.dirty = false,
                }
                return vec![];
            }
            Action::FilterProfile => return self.toggle_history_filter(),
            Action::Download => {
                return match self.history.selected_entry().cloned() {
                    Some(e) => self.open_download(&e),
                    None => {
                        self.dirty = false;
                        vec![]
                    }
                };
            }
            _ => {
                self.dirty = false;
                return vec![];
            }
        };
        match self.history.move_by(delta, visible) {
            Some((offset, limit)) => {
                self.history.loading = true;
                vec![Effect::LoadHistory { offset, limit }]
            }
            None => vec![],
        }
    }

    pub(crate) fn open_calendar(&mut self) {
        let Focus::Field(field @ (Field::From | Field::To)) = self.focus else {
            return;
        };
        let day = |f: Field| DateBound::parse(self.form.value(f)).ok().map(|b| b.day());
        let other = if field == Field::From {
            Field::To
        } else {
            Field::From
        };
        self.overlay = Some(Overlay::Calendar(Calendar::new(
            field,
            day(field),
            day(other),
            self.today(),
        )));
    }

    pub(crate) fn apply_preset(&mut self, p: Preset) -> Vec<Effect> {
        let today = self.today();
        let (from, to) = p.range(today);
        self.overlay = None;
        self.form
            .set_text(Field::From, &DateBound::Date(from).to_wire(), today);
        self.form
            .set_text(Field::To, &DateBound::Date(to).to_wire(), today);
        self.form.touch(Field::From);
        self.form.touch(Field::To);
        self.status = Some(Notice::new(
            Level::Info,
            format!("{}: {from} → {to} (days in {})", p.label(), self.clock.zone),
        ));
        vec![Effect::SaveDraft(self.form.to_input())]
    }

    pub(crate) fn load_entry_into_form(&mut self) -> Vec<Effect> {
        let Some(Overlay::Detail { entry, .. }) = &self.overlay else {
            return vec![];
        };
        match serde_json::from_str::<ExportRequest>(&entry.request_json) {
            Ok(req) => {
                let mut input = req.to_form();
                if input.format.is_none() {
                    input.format = Some(Format::default());
                }
                let id = entry.id;
                self.form = FormState::from_input(&input, self.today());
                self.overlay = None;
                self.focus = Focus::Field(Field::From);
                self.status = Some(Notice::new(
                    Level::Info,
                    format!("request of #{id} loaded: edit it, then Ctrl-S to run it again"),
                ));
                vec![Effect::SaveDraft(input)]
            }
            Err(e) => {
                self.status = Some(Notice::new(
                    Level::Error,
                    format!("cannot read that request: {e}"),
                ));
                vec![]
            }
        }
    }
}
