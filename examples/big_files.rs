//! Two 1 GiB files for the preview benchmark (`scripts/bench.sh`, section
//! 5; BENCHMARKS.md): `DIR/big.parquet` (snappy, row groups of 524,288
//! rows, export-like columns) and `DIR/big.ndjson.gz` (the same kind of
//! rows as NDJSON, gzip level 1), each at least 1 GiB on disk. The rows
//! carry random text so that compression does not shrink them much. A file
//! already there is kept.
//!
//!   cargo run --release --example big_files -- DIR

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

const GIB: u64 = 1 << 30;
const ROW_GROUP: usize = 524_288;
const EVENTS: [&str; 7] = [
    "track",
    "page_view",
    "identify_user",
    "identify_company",
    "flow_started",
    "flow_completed",
    "track_feature",
];

/// xorshift64*: fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `n` characters of [A-Za-z0-9+/].
    fn text(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::with_capacity(n);
        let mut bits = 0u64;
        let mut left = 0;
        for _ in 0..n {
            if left < 6 {
                bits = self.next();
                left = 64;
            }
            s.push(ALPHABET[(bits & 63) as usize] as char);
            bits >>= 6;
            left -= 6;
        }
        s
    }
}

/// One row's values.
struct Row {
    event_type: &'static str,
    user_id: String,
    company_id: Option<String>,
    inserted_at: i64,
    metadata: String,
    pad: String,
}

fn row(rng: &mut Rng, n: u64) -> Row {
    let r = rng.next();
    Row {
        event_type: EVENTS[(r % 7) as usize],
        user_id: format!("user-{:016x}", rng.next()),
        company_id: (!r.is_multiple_of(5)).then(|| format!("company-{}", r % 1000)),
        // 2026-11-01T00:00:00Z, one row per 10 ms.
        inserted_at: 1_793_491_200_000_000 + n as i64 * 10_000,
        metadata: format!(
            "{{\"plan\":\"pro\",\"seq\":{n},\"session\":\"{}\"}}",
            rng.text(32)
        ),
        pad: rng.text(240),
    }
}

fn parquet(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let schema = Arc::new(parse_message_type(
        "message event {
            required binary app_token (STRING);
            required binary event_type (STRING);
            required binary user_id (STRING);
            optional binary company_id (STRING);
            required int64 inserted_at (TIMESTAMP(MICROS,true));
            required binary metadata (JSON);
            required binary pad (STRING);
        }",
    )?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp)?;
    let mut w = SerializedFileWriter::new(BufWriter::with_capacity(1 << 20, file), schema, props)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut n: u64 = 0;
    let mut written: u64 = 0;
    while written < GIB {
        let rows: Vec<Row> = (0..ROW_GROUP)
            .map(|i| row(&mut rng, n + i as u64))
            .collect();
        n += ROW_GROUP as u64;
        let mut rg = w.next_row_group()?;
        let mut index = 0;
        while let Some(mut col) = rg.next_column()? {
            let strings = |f: &dyn Fn(&Row) -> &str| -> Vec<ByteArray> {
                rows.iter().map(|r| ByteArray::from(f(r))).collect()
            };
            match index {
                0 => {
                    let v = strings(&|_| "NX-RE213S2");
                    col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
                }
                1 => {
                    let v = strings(&|r| r.event_type);
                    col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
                }
                2 => {
                    let v = strings(&|r| &r.user_id);
                    col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
                }
                3 => {
                    let v: Vec<ByteArray> = rows
                        .iter()
                        .filter_map(|r| r.company_id.as_deref().map(ByteArray::from))
                        .collect();
                    let def: Vec<i16> = rows
                        .iter()
                        .map(|r| i16::from(r.company_id.is_some()))
                        .collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&def), None)?;
                }
                4 => {
                    let v: Vec<i64> = rows.iter().map(|r| r.inserted_at).collect();
                    col.typed::<Int64Type>().write_batch(&v, None, None)?;
                }
                5 => {
                    let v = strings(&|r| &r.metadata);
                    col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
                }
                _ => {
                    let v = strings(&|r| &r.pad);
                    col.typed::<ByteArrayType>().write_batch(&v, None, None)?;
                }
            }
            col.close()?;
            index += 1;
        }
        let meta = rg.close()?;
        written += meta.compressed_size() as u64;
    }
    w.close()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn ndjson_gz(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = path.with_extension("gz.tmp");
    let file = File::create(&tmp)?;
    let mut gz = flate2::write::GzEncoder::new(
        BufWriter::with_capacity(1 << 20, file),
        flate2::Compression::fast(),
    );
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut n: u64 = 0;
    let mut line = String::new();
    loop {
        for _ in 0..10_000 {
            let r = row(&mut rng, n);
            n += 1;
            line.clear();
            let company = r
                .company_id
                .map_or("null".to_owned(), |c| format!("\"{c}\""));
            line.push_str(&format!(
                "{{\"app_token\":\"NX-RE213S2\",\"event_type\":\"{}\",\"user_id\":\"{}\",\"company_id\":{company},\"inserted_at\":{},\"metadata\":{},\"pad\":\"{}\"}}\n",
                r.event_type, r.user_id, r.inserted_at, r.metadata, r.pad
            ));
            gz.write_all(line.as_bytes())?;
        }
        gz.flush()?;
        if gz.get_ref().get_ref().metadata()?.len() >= GIB {
            break;
        }
    }
    gz.finish()?.flush()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: big_files DIR")?);
    std::fs::create_dir_all(&dir)?;
    for (name, make) in [
        ("big.parquet", parquet as fn(&Path) -> _),
        ("big.ndjson.gz", ndjson_gz),
    ] {
        let path = dir.join(name);
        if !path.exists() {
            eprintln!("big_files: writing {}", path.display());
            make(&path)?;
        }
        eprintln!(
            "big_files: {} is {} bytes",
            path.display(),
            std::fs::metadata(&path)?.len()
        );
    }
    Ok(())
}
