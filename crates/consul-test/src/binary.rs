use std::path::{Path, PathBuf};

/// How to get a Consul binary, printed whenever none is found.
pub const INSTALL_HINT: &str = "\
no Consul binary found: set CONSUL_BIN to its path or put `consul` on PATH.
On Debian as root, `cargo xtask demo` or `cargo xtask test` installs Consul 1.8.7
(Debian's `consul` package from the bullseye suite, pinned low so nothing else is upgraded).
By hand: add a bullseye apt source, then `apt-get install consul/bullseye`.";

/// Finds the Consul binary: `CONSUL_BIN` if set, else `consul` on `PATH`.
///
/// # Errors
/// A message with [`INSTALL_HINT`] when there is none, or when `CONSUL_BIN` names a file
/// that does not exist.
pub fn find_consul() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("CONSUL_BIN").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(bin);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "CONSUL_BIN={} does not exist\n{INSTALL_HINT}",
                path.display()
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("consul"))
        .find(|p| is_executable(p))
        .ok_or_else(|| INSTALL_HINT.to_owned())
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
