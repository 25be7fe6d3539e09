//! The one command that opens a job's folder in DuckDB, per format.
//! upexport does not depend on DuckDB: this is text for the user to run.

use std::path::Path;

use crate::export::Format;

/// What the Avro line needs said beside it.
pub const AVRO_NOTE: &str = "DuckDB reads Avro through its avro extension: the command installs it (once, from the network) and loads it";

/// `duckdb -c "SELECT * FROM read_…('DIR/*.ext') LIMIT 10"` for the files
/// `names` (all in `dir`, all `format`); or why there is none.
pub fn line(dir: &Path, names: &[String], format: Format, gzip: bool) -> Result<String, String> {
    if names.is_empty() {
        return Err("no files".into());
    }
    if gzip && matches!(format, Format::Parquet | Format::Avro) {
        return Err(format!(
            "the {format} parts are still gzip-compressed, which DuckDB does not read: download them again without --keep-gz"
        ));
    }
    let src = source(dir, names);
    let sql = match format {
        Format::Parquet => format!("SELECT * FROM read_parquet({src}) LIMIT 10"),
        Format::Csv => format!("SELECT * FROM read_csv_auto({src}) LIMIT 10"),
        Format::Ndjson => {
            format!("SELECT * FROM read_json_auto({src}, format = 'newline_delimited') LIMIT 10")
        }
        Format::Avro => format!("INSTALL avro; LOAD avro; SELECT * FROM read_avro({src}) LIMIT 10"),
    };
    Ok(format!("duckdb -c \"{}\"", shell_escape(&sql)))
}

/// One file as it is; one glob when every name has the same extension
/// (not `json`, the manifest's) and the folder's path has no glob
/// characters; else the list of files.
fn source(dir: &Path, names: &[String]) -> String {
    let ext = |n: &str| {
        n.char_indices()
            .skip(1)
            .find(|(_, c)| *c == '.')
            .map(|(i, _)| n[i + 1..].to_owned())
    };
    let first = ext(&names[0]);
    let same = first.as_deref().filter(|e| {
        !e.is_empty()
            && !e.eq_ignore_ascii_case("json")
            && names.iter().all(|n| ext(n).as_deref() == Some(e))
    });
    let plain_dir = !dir.to_string_lossy().contains(['*', '?', '[', '{']);
    match same {
        _ if names.len() == 1 => sql_string(&dir.join(&names[0]).to_string_lossy()),
        Some(e) if plain_dir => sql_string(&dir.join(format!("*.{e}")).to_string_lossy()),
        _ => {
            let items: Vec<String> = names
                .iter()
                .map(|n| sql_string(&dir.join(n).to_string_lossy()))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// The command that reads a whole sync dataset at `root` (the folder or
/// store URL holding the `dt=` folders) as one table with its `dt` column
/// (Hive partitioning), rows per `dt`. An object store needs DuckDB's
/// `httpfs` extension and its own credentials settings.
pub fn dataset_line(root: &str, format: Format) -> String {
    let glob = sql_string(&format!(
        "{}/*/*.{}",
        root.trim_end_matches('/'),
        format.as_str()
    ));
    let read = match format {
        Format::Parquet => format!("read_parquet({glob}, hive_partitioning = true)"),
        Format::Csv => format!("read_csv_auto({glob}, hive_partitioning = true)"),
        Format::Ndjson => format!(
            "read_json_auto({glob}, format = 'newline_delimited', hive_partitioning = true)"
        ),
        Format::Avro => format!("read_avro({glob}, hive_partitioning = true)"),
    };
    let load = if format == Format::Avro {
        "INSTALL avro; LOAD avro; "
    } else {
        ""
    };
    let sql = format!("{load}SELECT dt, count(*) AS rows FROM {read} GROUP BY dt ORDER BY dt");
    format!("duckdb -c \"{}\"", shell_escape(&sql))
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Escapes for the inside of a double-quoted shell word.
fn shell_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn one_glob_per_format() {
        let d = Path::new("out/J1");
        let two = names(&["part-0001.parquet", "part-0002.parquet"]);
        assert_eq!(
            line(d, &two, Format::Parquet, false).unwrap(),
            r#"duckdb -c "SELECT * FROM read_parquet('out/J1/*.parquet') LIMIT 10""#
        );
        let csv = names(&["a.csv.gz", "b.csv.gz"]);
        assert_eq!(
            line(d, &csv, Format::Csv, true).unwrap(),
            r#"duckdb -c "SELECT * FROM read_csv_auto('out/J1/*.csv.gz') LIMIT 10""#
        );
        assert!(
            line(d, &names(&["p.ndjson", "q.ndjson"]), Format::Ndjson, false)
                .unwrap()
                .contains("read_json_auto('out/J1/*.ndjson', format = 'newline_delimited')")
        );
        assert!(
            line(d, &names(&["p.ndjson"]), Format::Ndjson, false)
                .unwrap()
                .contains("read_json_auto('out/J1/p.ndjson',"),
            "one file: itself"
        );
        let avro = line(d, &names(&["p.avro", "q.avro"]), Format::Avro, false).unwrap();
        assert!(
            avro.contains("INSTALL avro; LOAD avro; SELECT * FROM read_avro("),
            "{avro}"
        );
        assert!(line(d, &two, Format::Parquet, true).is_err());
    }

    #[test]
    fn a_dataset_is_one_table_with_its_dt_column() {
        assert_eq!(
            dataset_line("s3://lake/up/events/", Format::Parquet),
            r#"duckdb -c "SELECT dt, count(*) AS rows FROM read_parquet('s3://lake/up/events/*/*.parquet', hive_partitioning = true) GROUP BY dt ORDER BY dt""#
        );
        assert!(dataset_line("/d/e", Format::Avro).starts_with(r#"duckdb -c "INSTALL avro;"#));
    }

    #[test]
    fn odd_names_are_listed_and_quoted() {
        let d = Path::new("it's \"$here\"");
        let l = line(d, &names(&["x", "y.json"]), Format::Ndjson, false).unwrap();
        assert_eq!(
            l,
            r#"duckdb -c "SELECT * FROM read_json_auto(['it''s \"\$here\"/x', 'it''s \"\$here\"/y.json'], format = 'newline_delimited') LIMIT 10""#
        );
    }
}
