//! `girder epmd`: an EPMD server (Erlang's port mapper daemon), so a
//! cluster of Girder nodes, or of Girder and Erlang nodes, needs no Erlang
//! install. Real `erl` nodes register with it as with `epmd`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use girder_dist::epmd::{self, EpmdServer};

/// Run an EPMD server: Erlang's `epmd`, the name-to-port service Erlang and
/// Girder nodes register with and look each other up in.
///
/// Listens on 127.0.0.1 unless told otherwise, on port 4369 (or
/// `ERL_EPMD_PORT`, as `epmd` reads it). Runs until interrupted. A Girder
/// node starts an embedded EPMD by itself when none is listening, so this
/// is for clusters that want one long-lived EPMD, as `epmd -daemon` gives
/// Erlang hosts.
#[derive(Debug, clap::Args)]
pub(crate) struct EpmdArgs {
    /// The port (default: ERL_EPMD_PORT, else 4369; 0 picks a free port).
    #[arg(long)]
    port: Option<u16>,
    /// The address to listen on. Only loopback is safe without a firewall:
    /// EPMD has no authentication.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    address: IpAddr,
}

/// Why `girder epmd` stopped.
#[derive(Debug)]
pub(crate) struct EpmdError(String);

impl std::fmt::Display for EpmdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EpmdError {}

/// Runs the server until the process is interrupted.
pub(crate) fn run(args: EpmdArgs) -> Result<(), EpmdError> {
    let port = match args.port {
        Some(p) => p,
        None => epmd::epmd_port_from_env().map_err(|e| EpmdError(e.to_string()))?,
    };
    let addr = SocketAddr::new(args.address, port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EpmdError(format!("cannot start the I/O runtime: {e}")))?;
    rt.block_on(async move {
        let server = EpmdServer::bind(addr)
            .await
            .map_err(|e| EpmdError(format!("cannot listen on {addr}: {e}")))?;
        println!(
            "girder epmd: listening on {} (Erlang's EPMD protocol; Ctrl-C stops it)",
            server.local_addr()
        );
        // The line above is how scripts and tests learn the port.
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        std::future::pending::<()>().await;
        drop(server);
        Ok(())
    })
}
