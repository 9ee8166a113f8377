//! Running a runner in its own OS process (`erl`, or a child `girder bench
//! --internal …`) with a deadline, and reading the lines it printed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::metric::RunOutput;
use crate::{BenchError, Result};

/// Runs `cmd` to completion, or kills it after `timeout`; returns what it
/// printed on stdout, parsed ([`RunOutput::parse`]). A non-zero exit is an
/// error that quotes the end of its output; `what` names it in errors.
pub fn run_command(mut cmd: Command, timeout: Duration, what: &str) -> Result<RunOutput> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| BenchError::new(format!("{what}: cannot start: {e}")))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| BenchError::new(format!("{what}: no stdout")))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| BenchError::new(format!("{what}: no stderr")))?;
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        None => Err(BenchError::new(format!(
            "{what}: no result within {} s (killed){}",
            timeout.as_secs(),
            tail(&stdout, &stderr)
        ))),
        Some(status) if !status.success() => Err(BenchError::new(format!(
            "{what}: exited with {status}{}",
            tail(&stdout, &stderr)
        ))),
        Some(_) => Ok(RunOutput::parse(&stdout)),
    }
}

/// The last lines of a failed runner's output, for the error message.
fn tail(stdout: &str, stderr: &str) -> String {
    let lines: Vec<&str> = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let last = &lines[lines.len().saturating_sub(6)..];
    if last.is_empty() {
        String::new()
    } else {
        format!(":\n    {}", last.join("\n    "))
    }
}
