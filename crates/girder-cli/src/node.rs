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

use girder::otp::supervisor::ChildSpec;
use girder::term::Term;
use girder::{Runtime, receive, register};
use girder_dist::failover::{Options, Singleton};
use girder_dist::{Cookie, DistNode, NodeConfig, NodeName, epmd, pg};

/// Run a distributed node: Girder joins an Erlang/Elixir cluster.
///
/// Registers a process `echo` that answers `{From, Term}` by sending
/// `Term` back to `From` (Erlang: `{echo, 'NAME'} ! {self(), hello}`),
/// prints the node's name and port, and runs until interrupted. Listens on
/// 127.0.0.1 unless told otherwise; registers in the EPMD on port 4369 (or
/// `ERL_EPMD_PORT`, or `--epmd-port`), starting an embedded EPMD there if
/// none is running, so no Erlang install is needed.
///
/// The node runs a `pg` scope (Erlang's `pg:start_link()`), so `pg` groups
/// are shared with Erlang nodes and other girder nodes. With `--failover
/// NAME --priority A,B,C` (the same on every node of the list), it takes
/// part in running the service NAME on exactly one node: the first live
/// one of the list; when that node dies the next one starts it. The
/// service is registered as NAME and joins the `pg` group NAME where it
/// runs, answers `{From, Term}` with `{NAME, Node, Term}`, and its node
/// prints `girder node: failover NAME runs here` when it starts there.
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
    /// Take part in running the failover service NAME (see above).
    #[arg(long, value_name = "NAME", requires = "priority")]
    failover: Option<String>,
    /// The nodes that run the --failover service, highest priority first,
    /// comma-separated; this node must be one of them.
    #[arg(
        long,
        value_name = "NODES",
        value_delimiter = ',',
        requires = "failover"
    )]
    priority: Vec<String>,
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
    let priority = args
        .priority
        .iter()
        .map(|n| NodeName::parse(n).map_err(|e| NodeError(format!("--priority: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let failover = args.failover;
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
        let scope = pg::start(&handle, &node)
            .await
            .map_err(|e| NodeError(format!("cannot start pg: {e}")))?;
        let _singleton = match failover {
            Some(name) => {
                let options = Options::new(&name, priority);
                let child = failover_service(name.clone(), node.clone());
                Some(
                    Singleton::start(&handle, &node, &scope, options, child)
                        .await
                        .map_err(|e| NodeError(format!("--failover {name}: {e}")))?,
                )
            }
            None => None,
        };
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

/// The `--failover` service: says on stdout that it runs here, then
/// answers `{From, Term}` with `{Name, Node, Term}`.
fn failover_service(name: String, node: DistNode) -> ChildSpec {
    ChildSpec::process(name.clone(), move || {
        let (name, node) = (name.clone(), node.clone());
        async move {
            {
                let mut out = std::io::stdout().lock();
                // Nobody may be reading any more: not a reason to crash.
                let _ = writeln!(out, "girder node: failover {name} runs here");
                let _ = out.flush();
            }
            let tag = Term::atom(&name);
            let here = Term::atom(node.name().as_str());
            loop {
                let message = receive::<Term>().await;
                if let Some([from, term]) = message.as_tuple() {
                    if let Some(pid) = node.pid_of(from) {
                        let reply = Term::tuple([tag.clone(), here.clone(), term.clone()]);
                        girder::send(pid, reply);
                    }
                }
            }
        }
    })
}
