//! A minimal SMTP server on a free loopback port that keeps what it is sent, for
//! testing real email delivery. It answers every recipient with one chosen code.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A received message: the envelope recipients and the raw message text.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `RCPT TO` addresses.
    pub to: Vec<String>,
    /// Headers and body as sent.
    pub data: String,
}

/// The running server.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Starts a server that answers `RCPT TO` with `rcpt_reply`, e.g.
    /// `"250 OK"`, `"550 No such user"` or `"451 Try again later"`.
    pub async fn start(rcpt_reply: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(socket, rcpt_reply, store).await;
                });
            }
        });
        Self { port, received }
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    rcpt_reply: &str,
    store: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-sink\r\n250 8BITMIME".to_owned(),
            "RCPT" => {
                if rcpt_reply.starts_with('2') {
                    let address = line.split(['<', '>']).nth(1).unwrap_or_default();
                    to.push(address.to_owned());
                }
                rcpt_reply.to_owned()
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push('\n');
                }
                if let Ok(mut r) = store.lock() {
                    r.push(Received {
                        to: std::mem::take(&mut to),
                        data,
                    });
                }
                "250 Queued".to_owned()
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => "250 OK".to_owned(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}
