//! The connection manager (Erlang `net_kernel`'s connection table): one
//! entry per peer node, pending while a handshake runs, up once it
//! succeeded.
//!
//! Invariants, all under the `peers` lock:
//!
//! * At most one entry per node. A pending entry is owned by exactly one
//!   handshake, named by its `attempt` id; only that handshake may turn it
//!   up or drop it. A handshake whose attempt no longer owns the entry (it
//!   lost a simultaneous connect, or was cancelled) drops its socket.
//! * An up entry is owned by its connection id; only that connection's
//!   tasks may report it lost. Its writer queue is the only way to send.
//! * Handler callbacks and waiter notifications run after the lock is
//!   released (collected in [`Deferred`]).
//!
//! Simultaneous connect is resolved as OTP does: when a node dials a peer
//! that is dialling it, the side with the greater name (compared as atoms)
//! keeps its own attempt and answers the other `nok`; the smaller side
//! answers `ok_simultaneous` and cancels its own attempt.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use girder_term::Limits;
use parking_lot::Mutex;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

use crate::control::{ControlMessage, ProcRef};
use crate::epmd::{self, EpmdServer, NodeEntry, Registration};
use crate::handshake::{self, Admission, HandshakeError, Local, Peer};
use crate::name::NodeName;
use crate::node::connection;
use crate::node::error::{ConnectError, SendError};
use crate::node::events::{Handler, NodeDownReason};
use crate::node::net_kernel;

pub(crate) type Waiter = oneshot::Sender<Result<(), ConnectError>>;

pub(crate) struct Inner {
    pub(crate) local: Local,
    pub(crate) listen_addr: SocketAddr,
    pub(crate) epmd_port: u16,
    pub(crate) net_tick_time: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) max_frame_bytes: usize,
    pub(crate) limits: Limits,
    pub(crate) handler: Option<Arc<dyn Handler>>,
    pub(crate) peers: Mutex<HashMap<NodeName, PeerState>>,
    next_id: AtomicU64,
    stopped: AtomicBool,
    tasks: Mutex<Vec<AbortHandle>>,
}

pub(crate) enum PeerState {
    Pending(Pending),
    Up(Up),
}

pub(crate) struct Pending {
    attempt: u64,
    /// Our dial task, while it runs.
    dial: Option<AbortHandle>,
    /// Our dial got `nok`: the peer's own connection to us is expected.
    awaiting_incoming: bool,
    waiters: Vec<Waiter>,
    /// Messages sent while connecting (auto-connect), in order; encoded for
    /// the peer's flags once it is up.
    queue: Vec<ControlMessage>,
}

pub(crate) struct Up {
    conn: u64,
    pub(crate) peer: Peer,
    pub(crate) tx: mpsc::UnboundedSender<Vec<u8>>,
    tasks: [AbortHandle; 2],
}

impl Up {
    fn abort(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Work to do once the lock is released.
#[derive(Default)]
struct Deferred {
    notify: Vec<(Waiter, Result<(), ConnectError>)>,
    up: Option<NodeName>,
    down: Vec<(NodeName, NodeDownReason)>,
}

impl Deferred {
    fn fail(&mut self, waiters: Vec<Waiter>, err: &ConnectError) {
        self.notify
            .extend(waiters.into_iter().map(|w| (w, Err(err.clone()))));
    }

    fn run(self, inner: &Inner) {
        for (w, r) in self.notify {
            let _ = w.send(r);
        }
        if let Some(h) = &inner.handler {
            for (node, reason) in &self.down {
                h.node_down(node, reason);
            }
            if let Some(node) = &self.up {
                h.node_up(node);
            }
        }
    }
}

impl Inner {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        local: Local,
        listen_addr: SocketAddr,
        epmd_port: u16,
        net_tick_time: Duration,
        handshake_timeout: Duration,
        max_frame_bytes: usize,
        limits: Limits,
        handler: Option<Arc<dyn Handler>>,
    ) -> Inner {
        Inner {
            local,
            listen_addr,
            epmd_port,
            net_tick_time,
            handshake_timeout,
            max_frame_bytes,
            limits: limits.max_input_bytes(max_frame_bytes),
            handler,
            peers: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            stopped: AtomicBool::new(false),
            tasks: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn name(&self) -> &NodeName {
        &self.local.name
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    pub(crate) fn add_task(&self, task: AbortHandle) {
        self.tasks.lock().push(task);
    }

    /// Stops accepting, unregisters from EPMD, closes every connection.
    pub(crate) fn shutdown(&self) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
        let mut d = Deferred::default();
        for (node, state) in self.peers.lock().drain() {
            match state {
                PeerState::Up(up) => {
                    up.abort();
                    d.down.push((node, NodeDownReason::Stopped));
                }
                PeerState::Pending(p) => {
                    if let Some(dial) = p.dial {
                        dial.abort();
                    }
                    d.fail(p.waiters, &ConnectError::Stopped);
                }
            }
        }
        tracing::info!(node = %self.name(), "node stopped");
        d.run(self);
    }

    // ----- outgoing -----

    /// Joins or starts a connection attempt; the receiver resolves when the
    /// connection is up or failed.
    pub(crate) fn connect(
        self: &Arc<Self>,
        node: &NodeName,
    ) -> Result<oneshot::Receiver<Result<(), ConnectError>>, ConnectError> {
        let (tx, rx) = oneshot::channel();
        let mut peers = self.peers.lock();
        if self.is_stopped() {
            return Err(ConnectError::Stopped);
        }
        match peers.get_mut(node) {
            Some(PeerState::Up(_)) => {
                let _ = tx.send(Ok(()));
            }
            Some(PeerState::Pending(p)) => p.waiters.push(tx),
            None => self.start_dial(&mut peers, node, vec![tx], Vec::new()),
        }
        Ok(rx)
    }

    /// Sends `message` to `node`, connecting first if needed (Erlang's
    /// auto-connect): while the connection is being set up the message
    /// waits, in order; if it cannot be set up, queued messages are dropped
    /// and the handler hears `node_down` with the reason.
    pub(crate) fn send(
        self: &Arc<Self>,
        node: &NodeName,
        message: &ControlMessage,
    ) -> Result<(), SendError> {
        if node == self.name() {
            return Err(SendError::NotConnected { node: node.clone() });
        }
        let mut peers = self.peers.lock();
        if self.is_stopped() {
            return Err(SendError::NotConnected { node: node.clone() });
        }
        match peers.get_mut(node) {
            Some(PeerState::Up(up)) => {
                let (ctl, payload) = message.encode(up.peer.flags);
                let frame = crate::frame::encode_pass_through(&ctl, payload.as_ref())
                    .map_err(SendError::Encode)?;
                up.tx
                    .send(frame)
                    .map_err(|_| SendError::NotConnected { node: node.clone() })
            }
            Some(PeerState::Pending(p)) => {
                check_encodable(message)?;
                p.queue.push(message.clone());
                Ok(())
            }
            None => {
                check_encodable(message)?;
                self.start_dial(&mut peers, node, Vec::new(), vec![message.clone()]);
                Ok(())
            }
        }
    }

    fn start_dial(
        self: &Arc<Self>,
        peers: &mut HashMap<NodeName, PeerState>,
        node: &NodeName,
        waiters: Vec<Waiter>,
        queue: Vec<ControlMessage>,
    ) {
        let attempt = self.next_id();
        let dial = tokio::spawn(dial(self.clone(), attempt, node.clone())).abort_handle();
        peers.insert(
            node.clone(),
            PeerState::Pending(Pending {
                attempt,
                dial: Some(dial),
                awaiting_incoming: false,
                waiters,
                queue,
            }),
        );
    }

    /// Resolves the node's host, asks its EPMD, connects and runs the
    /// handshake as initiator.
    async fn dial_handshake(&self, node: &NodeName) -> Result<(TcpStream, Peer), ConnectError> {
        let ours = self.name().mode();
        if node.mode() != ours {
            return Err(ConnectError::NameMode {
                node: node.clone(),
                ours,
            });
        }
        let epmd_addr = resolve(node.host(), self.epmd_port).await?;
        let entry = epmd::port_please(epmd_addr, node.alive())
            .await
            .map_err(|e| ConnectError::Epmd(Arc::new(e)))?
            .ok_or_else(|| ConnectError::NotRegistered {
                node: node.clone(),
                epmd: epmd_addr,
            })?;
        if entry.highest_version < 6 {
            return Err(ConnectError::Version {
                node: node.clone(),
                highest: entry.highest_version,
            });
        }
        let addr = SocketAddr::new(epmd_addr.ip(), entry.port);
        let connect_err = |e| ConnectError::Connect {
            node: node.clone(),
            addr,
            error: Arc::new(e),
        };
        let mut stream = TcpStream::connect(addr).await.map_err(connect_err)?;
        stream.set_nodelay(true).map_err(connect_err)?;
        match tokio::time::timeout(
            self.handshake_timeout,
            handshake::initiate(&mut stream, &self.local, node),
        )
        .await
        {
            Ok(Ok(peer)) => Ok((stream, peer)),
            Ok(Err(e)) => Err(ConnectError::Handshake {
                node: node.clone(),
                error: Arc::new(e),
            }),
            Err(_) => Err(ConnectError::Timeout { node: node.clone() }),
        }
    }

    // ----- incoming -----

    /// The acceptor's status decision, made once the peer's name is known.
    fn admit(&self, peer: &NodeName, attempt: u64) -> Admission {
        let mut d = Deferred::default();
        let admission = {
            let mut peers = self.peers.lock();
            if self.is_stopped() {
                return Admission::NotAllowed;
            }
            match peers.get_mut(peer) {
                None => {
                    peers.insert(
                        peer.clone(),
                        PeerState::Pending(Pending {
                            attempt,
                            dial: None,
                            awaiting_incoming: false,
                            waiters: Vec::new(),
                            queue: Vec::new(),
                        }),
                    );
                    Admission::Ok
                }
                Some(PeerState::Pending(p)) if p.dial.is_some() => {
                    if self.name().atom() > peer.atom() {
                        Admission::Nok
                    } else {
                        if let Some(dial) = p.dial.take() {
                            dial.abort();
                        }
                        p.attempt = attempt;
                        Admission::OkSimultaneous
                    }
                }
                Some(PeerState::Pending(p)) if p.awaiting_incoming => {
                    p.awaiting_incoming = false;
                    p.attempt = attempt;
                    Admission::Ok
                }
                // Another handshake from that node is under way.
                Some(PeerState::Pending(_)) => Admission::NotAllowed,
                Some(PeerState::Up(_)) => {
                    // The peer dials although we hold a connection: ours is
                    // stale (it restarted, or the breakdown has not reached
                    // us). OTP replaces the old connection once the peer
                    // answers `true`; we drop it now.
                    if let Some(PeerState::Up(up)) = peers.insert(
                        peer.clone(),
                        PeerState::Pending(Pending {
                            attempt,
                            dial: None,
                            awaiting_incoming: false,
                            waiters: Vec::new(),
                            queue: Vec::new(),
                        }),
                    ) {
                        up.abort();
                        d.down.push((peer.clone(), NodeDownReason::Replaced));
                    }
                    Admission::Alive
                }
            }
        };
        d.run(self);
        admission
    }

    pub(crate) async fn accept_loop(self: Arc<Self>, listener: TcpListener) {
        // Handshakes under way; aborting this task aborts them.
        let mut handshakes = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, addr)) => {
                        handshakes.spawn(self.clone().accept_one(stream, addr));
                    }
                    Err(e) => {
                        tracing::warn!(node = %self.name(), error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(_) = handshakes.join_next(), if !handshakes.is_empty() => {}
            }
        }
    }

    async fn accept_one(self: Arc<Self>, mut stream: TcpStream, addr: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let attempt = self.next_id();
        let mut admitted: Option<NodeName> = None;
        let result = tokio::time::timeout(
            self.handshake_timeout,
            handshake::accept(&mut stream, &self.local, |peer, _flags| {
                admitted = Some(peer.clone());
                self.admit(peer, attempt)
            }),
        )
        .await;
        match result {
            Ok(Ok(peer)) => self.established(attempt, stream, peer),
            Ok(Err(e)) => {
                let quiet = matches!(e, HandshakeError::Nok { .. });
                if quiet {
                    tracing::debug!(node = %self.name(), peer_addr = %addr, reason = %e, "incoming handshake ended");
                } else {
                    tracing::warn!(node = %self.name(), peer_addr = %addr, reason = %e, "incoming handshake failed; connection closed");
                }
                if let Some(peer) = admitted {
                    let node = peer.clone();
                    self.attempt_failed(
                        attempt,
                        &peer,
                        ConnectError::Handshake {
                            node,
                            error: Arc::new(e),
                        },
                    );
                }
            }
            Err(_) => {
                tracing::warn!(
                    node = %self.name(),
                    peer_addr = %addr,
                    peer = %admitted.as_ref().map(|p| p.as_str()).unwrap_or("(no name yet)"),
                    timeout = ?self.handshake_timeout,
                    "incoming handshake timed out; connection closed"
                );
                if let Some(peer) = admitted {
                    let node = peer.clone();
                    self.attempt_failed(attempt, &peer, ConnectError::Timeout { node });
                }
            }
        }
    }

    // ----- outcomes -----

    /// A handshake succeeded: if its attempt still owns the entry, the
    /// connection goes up.
    pub(crate) fn established(self: &Arc<Self>, attempt: u64, stream: TcpStream, peer: Peer) {
        let mut d = Deferred::default();
        let go;
        {
            let mut peers = self.peers.lock();
            let owned = matches!(
                peers.get(&peer.name),
                Some(PeerState::Pending(p)) if p.attempt == attempt
            );
            if !owned || self.is_stopped() {
                tracing::debug!(node = %self.name(), peer = %peer.name, "handshake superseded; its connection is dropped");
                return;
            }
            let name = peer.name.clone();
            let (go_tx, go_rx) = oneshot::channel();
            go = go_tx;
            let (tx, tasks) = connection::spawn(self.clone(), attempt, peer.clone(), stream, go_rx);
            // Messages sent while connecting go first, in order.
            if let Some(PeerState::Pending(p)) = peers.get_mut(&name) {
                for m in p.queue.drain(..) {
                    let (ctl, payload) = m.encode(peer.flags);
                    match crate::frame::encode_pass_through(&ctl, payload.as_ref()) {
                        Ok(frame) => {
                            let _ = tx.send(frame);
                        }
                        Err(e) => {
                            tracing::warn!(node = %self.name(), peer = %name, error = %e, "queued message cannot be encoded; dropped");
                        }
                    }
                }
            }
            if let Some(PeerState::Pending(p)) = peers.insert(
                name.clone(),
                PeerState::Up(Up {
                    conn: attempt,
                    peer: peer.clone(),
                    tx,
                    tasks,
                }),
            ) {
                d.notify.extend(p.waiters.into_iter().map(|w| (w, Ok(()))));
            }
            d.up = Some(name);
        }
        tracing::info!(node = %self.name(), peer = %peer.name, creation = peer.creation, flags = %peer.flags, "connection up");
        d.run(self);
        let _ = go.send(());
    }

    /// A handshake failed: if its attempt owns the entry, the entry goes and
    /// its waiters learn why, except after `nok`, where the peer's own
    /// connection to us is awaited.
    pub(crate) fn attempt_failed(
        self: &Arc<Self>,
        attempt: u64,
        node: &NodeName,
        err: ConnectError,
    ) {
        let mut d = Deferred::default();
        {
            let mut peers = self.peers.lock();
            let Some(PeerState::Pending(p)) = peers.get_mut(node) else {
                return;
            };
            if p.attempt != attempt {
                return;
            }
            let nok = matches!(&err, ConnectError::Handshake { error, .. } if matches!(**error, HandshakeError::Nok { .. }));
            if nok && p.dial.is_some() {
                let wait = self.next_id();
                p.attempt = wait;
                p.dial = None;
                p.awaiting_incoming = true;
                tokio::spawn(expire_wait(self.clone(), wait, node.clone()));
                return;
            }
            if let Some(PeerState::Pending(p)) = peers.remove(node) {
                d.fail(p.waiters, &err);
                if !p.queue.is_empty() {
                    tracing::warn!(node = %self.name(), peer = %node, dropped = p.queue.len(), reason = %err, "messages to an unreachable node dropped");
                    d.down
                        .push((node.clone(), NodeDownReason::ConnectFailed(err.to_string())));
                }
            }
        }
        d.run(self);
    }

    /// A connection's reader or writer found it dead.
    pub(crate) fn connection_lost(&self, conn: u64, node: &NodeName, reason: NodeDownReason) {
        let mut d = Deferred::default();
        {
            let mut peers = self.peers.lock();
            if !matches!(peers.get(node), Some(PeerState::Up(up)) if up.conn == conn) {
                return;
            }
            if let Some(PeerState::Up(up)) = peers.remove(node) {
                up.abort();
            }
            d.down.push((node.clone(), reason.clone()));
        }
        match &reason {
            NodeDownReason::Protocol(_) | NodeDownReason::Io(_) | NodeDownReason::TickTimeout => {
                tracing::warn!(node = %self.name(), peer = %node, %reason, "connection closed");
            }
            _ => tracing::info!(node = %self.name(), peer = %node, %reason, "connection closed"),
        }
        d.run(self);
    }

    /// Closes the connection to `node`, or cancels connecting to it.
    pub(crate) fn disconnect(&self, node: &NodeName) -> bool {
        let mut d = Deferred::default();
        let was = {
            let mut peers = self.peers.lock();
            match peers.remove(node) {
                Some(PeerState::Up(up)) => {
                    up.abort();
                    d.down.push((node.clone(), NodeDownReason::Disconnected));
                    true
                }
                Some(PeerState::Pending(p)) => {
                    if let Some(dial) = p.dial {
                        dial.abort();
                    }
                    d.fail(
                        p.waiters,
                        &ConnectError::Disconnected { node: node.clone() },
                    );
                    false
                }
                None => false,
            }
        };
        if was {
            tracing::info!(node = %self.name(), peer = %node, "disconnected");
        }
        d.run(self);
        was
    }

    // ----- arriving messages -----

    /// Hands a control message on, answering what the node serves itself.
    pub(crate) fn dispatch(&self, from: &Peer, message: ControlMessage) {
        match &message {
            ControlMessage::RegSend {
                to,
                message: msg,
                from: sender,
            } if to.as_str() == "net_kernel" => {
                if let Some(reply) = net_kernel::answer(sender, msg) {
                    self.send_frame(&from.name, &reply);
                } else {
                    tracing::debug!(node = %self.name(), peer = %from.name, message = %msg, "net_kernel: request not served; dropped");
                }
                return;
            }
            ControlMessage::RegSend {
                to, message: msg, ..
            } if to.as_str() == "rex" => {
                if let Some(reply) = net_kernel::answer_rex(self.name().atom(), msg) {
                    self.send_frame(&from.name, &reply);
                    return;
                }
            }
            // `net_kernel` lives as long as the node: monitors of it never
            // fire (the peer gets `noconnection` when the connection goes).
            ControlMessage::MonitorP {
                to: ProcRef::Name(n),
                ..
            }
            | ControlMessage::DemonitorP {
                to: ProcRef::Name(n),
                ..
            } if n.as_str() == "net_kernel" => {
                return;
            }
            _ => {}
        }
        match &self.handler {
            Some(h) => h.control(&from.name, message),
            None => {
                tracing::debug!(node = %self.name(), peer = %from.name, ?message, "no handler; control message dropped")
            }
        }
    }

    /// Queues `message` on the connection to `node`; false if not up.
    pub(crate) fn send_frame(&self, node: &NodeName, message: &ControlMessage) -> bool {
        let Some((tx, flags)) = self.sender(node) else {
            return false;
        };
        let (ctl, payload) = message.encode(flags);
        match crate::frame::encode_pass_through(&ctl, payload.as_ref()) {
            Ok(frame) => tx.send(frame).is_ok(),
            Err(e) => {
                tracing::warn!(node = %self.name(), peer = %node, error = %e, "cannot encode a reply");
                false
            }
        }
    }

    pub(crate) fn sender(
        &self,
        node: &NodeName,
    ) -> Option<(mpsc::UnboundedSender<Vec<u8>>, crate::flags::DistFlags)> {
        match self.peers.lock().get(node) {
            Some(PeerState::Up(up)) => Some((up.tx.clone(), up.peer.flags)),
            _ => None,
        }
    }
}

async fn dial(inner: Arc<Inner>, attempt: u64, node: NodeName) {
    match inner.dial_handshake(&node).await {
        Ok((stream, peer)) => inner.established(attempt, stream, peer),
        Err(e) => {
            match &e {
                ConnectError::Handshake { error, .. }
                    if matches!(**error, HandshakeError::Nok { .. }) =>
                {
                    tracing::debug!(node = %inner.name(), peer = %node, reason = %e, "simultaneous connect: the peer's attempt wins");
                }
                _ => {
                    tracing::warn!(node = %inner.name(), peer = %node, reason = %e, "connect failed")
                }
            }
            inner.attempt_failed(attempt, &node, e);
        }
    }
}

/// After `nok`, the peer's own connection must arrive within the handshake
/// timeout.
async fn expire_wait(inner: Arc<Inner>, wait: u64, node: NodeName) {
    tokio::time::sleep(inner.handshake_timeout).await;
    inner.attempt_failed(wait, &node, ConnectError::Timeout { node: node.clone() });
}

async fn resolve(host: &str, port: u16) -> Result<SocketAddr, ConnectError> {
    let resolve_err = |error| ConnectError::Resolve {
        host: host.to_owned(),
        error: Arc::new(error),
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(resolve_err)?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| {
            resolve_err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no address",
            ))
        })
}

/// Registers with the EPMD at `addr`, starting the embedded server there
/// first when nothing listens and `embedded` allows it.
pub(crate) async fn register_or_serve(
    addr: SocketAddr,
    entry: &NodeEntry,
    embedded: bool,
) -> Result<(Registration, Option<EpmdServer>), epmd::EpmdError> {
    for _ in 0..3 {
        match epmd::register(addr, entry).await {
            Ok(r) => return Ok((r, None)),
            Err(e) if embedded && e.is_connection_refused() => match EpmdServer::bind(addr).await {
                Ok(server) => {
                    let r = epmd::register(addr, entry).await?;
                    return Ok((r, Some(server)));
                }
                // Another node started one first: register there.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(error) => return Err(epmd::EpmdError::Io { addr, error }),
            },
            Err(e) => return Err(e),
        }
    }
    epmd::register(addr, entry).await.map(|r| (r, None))
}

/// Holds the node's EPMD registration (and the embedded server, if this
/// node runs it) for the node's life; registers again if EPMD goes away.
pub(crate) async fn keep_registered(
    node: NodeName,
    mut registration: Registration,
    mut server: Option<EpmdServer>,
    entry: NodeEntry,
    embedded: bool,
) {
    let addr = registration.epmd_addr();
    loop {
        registration.closed().await;
        tracing::warn!(%node, epmd = %addr, "EPMD closed our registration; registering again");
        let mut delay = Duration::from_millis(50);
        loop {
            match register_or_serve(addr, &entry, embedded).await {
                Ok((r, s)) => {
                    registration = r;
                    if s.is_some() {
                        server = s;
                    }
                    tracing::info!(%node, epmd = %addr, embedded = server.is_some(), "registered in EPMD again");
                    break;
                }
                Err(e) => {
                    tracing::warn!(%node, epmd = %addr, error = %e, "cannot register in EPMD; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

/// Refuses a message with no ETF form before it is queued, so that the
/// sender learns it at once.
fn check_encodable(message: &ControlMessage) -> Result<(), SendError> {
    let (ctl, payload) = message.encode(crate::flags::DistFlags::GIRDER);
    crate::frame::encode_pass_through(&ctl, payload.as_ref())
        .map(drop)
        .map_err(SendError::Encode)
}
