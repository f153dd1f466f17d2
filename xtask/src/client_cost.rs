//! `BENCH client_cost`: the client's own instructions per request, counted by callgrind,
//! beside the baseline's. Unlike requests per second, the count does not move with the
//! machine's load, so it tells a change in the client's own work from noise.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Requests per measurement; two counts are taken and subtracted, which leaves out the
/// start-up (runtime, connection, the first write).
const FEW: usize = 1_000;
const MANY: usize = 3_000;

/// Prints one `BENCH client_cost` line per case, from runs of the KV benchmark binary
/// against the agent at `addr`.
pub(crate) fn measure(addr: &str) -> Result<(), String> {
    let bench = bench_binary()?;
    println!("\n== client cost: instructions per request (callgrind; {FEW} and {MANY} requests, 8 in flight)");
    for case in ["kv_get", "kv_put"] {
        let ours = per_request(&bench, addr, "ours", case)?;
        let baseline = per_request(&bench, addr, "baseline", case)?;
        println!(
            "BENCH client_cost {case} ours_instr={ours:.0} baseline_instr={baseline:.0} ratio={:.3}",
            baseline / ours
        );
    }
    Ok(())
}

/// Instructions per request of one side and case.
fn per_request(bench: &Path, addr: &str, side: &str, case: &str) -> Result<f64, String> {
    let few = instructions(bench, addr, side, case, FEW)?;
    let many = instructions(bench, addr, side, case, MANY)?;
    Ok(many.saturating_sub(few) as f64 / (MANY - FEW) as f64)
}

fn instructions(bench: &Path, addr: &str, side: &str, case: &str, n: usize) -> Result<u64, String> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(bench)
        .args(["--count", side, case, &n.to_string()])
        .env("CONSUL_HTTP_ADDR", addr)
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the counted run failed ({}):\n{log}", out.status));
    }
    // `==pid== Collected : 123456789`
    log.lines()
        .find_map(|l| {
            l.split_once("Collected :")
                .map(|(_, n)| n.trim().parse().ok())
        })
        .flatten()
        .ok_or_else(|| format!("no instruction count in callgrind's output:\n{log}"))
}

/// The KV benchmark's executable, built if needed.
fn bench_binary() -> Result<PathBuf, String> {
    let out = crate::cargo()
        .args(["bench", "-p", "consulate", "--bench", "kv", "--no-run"])
        .args(["--message-format", "json-render-diagnostics"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("cannot build the KV benchmark ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"name\":\"kv\""))
        .find_map(|l| {
            let rest = l.split_once("\"executable\":\"")?.1;
            Some(PathBuf::from(rest.split_once('"')?.0))
        })
        .ok_or_else(|| "cargo did not name the KV benchmark's executable".into())
}
