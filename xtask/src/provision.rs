//! Making sure a Consul binary is there, installing Debian's package when it is not.

use std::path::{Path, PathBuf};
use std::process::Command;

const BULLSEYE_SOURCE: &str = "/etc/apt/sources.list.d/consulate-bullseye.sources";
const BULLSEYE_PIN: &str = "/etc/apt/preferences.d/consulate-bullseye-low";

/// The Consul binary: `CONSUL_BIN`, then `PATH`; on a Debian machine as root with none,
/// installs Consul 1.8.7 from the `bullseye` suite with a low pin so nothing else moves.
pub(crate) fn ensure_consul() -> Result<PathBuf, String> {
    if let Ok(path) = consul_test::find_consul() {
        return Ok(path);
    }
    if std::env::var_os("CONSUL_BIN").is_some_and(|v| !v.is_empty()) {
        return consul_test::find_consul();
    }
    if !Path::new("/etc/debian_version").exists() || !is_root() {
        return Err(format!(
            "Consul is not installed and this is not a Debian machine where I run as root.\n{}",
            consul_test::INSTALL_HINT
        ));
    }
    println!(
        "== installing Consul 1.8.7 from Debian bullseye (pinned low; nothing else is upgraded)"
    );
    let mirror = debian_mirror().unwrap_or_else(|| "http://deb.debian.org/debian".into());
    let source = format!(
        "Types: deb\nURIs: {mirror}\nSuites: bullseye\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    );
    write_if_needed(BULLSEYE_SOURCE, &source)?;
    write_if_needed(
        BULLSEYE_PIN,
        "Package: *\nPin: release n=bullseye\nPin-Priority: 100\n",
    )?;
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    apt_install("consul/bullseye")?;
    consul_test::find_consul()
}

/// Valgrind, for counting the client's instructions (`BENCH client_cost`): already on
/// `PATH`, or installed from the machine's own Debian suite when this is Debian and we run
/// as root.
pub(crate) fn ensure_valgrind() -> Result<(), String> {
    let present = || {
        Command::new("valgrind")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if present() {
        return Ok(());
    }
    if !Path::new("/etc/debian_version").exists() || !is_root() {
        return Err("valgrind is not installed (on Debian: apt-get install valgrind)".into());
    }
    println!("== installing valgrind, to count the client's instructions per request");
    apt_install("valgrind")?;
    if present() {
        Ok(())
    } else {
        Err("valgrind was installed but does not run".into())
    }
}

/// `apt-get install` of one package, quietly and without questions.
fn apt_install(package: &str) -> Result<(), String> {
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends", package])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The mirror this machine already uses, from either apt source format.
fn debian_mirror() -> Option<String> {
    if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources") {
        if let Some(uri) = text
            .lines()
            .find_map(|l| l.strip_prefix("URIs:"))
            .and_then(|rest| rest.split_whitespace().next())
        {
            return Some(uri.to_owned());
        }
    }
    let text = std::fs::read_to_string("/etc/apt/sources.list").ok()?;
    text.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        (words.next() == Some("deb"))
            .then(|| words.find(|w| w.contains("://")))
            .flatten()
            .map(str::to_owned)
    })
}

fn write_if_needed(path: &str, content: &str) -> Result<(), String> {
    // Another file may already provide bullseye (set up by hand); a second copy is harmless.
    if std::fs::read_to_string(path).is_ok_and(|c| c == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("cannot write {path}: {e}"))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The facade's examples, by file name.
pub(crate) fn examples() -> Result<Vec<String>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/consulate/examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    names.sort();
    Ok(names)
}
