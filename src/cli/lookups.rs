//! `upexport lookups [NAME]`.

use super::context::Context;
use super::exit::CliError;
use crate::api::LOOKUPS;

/// The fields that name a lookup item, in order of preference.
fn label(item: &serde_json::Value) -> (String, String) {
    let s = |k: &str| {
        item.get(k).and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    let id = s("id")
        .or_else(|| s("key"))
        .or_else(|| s("name"))
        .unwrap_or_default();
    let title = s("title")
        .or_else(|| s("display_name"))
        .or_else(|| s("name"))
        .or_else(|| s("label"))
        .unwrap_or_else(|| crate::api::sanitise(&item.to_string(), 80));
    (id, title)
}

pub async fn run(ctx: &mut Context, name: Option<&str>, json: bool) -> Result<(), CliError> {
    let Some(name) = name else {
        for n in LOOKUPS {
            println!("{n}");
        }
        return Ok(());
    };
    if !LOOKUPS.contains(&name) {
        return Err(CliError::Invalid(format!(
            "unknown lookup '{name}'; one of: {}",
            LOOKUPS.join(", ")
        )));
    }
    let client = ctx.client()?;
    let items = client.lookup(name).await?;
    if json {
        println!("{}", serde_json::Value::Array(items));
        return Ok(());
    }
    let rows: Vec<(String, String)> = items.iter().map(label).collect();
    let width = rows
        .iter()
        .map(|(id, _)| id.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for (id, title) in rows {
        println!("{id:<width$}  {title}");
    }
    eprintln!("{} items", items.len());
    Ok(())
}
