//! Stress: four schedulers on whatever cores there are, 200 senders × 10
//! receivers × 1,000 messages = 2,000,000 messages; none lost, none
//! duplicated, each sender's order kept at each receiver.

use girder_core::{Pid, Runtime, receive, self_pid, send, spawn};

#[derive(Debug)]
struct Msg {
    sender: u32,
    seq: u32,
}

#[test]
fn two_million_messages_keep_per_pair_order() {
    const SENDERS: u32 = 200;
    const RECEIVERS: usize = 10;
    const PER_PAIR: u32 = 1_000;
    let rt = Runtime::builder()
        .schedulers(4)
        .name("stress")
        .build()
        .expect("runtime");
    let totals = rt
        .block_on(async {
            let root = self_pid();
            let receivers: Vec<Pid> = (0..RECEIVERS)
                .map(|_| {
                    spawn(async move {
                        let mut next = vec![0u32; SENDERS as usize];
                        let mut count = 0u64;
                        while count < u64::from(SENDERS * PER_PAIR) {
                            let m = receive::<Msg>().await;
                            let expected = &mut next[m.sender as usize];
                            assert_eq!(m.seq, *expected, "order broken for sender {}", m.sender);
                            *expected += 1;
                            count += 1;
                        }
                        assert!(next.iter().all(|&n| n == PER_PAIR));
                        // Nothing extra may arrive.
                        assert!(
                            receive::<Msg>()
                                .timeout(std::time::Duration::ZERO)
                                .await
                                .is_none()
                        );
                        send(root, count);
                    })
                })
                .collect();
            for sender in 0..SENDERS {
                let receivers = receivers.clone();
                spawn(async move {
                    for seq in 0..PER_PAIR {
                        for r in &receivers {
                            send(*r, Msg { sender, seq });
                        }
                        if seq % 64 == 0 {
                            girder_core::consume_reductions(0).await;
                        }
                    }
                });
            }
            let mut totals = Vec::new();
            for _ in 0..RECEIVERS {
                totals.push(receive::<u64>().await);
            }
            totals
        })
        .expect("root ok");
    assert_eq!(totals.len(), RECEIVERS);
    assert!(totals.iter().all(|&t| t == u64::from(SENDERS * PER_PAIR)));
}
