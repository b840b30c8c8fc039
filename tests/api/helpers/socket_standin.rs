//! A stand-in for Slack's Socket Mode side: a WebSocket server on 127.0.0.1 that says hello
//! to every connection, sends the envelopes and `disconnect` frames a test asks for, records
//! every acknowledgement (which connection, which envelope, what payload), and can drop a
//! connection or fall silent on it. `apps.connections.open` is served by the fake Web API
//! (`helpers::fake_slack::FakeSlack`), which hands out [`Standin::url`].

#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

enum Control {
    Text(String),
    /// A close frame, then the end.
    Close,
    /// The TCP connection goes away without a close frame.
    Drop,
    /// Nothing is read (so pings go unanswered) and nothing sent, but the socket stays open.
    Stall,
}

struct Conn {
    id: usize,
    tx: mpsc::UnboundedSender<Control>,
    open: Arc<AtomicBool>,
}

/// One acknowledgement the stand-in received.
#[derive(Debug, Clone)]
pub struct Ack {
    pub conn: usize,
    pub envelope_id: String,
    pub payload: Option<Value>,
}

#[derive(Default)]
struct State {
    conns: Mutex<Vec<Conn>>,
    acks: Mutex<Vec<Ack>>,
    /// Frames received that were not acks (for the record).
    other: Mutex<Vec<String>>,
    /// (connection, "open" | "closed"), in the order they happened.
    events: Mutex<Vec<(usize, &'static str)>>,
    next_id: AtomicUsize,
}

pub struct Standin {
    pub addr: SocketAddr,
    state: Arc<State>,
    stop: tokio_util::sync::CancellationToken,
}

impl Standin {
    pub async fn start() -> Standin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let stop = tokio_util::sync::CancellationToken::new();
        let (s, token) = (state.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = token.cancelled() => return,
                    a = listener.accept() => a,
                };
                let Ok((tcp, _)) = accepted else { continue };
                tokio::spawn(serve(tcp, s.clone(), token.clone()));
            }
        });
        Standin { addr, state, stop }
    }

    pub fn url(&self) -> String {
        format!("ws://{}/link/?ticket=test", self.addr)
    }

    /// Ids of the connections open now, oldest first.
    pub fn open(&self) -> Vec<usize> {
        self.state
            .conns
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.open.load(Ordering::SeqCst))
            .map(|c| c.id)
            .collect()
    }

    /// How many connections were ever accepted.
    pub fn accepted(&self) -> usize {
        self.state.conns.lock().unwrap().len()
    }

    fn control(&self, conn: usize, c: Control) {
        let conns = self.state.conns.lock().unwrap();
        let found = conns
            .iter()
            .find(|x| x.id == conn)
            .expect("a known connection");
        let _ = found.tx.send(c);
    }

    pub fn send(&self, conn: usize, frame: &Value) {
        self.control(conn, Control::Text(frame.to_string()));
    }

    pub fn disconnect(&self, conn: usize, reason: &str) {
        self.send(
            conn,
            &json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "standin"}}),
        );
    }

    pub fn close(&self, conn: usize) {
        self.control(conn, Control::Close);
    }

    pub fn drop_connection(&self, conn: usize) {
        self.control(conn, Control::Drop);
    }

    pub fn stall(&self, conn: usize) {
        self.control(conn, Control::Stall);
    }

    /// Whether connection `new` was open (had said hello) before connection `old` closed.
    pub fn opened_before_closed(&self, new: usize, old: usize) -> bool {
        let events = self.state.events.lock().unwrap();
        let at = |conn, what| events.iter().position(|e| *e == (conn, what));
        match (at(new, "open"), at(old, "closed")) {
            (Some(opened), Some(closed)) => opened < closed,
            _ => false,
        }
    }

    pub fn acks(&self) -> Vec<Ack> {
        self.state.acks.lock().unwrap().clone()
    }

    pub fn acks_of(&self, envelope_id: &str) -> Vec<Ack> {
        self.acks()
            .into_iter()
            .filter(|a| a.envelope_id == envelope_id)
            .collect()
    }

    pub fn acked(&self, envelope_id: &str) -> bool {
        !self.acks_of(envelope_id).is_empty()
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn serve(
    tcp: tokio::net::TcpStream,
    state: Arc<State>,
    stop: tokio_util::sync::CancellationToken,
) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let id = state.next_id.fetch_add(1, Ordering::SeqCst) + 1;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let open = Arc::new(AtomicBool::new(true));
    let hello = json!({"type": "hello", "num_connections": 1,
        "debug_info": {"host": "standin", "approximate_connection_time": 18060}, "connection_info": {"app_id": "A0OPS"}});
    if ws.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    state.conns.lock().unwrap().push(Conn {
        id,
        tx,
        open: open.clone(),
    });
    state.events.lock().unwrap().push((id, "open"));
    let mut stalled = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            c = rx.recv() => match c {
                Some(Control::Text(t)) if !stalled => {
                    if ws.send(Message::text(t)).await.is_err() { break; }
                }
                Some(Control::Text(_)) => {}
                Some(Control::Close) => { let _ = ws.close(None).await; break; }
                Some(Control::Drop) | None => break,
                Some(Control::Stall) => stalled = true,
            },
            frame = ws.next(), if !stalled => match frame {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    match v.get("envelope_id").and_then(Value::as_str) {
                        Some(e) => state.acks.lock().unwrap().push(Ack {
                            conn: id,
                            envelope_id: e.to_string(),
                            payload: v.get("payload").cloned(),
                        }),
                        None => state.other.lock().unwrap().push(t.to_string()),
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    open.store(false, Ordering::SeqCst);
    state.events.lock().unwrap().push((id, "closed"));
}
