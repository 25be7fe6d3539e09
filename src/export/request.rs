//! The export request body and the raw form it is built from.

use serde::{Deserialize, Serialize};

use super::date::DateBound;
use super::format::Format;
use super::list;

/// One field of the export request, in form order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    From,
    To,
    Emails,
    EventType,
    UserId,
    CompanyId,
    SegmentId,
    Format,
    Exclusions,
}

impl Field {
    /// Every field in form order.
    pub const ALL: [Field; 9] = [
        Field::From,
        Field::To,
        Field::Emails,
        Field::EventType,
        Field::UserId,
        Field::CompanyId,
        Field::SegmentId,
        Field::Format,
        Field::Exclusions,
    ];

    /// The label the form shows.
    pub fn label(self) -> &'static str {
        match self {
            Field::From => "From",
            Field::To => "To",
            Field::Emails => "Emails",
            Field::EventType => "Event types",
            Field::UserId => "User IDs",
            Field::CompanyId => "Company IDs",
            Field::SegmentId => "Segment ID",
            Field::Format => "Format",
            Field::Exclusions => "Exclusions",
        }
    }

    /// The key in the JSON body.
    pub fn json_name(self) -> &'static str {
        match self {
            Field::From => "from",
            Field::To => "to",
            Field::Emails => "emails",
            Field::EventType => "event_type",
            Field::UserId => "user_id",
            Field::CompanyId => "company_id",
            Field::SegmentId => "segment_id",
            Field::Format => "format",
            Field::Exclusions => "exclusions",
        }
    }

    /// True for the comma-separated list fields.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Field::Emails | Field::EventType | Field::UserId | Field::CompanyId
        )
    }

    /// True for the two date fields.
    pub fn is_date(self) -> bool {
        matches!(self, Field::From | Field::To)
    }
}

/// The body of `POST /api/v1/analytics/exports`. Empty fields are omitted
/// from the JSON entirely: no `""`, no `[]`, no `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateBound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateBound>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_type: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_id: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub company_id: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusions: Option<String>,
}

impl ExportRequest {
    /// The compact JSON body sent on the wire.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// The same body, indented for people.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// What the date range covers, said where the user decides (the
    /// request preview, `submit --dry-run`). That `to` is included is
    /// upexport's reading: the API does not say, and the demo server and
    /// `--split` follow the same reading. `None` without an end date as a
    /// date (a datetime is an instant, nothing to include or not).
    pub fn range_note(&self) -> Option<String> {
        let Some(DateBound::Date(to)) = self.to else {
            return None;
        };
        let days = match self.from {
            Some(DateBound::Date(from)) if from <= to => {
                let n = (to - from).num_days() + 1;
                format!("{from} to {to}: {n} day{}, ", if n == 1 { "" } else { "s" })
            }
            _ => String::new(),
        };
        Some(format!(
            "{days}{to} included (assumed: the API does not say whether `to` is inclusive)"
        ))
    }

    /// The raw form that produces this request (for "load into form").
    pub fn to_form(&self) -> FormInput {
        let date = |d: &Option<DateBound>| d.map(|d| d.to_wire()).unwrap_or_default();
        FormInput {
            from: date(&self.from),
            to: date(&self.to),
            emails: list::join(&self.emails),
            event_type: list::join(&self.event_type),
            user_id: list::join(&self.user_id),
            company_id: list::join(&self.company_id),
            segment_id: self.segment_id.clone().unwrap_or_default(),
            format: self.format,
            exclusions: self.exclusions.clone().unwrap_or_default(),
        }
    }

    /// One line for history rows: dates, format and the filters in use.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let date = |d: &Option<DateBound>| d.map(|d| d.to_wire()).unwrap_or_else(|| "…".into());
        if self.from.is_some() || self.to.is_some() {
            parts.push(format!("{} → {}", date(&self.from), date(&self.to)));
        }
        if let Some(f) = self.format {
            parts.push(f.to_string());
        }
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.event_type.is_empty() {
            parts.push(self.event_type.join(","));
        }
        if !self.emails.is_empty() {
            parts.push(count(self.emails.len(), "email", "emails"));
        }
        if !self.user_id.is_empty() {
            parts.push(count(self.user_id.len(), "user", "users"));
        }
        if !self.company_id.is_empty() {
            parts.push(count(self.company_id.len(), "company", "companies"));
        }
        if let Some(s) = &self.segment_id {
            parts.push(format!("segment {s}"));
        }
        if self.exclusions.is_some() {
            parts.push("exclusions".into());
        }
        if parts.is_empty() {
            "all data (no filters)".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// What the user typed, field by field: the form's model, the CLI's flags
/// joined, and the draft kept between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FormInput {
    pub from: String,
    pub to: String,
    pub emails: String,
    pub event_type: String,
    pub user_id: String,
    pub company_id: String,
    pub segment_id: String,
    pub format: Option<Format>,
    pub exclusions: String,
}

impl FormInput {
    /// The raw text of a text-like field (`None` for the format selector).
    pub fn text(&self, field: Field) -> Option<&str> {
        Some(match field {
            Field::From => &self.from,
            Field::To => &self.to,
            Field::Emails => &self.emails,
            Field::EventType => &self.event_type,
            Field::UserId => &self.user_id,
            Field::CompanyId => &self.company_id,
            Field::SegmentId => &self.segment_id,
            Field::Exclusions => &self.exclusions,
            Field::Format => return None,
        })
    }

    /// Mutable access to a text-like field (`None` for the format selector).
    pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::From => &mut self.from,
            Field::To => &mut self.to,
            Field::Emails => &mut self.emails,
            Field::EventType => &mut self.event_type,
            Field::UserId => &mut self.user_id,
            Field::CompanyId => &mut self.company_id,
            Field::SegmentId => &mut self.segment_id,
            Field::Exclusions => &mut self.exclusions,
            Field::Format => return None,
        })
    }
}
