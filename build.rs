//! Sets `UPEXPORT_GIT_DESCRIBE` (`git describe --tags --always --dirty`,
//! empty outside a git checkout or without git) and `UPEXPORT_VERSION`
//! (`<cargo version> (<describe>)`, or the cargo version alone).
//!
//! It reruns only when HEAD moves (HEAD itself, the branch it points to,
//! packed refs, tags) or this file changes, never on every build. So
//! `-dirty` reflects the tree as it was when HEAD last moved.
//!
//! For release builds on linux-gnu it also hands `assets/hot-text.ld` to
//! the linker of the binaries (see `hot_text`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let describe = match git_dirs(&manifest) {
        Some((git_dir, common_dir)) => {
            watch_head(&git_dir, &common_dir);
            describe(&manifest).unwrap_or_default()
        }
        None => String::new(),
    };
    let cargo = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let version = if describe.is_empty() {
        cargo
    } else {
        format!("{cargo} ({describe})")
    };
    println!("cargo:rustc-env=UPEXPORT_GIT_DESCRIBE={describe}");
    println!("cargo:rustc-env=UPEXPORT_VERSION={version}");
    hot_text(&manifest);
}

/// Hands `assets/hot-text.ld` (made by `scripts/hot-text.sh`) to the linker
/// of the binaries in release builds on linux-gnu: the functions the TUI
/// runs at start go first in the text segment, next to each other, so fewer
/// pages of the binary become resident (the kernel maps 64 KiB around every
/// page fault). The script only orders sections: a stale or partly matching
/// list links all the same (`scripts/hot_text.py check` says how much still
/// matches; CI fails under 90%).
///
/// Only release links get it (`PROFILE` is `release` for the release
/// profile and every profile inheriting from it, e.g. `bench`): the list is
/// made from, and only helps, the optimised binary, and debug and test
/// builds then link with any linker. `UPEXPORT_NO_HOT_TEXT=1` leaves it out
/// of release links too (e.g. for a linker without `INSERT` support such as
/// mold).
fn hot_text(manifest: &Path) {
    println!("cargo:rerun-if-env-changed=UPEXPORT_NO_HOT_TEXT");
    let script = manifest.join("assets").join("hot-text.ld");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let off = std::env::var_os("UPEXPORT_NO_HOT_TEXT").is_some_and(|v| !v.is_empty() && v != "0");
    if !script.exists() {
        println!(
            "cargo:rerun-if-changed={}",
            manifest.join("assets").display()
        );
        return;
    }
    println!("cargo:rerun-if-changed={}", script.display());
    if linux_gnu && release && !off {
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
    }
}

/// The git directory of the checkout and its common directory (they differ
/// in a `git worktree`, where `.git` is a file naming the former).
fn git_dirs(root: &Path) -> Option<(PathBuf, PathBuf)> {
    let dot_git = root.join(".git");
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        let dir = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
        if dir.is_absolute() {
            dir
        } else {
            root.join(dir)
        }
    };
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(c) => {
            let c = PathBuf::from(c.trim());
            if c.is_absolute() { c } else { git_dir.join(c) }
        }
        Err(_) => git_dir.clone(),
    };
    Some((git_dir, common))
}

/// Rerun when HEAD, the ref it points to, packed refs or tags change.
/// Only existing paths are named: cargo reruns every time for a missing one.
fn watch_head(git_dir: &Path, common: &Path) {
    let mut paths = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    paths.push(common.join("refs").join("tags"));
    if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD"))
        && let Some(r) = head.trim().strip_prefix("ref:")
    {
        let r = r.trim();
        paths.push(git_dir.join(r));
        paths.push(common.join(r));
    }
    for p in paths.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}

fn describe(root: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["describe", "--tags", "--always", "--dirty"])
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    // Only what git describe can print: no spaces, quotes or newlines.
    let sane = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._+/".contains(c));
    (out.status.success() && !text.is_empty() && sane).then(|| text.to_owned())
}
