//! I/O: processes await tokio sockets directly.

use girder_core::{Down, receive, receive_match, self_pid, send, spawn, spawn_monitor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

girder_test!(
    /// A TCP echo between two processes over loopback.
    tcp_echo_between_two_processes,
    async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (_server, sm) = spawn_monitor(async move {
            let (mut sock, _) = listener.accept().await.expect("accept");
            let mut buf = vec![0u8; 1024];
            loop {
                let n = sock.read(&mut buf).await.expect("read");
                if n == 0 {
                    return;
                }
                sock.write_all(&buf[..n]).await.expect("write");
            }
        });
        let me = self_pid();
        spawn(async move {
            let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
            let mut replies = Vec::new();
            for i in 0..100u32 {
                let line = format!("hello {i}\n");
                sock.write_all(line.as_bytes()).await.expect("write");
                let mut buf = vec![0u8; line.len()];
                sock.read_exact(&mut buf).await.expect("read");
                replies.push(String::from_utf8(buf).expect("utf8"));
            }
            send(me, replies);
        });
        let replies: Vec<String> = receive().await;
        assert_eq!(replies.len(), 100);
        assert_eq!(replies[42], "hello 42\n");
        // The client dropped its socket: the server sees EOF and ends normally.
        let d = receive_match(move |d: &Down| d.monitor == sm).await;
        assert_eq!(d.reason, girder_core::ExitReason::Normal);
    }
);

girder_test!(
    /// tokio timers work inside processes too.
    tokio_sleep_inside_a_process,
    async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
);
