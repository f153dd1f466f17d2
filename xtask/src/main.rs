//! `cargo xtask <demo|test|bench|fuzz>`: everything this repository runs, from a fresh Debian
//! machine to a green build.
//!
//! - `demo`: makes sure Consul is installed, starts a throwaway dev agent (and a second
//!   agent for the tour to join), runs `crates/consulate/examples/tour.rs`, stops them.
//! - `test`: the CI gates — fmt, clippy, each feature alone, every test against real
//!   agents, docs without warnings, the examples against a dev agent — with a summary.
//! - `bench`: KV GET/PUT throughput through consulate and through a plain hyper-util
//!   client in the same run.
//! - `fuzz [--cases N] [--debug]`: the property tests of consul-types (decoders, round
//!   trips, option encoding) with N cases each (20,000 by default), optimised.

mod client_cost;
mod provision;

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("install-consul") => provision::ensure_consul().map(|p| {
            println!("consul: {}", p.display());
        }),
        _ => {
            eprintln!("usage: cargo xtask <demo|test|bench|fuzz|install-consul>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))
}

/// Starts a dev agent plus a client agent for the tour to join; returns them with the
/// environment the tour reads.
fn start_demo_agents(
    rt: &tokio::runtime::Runtime,
) -> Result<(consul_test::TestAgent, consul_test::TestAgent), String> {
    rt.block_on(async {
        let main = consul_test::TestAgent::builder()
            .node_name("tour-server")
            .start()
            .await
            .map_err(|e| e.to_string())?;
        let second = consul_test::TestAgent::builder()
            .client_agent()
            .node_name("tour-client")
            .start()
            .await
            .map_err(|e| e.to_string())?;
        Ok((main, second))
    })
}

fn demo() -> Result<(), String> {
    let consul = provision::ensure_consul()?;
    println!("== consul: {}", consul.display());
    std::env::set_var("CONSUL_BIN", &consul);
    let rt = runtime()?;
    let (main, second) = start_demo_agents(&rt)?;
    println!(
        "== throwaway agents: {} (server, {}) and {} (client, not joined yet)",
        main.node_name(),
        main.http_addr(),
        second.node_name()
    );
    let status = cargo()
        .args(["run", "--quiet", "-p", "consulate", "--example", "tour"])
        .args(["--features", "register,discovery,config-watch"])
        .env("CONSUL_HTTP_ADDR", main.http_addr())
        .env("TOUR_JOIN_ADDR", second.serf_lan_addr())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    drop(second);
    drop(main);
    println!("== agents stopped");
    if status.success() {
        Ok(())
    } else {
        Err(format!("the tour failed ({status})"))
    }
}

const FAMILIES: &[&str] = &[
    "kv",
    "agent",
    "catalog",
    "health",
    "session",
    "event",
    "acl",
    "status",
    "snapshot",
    "txn",
    "query",
    "coordinate",
    "operator",
    "debug",
    "config",
    "connect",
    "peering",
    "namespace",
    "partition",
];

/// The capabilities built on the families (each its own feature, checked alone like them).
const CAPABILITIES: &[&str] = &["register", "discovery", "tower", "config-watch"];

struct Step {
    name: String,
    ok: bool,
    took: Duration,
}

fn run_step(steps: &mut Vec<Step>, name: &str, mut cmd: Command) {
    println!("\n== {name}");
    let started = Instant::now();
    let ok = match cmd.status() {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("cannot run {name}: {e}");
            false
        }
    };
    steps.push(Step {
        name: name.to_owned(),
        ok,
        took: started.elapsed(),
    });
}

fn test() -> Result<(), String> {
    let consul = provision::ensure_consul()?;
    println!("== consul: {}", consul.display());
    std::env::set_var("CONSUL_BIN", &consul);
    let mut steps = Vec::new();

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run_step(&mut steps, "cargo fmt --check", fmt);

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    run_step(&mut steps, "clippy (all features)", clippy);

    let mut clippy_min = cargo();
    clippy_min.args([
        "clippy",
        "--workspace",
        "--lib",
        "--no-default-features",
        "--",
        "-D",
        "warnings",
    ]);
    run_step(&mut steps, "clippy (no default features)", clippy_min);

    // Clippy rather than `RUSTFLAGS=-D warnings cargo check`: changing RUSTFLAGS would
    // rebuild every dependency, while clippy reuses the ones built above.
    for feature in FAMILIES
        .iter()
        .chain(CAPABILITIES)
        .chain(["hyper", "tls"].iter())
    {
        let mut check = cargo();
        check
            .args([
                "clippy",
                "--quiet",
                "-p",
                "consulate",
                "--no-default-features",
            ])
            .args(["--features", feature, "--", "-D", "warnings"]);
        run_step(&mut steps, &format!("feature `{feature}` alone"), check);
    }

    let mut tests = cargo();
    tests.args(["test", "--workspace", "--all-features"]);
    run_step(&mut steps, "cargo test (real agents)", tests);

    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps", "--all-features"])
        .env("RUSTDOCFLAGS", "-D warnings");
    run_step(&mut steps, "cargo doc (warnings denied)", doc);

    // The examples run against a real agent too (what the README promises must work).
    let rt = runtime()?;
    match start_demo_agents(&rt) {
        Ok((main, second)) => {
            for example in provision::examples()? {
                let mut run = cargo();
                // Every feature, so examples of optional capabilities (their
                // `required-features`) run too.
                run.args(["run", "--quiet", "-p", "consulate", "--all-features"])
                    .args(["--example", &example])
                    .env("CONSUL_HTTP_ADDR", main.http_addr())
                    .env("TOUR_JOIN_ADDR", second.serf_lan_addr())
                    .stdout(std::process::Stdio::null());
                run_step(
                    &mut steps,
                    &format!("example `{example}` on a dev agent"),
                    run,
                );
            }
        }
        Err(e) => {
            eprintln!("{e}");
            steps.push(Step {
                name: "examples on a dev agent".into(),
                ok: false,
                took: Duration::ZERO,
            });
        }
    }

    println!("\n== summary");
    for s in &steps {
        println!(
            "{}  {:<40} {:>6.1}s",
            if s.ok { "ok  " } else { "FAIL" },
            s.name,
            s.took.as_secs_f64()
        );
    }
    let failed = steps.iter().filter(|s| !s.ok).count();
    let passed = steps.len() - failed;
    println!("xtask: {passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} step(s) failed"))
    }
}

/// The property tests run long: `cargo xtask test` runs them with few cases (the default
/// of `PROPTEST_CASES`), this with many, optimised unless `--debug` (overflow checks on).
fn fuzz(args: &[String]) -> Result<(), String> {
    let mut cases: u32 = 20_000;
    let mut release = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cases" => {
                cases = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--cases needs a number")?;
            }
            "--debug" => release = false,
            other => return Err(format!("fuzz: unknown argument {other:?}")),
        }
    }
    let mut cmd = cargo();
    cmd.args(["test", "-p", "consul-types"]);
    if release {
        cmd.arg("--release");
    }
    cmd.args(["--test", "prop_models", "--test", "prop_options"])
        .env("PROPTEST_CASES", cases.to_string());
    println!("== property tests, {cases} cases each");
    let started = Instant::now();
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    println!("== took {:.0?}", started.elapsed());
    if status.success() {
        Ok(())
    } else {
        Err("a property failed: its input is above, its seed in crates/consul-types/tests/proptest-regressions/".into())
    }
}

fn bench(args: &[String]) -> Result<(), String> {
    let consul = provision::ensure_consul()?;
    std::env::set_var("CONSUL_BIN", &consul);
    let rt = runtime()?;
    // `BENCH_ONLY=kv` or `BENCH_ONLY=watches` runs one of the two benchmarks.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only != "watches" {
        let agent = rt
            .block_on(
                consul_test::TestAgent::builder()
                    .node_name("bench")
                    .hcl("log_level = \"warn\"")
                    .start(),
            )
            .map_err(|e| e.to_string())?;
        println!("== bench agent at {}", agent.http_addr());
        let status = cargo()
            .args(["bench", "-p", "consulate", "--bench", "kv", "--"])
            .args(args)
            .env("CONSUL_HTTP_ADDR", agent.http_addr())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("the KV benchmark failed ({status})"));
        }
        // Optional: a machine without valgrind (or where it cannot be installed) still
        // gets every other figure.
        match provision::ensure_valgrind() {
            Ok(()) => client_cost::measure(&agent.http_addr())?,
            Err(why) => println!("\n== client cost skipped: {why}"),
        }
        drop(agent);
    }
    if only == "kv" {
        return Ok(());
    }
    // Many watches: an agent of its own serving HTTPS (HTTP/2) beside plain HTTP, with
    // Consul's default limits (200 connections per client address).
    let certs = consul_test::TlsCerts::make().map_err(|e| e.to_string())?;
    let agent = rt
        .block_on(
            consul_test::TestAgent::builder()
                .node_name("bench-watches")
                .hcl("log_level = \"warn\"")
                .https(&certs)
                .start(),
        )
        .map_err(|e| e.to_string())?;
    let https = agent
        .https_addr()
        .ok_or("the watches agent serves no HTTPS")?;
    println!("\n== watches agent at {https} and {}", agent.http_addr());
    let status = cargo()
        .args(["bench", "-p", "consulate", "--features", "tls"])
        .args(["--bench", "watches", "--"])
        .args(args)
        .env("CONSUL_HTTP_ADDR", &https)
        .env("CONSUL_CACERT", certs.ca())
        .env("BENCH_WATCHES_HTTP_ADDR", agent.http_addr())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    drop(agent);
    if status.success() {
        Ok(())
    } else {
        Err(format!("the watches benchmark failed ({status})"))
    }
}
