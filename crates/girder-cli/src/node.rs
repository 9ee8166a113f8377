//! `girder node`: a Girder node that joins an Erlang cluster and serves a
//! registered process `echo`, so an Erlang or Elixir shell can try
//! distribution with a one-liner:
//!
//! ```text
//! $ girder node --name echo@127.0.0.1 --cookie secret
//! (elsewhere) erl -name a@127.0.0.1 -setcookie secret
//! 1> {echo, 'echo@127.0.0.1'} ! {self(), hello}, flush().
//! Shell got hello
//! ```

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use girder::term::Term;
use girder::{Runtime, receive, register};
use girder_dist::{Cookie, DistNode, NodeConfig, epmd};

/// Run a distributed node: Girder joins an Erlang/Elixir cluster.
///
/// Registers a process `echo` that answers `{From, Term}` by sending
/// `Term` back to `From` (Erlang: `{echo, 'NAME'} ! {self(), hello}`),
/// prints the node's name and port, and runs until interrupted. Listens on
/// 127.0.0.1 unless told otherwise; registers in the EPMD on port 4369 (or
/// `ERL_EPMD_PORT`, or `--epmd-port`), starting an embedded EPMD there if
/// none is running, so no Erlang install is needed.
#[derive(Debug, clap::Args)]
pub(crate) struct NodeArgs {
    /// The node's name, `alive@host`: long (`echo@127.0.0.1`, like
    /// `erl -name`) if the host has dots, else short (like `erl -sname`).
    #[arg(long)]
    name: String,
    /// The cookie (like `erl -setcookie`). Default: `GIRDER_COOKIE`, else
    /// `~/.erlang.cookie` as Erlang reads it.
    #[arg(long)]
    cookie: Option<String>,
    /// The address to accept distribution connections on (port 0 picks a
    /// free port). Only loopback is safe without TLS: the cookie
    /// authenticates but does not encrypt.
    #[arg(long, default_value_t = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))]
    listen: SocketAddr,
    /// EPMD's port (default: ERL_EPMD_PORT, else 4369).
    #[arg(long)]
    epmd_port: Option<u16>,
    /// Scheduler threads (default: one per core).
    #[arg(long)]
    schedulers: Option<usize>,
}

/// Why `girder node` stopped.
#[derive(Debug)]
pub(crate) struct NodeError(String);

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NodeError {}

/// Runs the node until the process is interrupted.
pub(crate) fn run(args: NodeArgs) -> Result<(), NodeError> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let mut config = NodeConfig::new(&args.name)
        .map_err(|e| NodeError(e.to_string()))?
        .listen(args.listen);
    if let Some(cookie) = &args.cookie {
        config = config.cookie(Cookie::new(cookie).map_err(|e| NodeError(e.to_string()))?);
    }
    let epmd_port = match args.epmd_port {
        Some(p) => p,
        None => epmd::epmd_port_from_env().map_err(|e| NodeError(e.to_string()))?,
    };
    config = config.epmd_port(epmd_port);
    let mut builder = Runtime::builder().name("girder-node");
    if let Some(n) = args.schedulers {
        builder = builder.schedulers(n);
    }
    let rt = builder
        .build()
        .map_err(|e| NodeError(format!("cannot start the runtime: {e}")))?;
    let handle = rt.handle().clone();
    let outcome = rt.block_on(async move {
        let node = girder_dist::start(&handle, config)
            .await
            .map_err(|e| NodeError(e.to_string()))?;
        let echo = node.clone();
        let pid = girder::spawn(async move { serve_echo(echo).await });
        register("echo", pid).map_err(|e| NodeError(format!("cannot register echo: {e}")))?;
        let addr = node.listen_addr();
        println!(
            "girder node: {} listening on {addr} (EPMD port {epmd_port}); \
             process `echo` answers {{From, Term}} with Term; Ctrl-C stops it",
            node.name()
        );
        // The line above is how scripts and tests learn the name and port.
        let _ = std::io::stdout().flush();
        receive::<Stop>().await;
        drop(node);
        Ok::<(), NodeError>(())
    });
    match outcome {
        Ok(result) => result,
        Err(reason) => Err(NodeError(format!(
            "the node's root process exited: {reason}"
        ))),
    }
}

/// Never sent: the root process waits on it until the OS ends the command.
struct Stop;

/// The `echo` process: `{From, Term}` → `Term` to `From`. Anything else is
/// logged and dropped.
async fn serve_echo(node: DistNode) {
    loop {
        let message = receive::<Term>().await;
        match message.as_tuple() {
            Some([from, term]) => match node.pid_of(from) {
                Some(pid) => girder::send(pid, term.clone()),
                None => {
                    tracing::warn!(%message, "echo: {{From, Term}} whose From is not a pid; dropped")
                }
            },
            _ => tracing::warn!(%message, "echo: not {{From, Term}}; dropped"),
        }
    }
}
