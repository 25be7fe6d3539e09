//! Telling the format from the first bytes, never from the name.

/// What the first bytes of a file (or of the content inside gzip) say.
#[derive(Debug, PartialEq, Eq)]
pub enum Magic {
    /// `PAR1`: Parquet (which also ends with `PAR1`).
    Parquet,
    /// `Obj` and 1: an Avro object container file.
    Avro,
    /// `1f 8b`: gzip.
    Gzip,
    /// Anything else: text, or data the preview does not read.
    Other,
}

pub fn magic(head: &[u8]) -> Magic {
    if head.starts_with(b"PAR1") {
        Magic::Parquet
    } else if head.starts_with(b"Obj\x01") {
        Magic::Avro
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Magic::Gzip
    } else {
        Magic::Other
    }
}

/// The kinds of text the preview reads.
#[derive(Debug, PartialEq, Eq)]
pub enum Text {
    Empty,
    Ndjson,
    Csv,
}

/// Tell NDJSON from CSV by the first bytes of the (unpacked) content (a
/// UTF-8 byte order mark already taken off).
pub fn text(prefix: &[u8]) -> Result<Text, String> {
    let text_ok = match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // A character cut by the end of the sniffed bytes is fine.
        Err(e) => e.error_len().is_none(),
    };
    if !text_ok || prefix.contains(&0) {
        return Err(
            "not a format the preview reads (Parquet, Avro, NDJSON, CSV, plain or gzip): the content is binary data"
                .into(),
        );
    }
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Ok(Text::Empty),
        Some(b'{') => Ok(Text::Ndjson),
        Some(b'[') => Err("JSON, but not NDJSON (one object per line): no preview".into()),
        Some(_) => Ok(Text::Csv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(magic(b"PAR1...."), Magic::Parquet);
        assert_eq!(magic(b"Obj\x01rest"), Magic::Avro);
        assert_eq!(magic(b"Obj\x02rest"), Magic::Other);
        assert_eq!(magic(&[0x1f, 0x8b, 8]), Magic::Gzip);
        assert_eq!(magic(b"PA"), Magic::Other);
        assert_eq!(text(b"  {\"a\":1}"), Ok(Text::Ndjson));
        assert_eq!(text(b"a,b\n1,2"), Ok(Text::Csv));
        assert_eq!(text(b" \n "), Ok(Text::Empty));
        assert!(text(b"[1,2]").unwrap_err().contains("not NDJSON"));
        assert!(text(b"ab\0cd").unwrap_err().contains("binary"));
        assert!(text(b"\xff\xfeab").unwrap_err().contains("binary"));
        // A multi-byte character cut by the sniff window is still text.
        assert_eq!(
            text("a,é".as_bytes().split_last().unwrap().1),
            Ok(Text::Csv)
        );
    }
}
