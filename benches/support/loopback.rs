//! A loopback HTTP service for benches: every request's head goes to
//! `answer`, whose text is sent back as a JSON body. It plays the remote side.
//!
//! Included by each service module that needs it, so a bench may not use every part.
#![allow(dead_code)]

use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the service treats a connection after its first answer.
#[derive(Clone, Copy, PartialEq)]
pub enum Connection {
    /// Answer every request on it (HTTP/1.1 keep-alive).
    KeepAlive,
    /// Answer once, then drop it.
    Close,
}

/// Starts the service on a free loopback port; returns the port.
pub async fn serve(
    connection: Connection,
    answer: impl Fn(&[u8]) -> String + Send + Sync + 'static,
) -> u16 {
    let answer = Arc::new(answer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut n = 0;
                loop {
                    while !buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut buf[n..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => n += k,
                        }
                    }
                    let body = answer(&buf[..n]);
                    n = 0;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(reply.as_bytes()).await.is_err()
                        || connection == Connection::Close
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}
