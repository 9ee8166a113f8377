//! Helpers shared by the codec tests: hex, the golden vector file, and a
//! running `erl` speaking the packet protocol of `tests/data/etf_port.escript`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use girder_term::{Term, decode, encode};

pub(crate) fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// One line of `tests/data/golden.txt`.
#[derive(Debug, Clone)]
pub(crate) struct Vector {
    pub(crate) name: String,
    /// `v2`, `v1`, `v0`, `z` or `det` (see golden.escript).
    pub(crate) enc: String,
    pub(crate) bytes: Vec<u8>,
    /// `io:format("~w")` of the term; `None` where the generator cut it.
    pub(crate) printed: Option<String>,
}

pub(crate) fn golden() -> Vec<Vector> {
    let text = include_str!("../data/golden.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let mut f = l.splitn(4, '\t');
            let name = f.next().expect("name").to_string();
            let enc = f.next().expect("encoding").to_string();
            let bytes = unhex(f.next().expect("hex"));
            let printed = f.next().expect("printed");
            let printed = (!printed.ends_with("...")).then(|| printed.to_string());
            Vector {
                name,
                enc,
                bytes,
                printed,
            }
        })
        .collect()
}

/// The `v2` bytes of the vector `name`.
pub(crate) fn golden_v2(name: &str) -> Vec<u8> {
    golden()
        .into_iter()
        .find(|v| v.name == name && v.enc == "v2")
        .unwrap_or_else(|| panic!("no golden vector {name}"))
        .bytes
}

/// A running `escript tests/data/etf_port.escript`.
pub(crate) struct Erl {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Erl {
    /// Starts the Erlang side, or returns `None` (with a note) when `erl` is
    /// not installed. Under CI (`CI` set) a missing `erl` is a failure.
    pub(crate) fn start() -> Option<Erl> {
        let script = data_dir().join("etf_port.escript");
        let spawned = Command::new("escript")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                if std::env::var_os("CI").is_some() {
                    panic!("CI is set but escript/erl cannot be started: {e}");
                }
                eprintln!("note: skipping the live erl test: cannot start escript ({e})");
                return None;
            }
        };
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Some(Erl {
            child,
            stdin,
            stdout,
        })
    }

    pub(crate) fn send(&mut self, packet: &[u8]) {
        let len = u32::try_from(packet.len()).expect("packet size");
        self.stdin.write_all(&len.to_be_bytes()).expect("write");
        self.stdin.write_all(packet).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub(crate) fn recv(&mut self) -> Vec<u8> {
        let mut len = [0u8; 4];
        self.stdout
            .read_exact(&mut len)
            .expect("erl closed its output");
        let mut packet = vec![0u8; u32::from_be_bytes(len) as usize];
        self.stdout.read_exact(&mut packet).expect("read");
        packet
    }

    /// Sends a request term and decodes the reply.
    pub(crate) fn call(&mut self, request: &Term) -> Term {
        self.send(&encode(request).expect("encode request"));
        let reply = self.recv();
        decode(&reply).expect("decode reply")
    }
}

impl Drop for Erl {
    fn drop(&mut self) {
        if let Ok(stop) = encode(&Term::atom("stop")) {
            let len = (stop.len() as u32).to_be_bytes();
            let _ = self.stdin.write_all(&len);
            let _ = self.stdin.write_all(&stop);
            let _ = self.stdin.flush();
        }
        let _ = self.child.wait();
    }
}
