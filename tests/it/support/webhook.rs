//! A webhook receiver on loopback, playing Slack (or any JSON webhook): a raw
//! tokio HTTP/1.1 server that records every request and answers 200, a given
//! status, or never (it holds the connection open and says nothing).

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Ok,
    Status(u16),
    /// Read the request, then hold the connection without a word.
    Hang,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    answered: Arc<Mutex<usize>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    /// Listens on a free loopback port; `path` is the secret-looking part of the URL.
    pub async fn start(answer: Answer, path: &str) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answered = Arc::new(Mutex::new(0));
        let (reqs, done) = (requests.clone(), answered.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((conn, _)) = listener.accept().await else {
                    return;
                };
                let (reqs, done) = (reqs.clone(), done.clone());
                tokio::spawn(serve(conn, answer, reqs, done));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}{path}"),
            requests,
            answered,
            task: Arc::new(task),
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Requests answered so far (none, for `Answer::Hang`).
    pub fn answered(&self) -> usize {
        *self.answered.lock().unwrap()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if Arc::strong_count(&self.task) == 1 {
            self.task.abort();
        }
    }
}

/// One request per connection (the reply says `connection: close`).
async fn serve(
    mut conn: TcpStream,
    answer: Answer,
    reqs: Arc<Mutex<Vec<Request>>>,
    done: Arc<Mutex<usize>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let first: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
    let mut length = 0usize;
    let mut content_type = None;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "content-type" => content_type = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    while buf.len() < head_end + length {
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    reqs.lock().unwrap().push(Request {
        method: first.first().unwrap_or(&"").to_string(),
        path: first.get(1).unwrap_or(&"").to_string(),
        content_type,
        body: buf[head_end..head_end + length].to_vec(),
    });
    let status = match answer {
        Answer::Ok => 200,
        Answer::Status(s) => s,
        Answer::Hang => {
            // Hold the connection open, unanswered, until the client gives up.
            let _ = conn.read(&mut chunk).await;
            return;
        }
    };
    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    let _ = conn.write_all(reply.as_bytes()).await;
    *done.lock().unwrap() += 1;
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
