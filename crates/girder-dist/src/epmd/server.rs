//! The embedded EPMD server (the `epmd` daemon's node registry), serving
//! Girder and real Erlang nodes alike.
//!
//! One task accepts; each connection gets a task that reads one request.
//! `ALIVE2_REQ` keeps its connection: the name stays registered until that
//! connection closes. `PORT_PLEASE2_REQ` and `NAMES_REQ` are answered and
//! closed. Requests this server does not serve (`DUMP_REQ`, `KILL_REQ`,
//! `STOP_REQ`) close the connection with a logged reason. Dropping the
//! [`EpmdServer`] stops the accept task and every connection task.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::wire::{self, NodeEntry, Request};

/// How long a connection may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A running embedded EPMD server. Dropping it stops the server and drops
/// every registration it holds.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use girder_dist::epmd::{self, EpmdServer, NodeEntry};
/// let server = EpmdServer::bind("127.0.0.1:0".parse().unwrap()).await?;
/// let reg = epmd::register(server.local_addr(), &NodeEntry::new("a", 4000)).await.unwrap();
/// let found = epmd::port_please(server.local_addr(), "a").await.unwrap().unwrap();
/// assert_eq!(found.port, 4000);
/// # drop(reg);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EpmdServer {
    local_addr: SocketAddr,
    registry: Arc<Mutex<Registry>>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
struct Registry {
    nodes: HashMap<String, Registered>,
    next_creation: u32,
    next_conn: u64,
}

#[derive(Debug)]
struct Registered {
    entry: NodeEntry,
    conn: u64,
}

impl Registry {
    /// Creations start at a random value and count up, skipping 0..=3 (the
    /// old 2-bit creations), as `epmd` does for 32-bit creations.
    fn creation(&mut self) -> u32 {
        let c = self.next_creation;
        self.next_creation = c.checked_add(1).unwrap_or(4);
        c
    }
}

impl EpmdServer {
    /// Listens on `addr` (use loopback unless the cluster spans hosts; port
    /// 0 picks a free port) and serves until dropped.
    pub async fn bind(addr: SocketAddr) -> io::Result<EpmdServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let mut seed = [0u8; 4];
        getrandom::fill(&mut seed).map_err(|e| io::Error::other(e.to_string()))?;
        let registry = Arc::new(Mutex::new(Registry {
            nodes: HashMap::new(),
            next_creation: u32::from_be_bytes(seed).max(4),
            next_conn: 0,
        }));
        let task = tokio::spawn(accept_loop(listener, registry.clone()));
        tracing::info!(%local_addr, "embedded EPMD listening");
        Ok(EpmdServer {
            local_addr,
            registry,
            task,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The registered nodes, sorted by name.
    pub fn nodes(&self) -> Vec<NodeEntry> {
        let mut v: Vec<NodeEntry> = self
            .registry
            .lock()
            .nodes
            .values()
            .map(|r| r.entry.clone())
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }
}

impl Drop for EpmdServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Runs an embedded EPMD server on `addr` until the future is dropped (what
/// `girder epmd` runs; Erlang's `epmd -port P`). Returns only if binding
/// fails.
pub async fn serve(addr: SocketAddr) -> io::Result<Infallible> {
    let _server = EpmdServer::bind(addr).await?;
    std::future::pending().await
}

async fn accept_loop(listener: TcpListener, registry: Arc<Mutex<Registry>>) {
    // Owned here, so aborting this task aborts every connection task.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    conns.spawn(serve_conn(stream, peer, registry.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off, go on.
                    tracing::warn!(error = %e, "embedded EPMD: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let len = usize::from(stream.read_u16().await?);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

async fn serve_conn(mut stream: TcpStream, peer: SocketAddr, registry: Arc<Mutex<Registry>>) {
    let body = match tokio::time::timeout(REQUEST_TIMEOUT, read_request(&mut stream)).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %e, "embedded EPMD: no request");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "embedded EPMD: closing a connection that sent no request in time");
            return;
        }
    };
    let request = match Request::decode(&body) {
        Ok(r) => r,
        Err(reason) => {
            tracing::info!(%peer, reason, "embedded EPMD: closing after a malformed request");
            return;
        }
    };
    let result = match request {
        Request::Alive2(entry) => alive2(stream, peer, entry, &registry).await,
        Request::PortPlease2(name) => {
            let found = registry.lock().nodes.get(&name).map(|r| r.entry.clone());
            stream.write_all(&wire::port2_resp(found.as_ref())).await
        }
        Request::Names => {
            let port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
            let mut nodes: Vec<(String, u16)> = registry
                .lock()
                .nodes
                .values()
                .map(|r| (r.entry.name.clone(), r.entry.port))
                .collect();
            nodes.sort();
            stream.write_all(&wire::names_resp(port, &nodes)).await
        }
        Request::Other(tag) => {
            tracing::info!(%peer, tag, "embedded EPMD: closing after a request it does not serve");
            Ok(())
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "embedded EPMD: connection error");
    }
}

async fn alive2(
    mut stream: TcpStream,
    peer: SocketAddr,
    entry: NodeEntry,
    registry: &Mutex<Registry>,
) -> io::Result<()> {
    let x = entry.highest_version >= 6;
    let name = entry.name.clone();
    let registered = {
        let mut reg = registry.lock();
        if reg.nodes.contains_key(&name) {
            None
        } else {
            let creation = reg.creation();
            let conn = reg.next_conn;
            reg.next_conn += 1;
            let port = entry.port;
            reg.nodes.insert(name.clone(), Registered { entry, conn });
            Some((creation, conn, port))
        }
    };
    let Some((creation, conn, port)) = registered else {
        tracing::info!(%peer, name, "embedded EPMD: name already registered");
        return stream.write_all(&wire::alive2_resp(x, 1, 0)).await;
    };
    tracing::info!(%peer, name, port, creation, "embedded EPMD: registered");
    // Unregisters when this future ends, whether by EOF, error or abort.
    let _unregister = Unregister {
        registry,
        name: &name,
        conn,
    };
    stream.write_all(&wire::alive2_resp(x, 0, creation)).await?;
    let mut buf = [0u8; 256];
    // The node says nothing more; EOF means it is gone.
    while stream.read(&mut buf).await? != 0 {}
    Ok(())
}

struct Unregister<'a> {
    registry: &'a Mutex<Registry>,
    name: &'a str,
    conn: u64,
}

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        let mut reg = self.registry.lock();
        if reg
            .nodes
            .get(self.name)
            .is_some_and(|r| r.conn == self.conn)
        {
            reg.nodes.remove(self.name);
            tracing::info!(name = self.name, "embedded EPMD: unregistered");
        }
    }
}
