//! The `girder` command.
//!
//! `girder demo` shows Girder's process model at work on this machine: a
//! million processes, fair scheduling beside a CPU hog, and Erlang's crash
//! semantics (links, monitors, exit signals). `girder node` runs a node
//! that joins an Erlang cluster; `girder epmd` an EPMD server. Each subcommand lives in its
//! own module; `main` only parses the command line and maps the outcome to
//! an exit code.
#![forbid(unsafe_code)]

mod bench;
mod demo;
mod epmd;
mod node;

/// The `girder` binary runs on mimalloc (`girder::Mimalloc`, feature
/// `mimalloc`): Girder allocates per process and per message, and
/// mimalloc's thread-local free lists keep spawn and exit off a shared arena
/// lock. An application built on Girder chooses its own allocator.
#[global_allocator]
static GLOBAL: girder::Mimalloc = girder::Mimalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Girder: the BEAM process model in Rust.
///
/// Lightweight processes, mailboxes with selective receive, links, monitors
/// and exit signals, on one scheduler thread per core.
#[derive(Debug, Parser)]
#[command(name = "girder", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::DemoArgs),
    Bench(bench::BenchArgs),
    Epmd(epmd::EpmdArgs),
    Node(node::NodeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome: Result<(), Box<dyn std::error::Error>> = match cli.command {
        Command::Demo(args) => demo::run(args).map_err(Into::into),
        Command::Bench(args) => bench::run(args).map_err(Into::into),
        Command::Epmd(args) => epmd::run(args).map_err(Into::into),
        Command::Node(args) => node::run(args).map_err(Into::into),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("girder: {e}");
            ExitCode::FAILURE
        }
    }
}
