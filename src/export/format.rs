//! The export file format (`format` in the request body).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// File format of the exported parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Avro,
    #[default]
    Csv,
    Ndjson,
    Parquet,
}

impl Format {
    /// Every format, in the order the selector cycles through them.
    pub const ALL: [Format; 4] = [Format::Avro, Format::Csv, Format::Ndjson, Format::Parquet];

    /// The lowercase name the API expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Avro => "avro",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
        }
    }

    fn index(self) -> usize {
        Format::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// The next format in the cycle (wraps).
    pub fn next(self) -> Format {
        Format::ALL[(self.index() + 1) % Format::ALL.len()]
    }

    /// The previous format in the cycle (wraps).
    pub fn prev(self) -> Format {
        Format::ALL[(self.index() + Format::ALL.len() - 1) % Format::ALL.len()]
    }

    /// The format chosen by its initial letter (`a`, `c`, `n`, `p`).
    pub fn from_initial(c: char) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().starts_with(c.to_ascii_lowercase()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == t)
            .ok_or_else(|| {
                format!(
                    "'{}' is not a format: use avro, csv, ndjson or parquet",
                    s.trim()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_both_ways() {
        assert_eq!(Format::Parquet.next(), Format::Avro);
        assert_eq!(Format::Avro.prev(), Format::Parquet);
        for f in Format::ALL {
            assert_eq!(f.next().prev(), f);
        }
    }

    #[test]
    fn parses_names_and_initials() {
        assert_eq!("NDJSON".parse::<Format>(), Ok(Format::Ndjson));
        assert!("json".parse::<Format>().is_err());
        assert_eq!(Format::from_initial('p'), Some(Format::Parquet));
        assert_eq!(Format::from_initial('x'), None);
        assert_eq!(serde_json::to_string(&Format::Csv).unwrap(), "\"csv\"");
    }
}
