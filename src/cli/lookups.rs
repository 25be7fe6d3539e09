//! `upexport lookups [NAME] [--refresh]`: lookups from the profile's cache
//! (`cache_dir/lookups/<profile>/`), fetched when missing or asked.

use super::context::{Context, warn};
use super::exit::CliError;
use super::json;
use crate::api::LOOKUPS;
use crate::human::duration;
use crate::jobs::lookups::{self, Choice, LookupCache};

/// Show a lookup from the profile's cache, fetching it (and caching it)
/// when there is none or `refresh` is set. A cached copy is shown whatever
/// its age, with a note on stderr saying how old it is. When a refresh
/// fails the command fails: stale data is not passed off as fresh (a note
/// says a cached copy exists). A fetched list whose paging stopped early
/// is printed with a warning; when it may be cut off the command then
/// fails (exit 5) and nothing is cached.
pub async fn run(
    ctx: &mut Context,
    name: Option<&str>,
    as_json: bool,
    refresh: bool,
) -> Result<(), CliError> {
    let Some(name) = name else {
        if as_json {
            json::print(&json::LookupNamesOut {
                lookups: LOOKUPS.to_vec(),
            });
            return Ok(());
        }
        for n in LOOKUPS {
            outln!("{n}");
        }
        return Ok(());
    };
    if !LOOKUPS.contains(&name) {
        return Err(CliError::Invalid(format!(
            "unknown lookup '{name}'; one of: {}",
            LOOKUPS.join(", ")
        )));
    }
    let cache = LookupCache::new(
        &ctx.paths.cache_dir,
        &ctx.resolved.profile,
        &ctx.resolved.base_url,
    );
    let (got, cached) = match cache.get(name).filter(|_| !refresh) {
        Some(c) => (c, true),
        None => {
            // The key is only needed (and its command only run) to fetch.
            let client = ctx.client()?;
            match lookups::load(&cache, &client, name, true).await {
                Ok(c) => (c, false),
                Err(e) => {
                    if let Some(old) = cache.get(name) {
                        warn(&format!(
                            "a cached copy from {} ago is kept; run without --refresh to see it",
                            age(old.fetched_at)
                        ));
                    }
                    return Err(e.into());
                }
            }
        }
    };
    let note = if cached {
        format!(
            " (cached {} ago; --refresh fetches them again)",
            age(got.fetched_at)
        )
    } else if got.repeats > 0 {
        format!(" ({} repeats of earlier pages' items dropped)", got.repeats)
    } else {
        String::new()
    };
    let n = got.items.len();
    if as_json {
        json::print(&json::LookupOut::new(
            name,
            got.complete,
            cached,
            got.fetched_at,
            got.items,
        ));
        if cached {
            noteln!("{n} items{note}");
        }
    } else {
        // A table: the value, the name, the detail (each lookup's own
        // fields, see `lookups::row`).
        let rows: Vec<Choice> = got.items.iter().map(|i| lookups::row(name, i)).collect();
        let width = |f: fn(&Choice) -> &str, max: usize| {
            rows.iter()
                .map(|c| f(c).chars().count())
                .max()
                .unwrap_or(0)
                .min(max)
        };
        let (w_id, w_label) = (width(|c| &c.id, 40), width(|c| &c.label, 50));
        for c in &rows {
            match &c.detail {
                Some(d) => outln!("{:<w_id$}  {:<w_label$}  {d}", c.id, c.label),
                None => outln!("{:<w_id$}  {}", c.id, c.label),
            }
        }
        noteln!("{n} items{note}");
    }
    // Paging that stopped early: a warning when the list is still
    // complete, a failure (exit 5, after the items) when it may be cut
    // off, which is then not cached.
    match got.warning {
        Some(w) if got.complete => warn(&format!("{name}: {w}")),
        Some(w) => {
            return Err(CliError::Incomplete {
                message: format!("{name}: {w}; not cached, so the next run asks the server again"),
                json: as_json,
            });
        }
        None => {}
    }
    Ok(())
}

fn age(at: chrono::DateTime<chrono::Utc>) -> String {
    duration((chrono::Utc::now() - at).num_seconds().max(0))
}
