//! A TCP proxy in front of the apiserver that can go silent: connections stay open, what the
//! client sends is read and dropped, and nothing comes back (an apiserver that hangs, a
//! half-dead load balancer, a network partition that drops packets instead of refusing them).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct SilentProxy {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    silent: Arc<AtomicBool>,
}

impl SilentProxy {
    /// Forward to `upstream` (`https://127.0.0.1:PORT` or `127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Self {
        let upstream = upstream
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let silent = Arc::new(AtomicBool::new(false));
        let s = Arc::clone(&silent);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (sa, sb) = (Arc::clone(&s), Arc::clone(&s));
                std::thread::spawn(move || pump(client, server, sa));
                std::thread::spawn(move || pump(s2, c2, sb));
            }
        });
        Self { addr, silent }
    }

    /// From now on nothing passes, on open connections and new ones alike.
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    /// Pass traffic again (connections that went silent stay broken: their bytes were lost).
    pub fn speak(&self) {
        self.silent.store(false, Ordering::SeqCst);
    }

    /// A copy of `kubeconfig` in `dir` whose server is this proxy (the serving certificate is
    /// for 127.0.0.1, so TLS verifies through it).
    pub fn kubeconfig(&self, kubeconfig: &Path, server: &str, dir: &Path) -> PathBuf {
        let text = std::fs::read_to_string(kubeconfig).unwrap();
        assert!(
            text.contains(server),
            "{server} not in {}",
            kubeconfig.display()
        );
        let path = dir.join("kubeconfig-through-proxy");
        std::fs::write(
            &path,
            text.replace(server, &format!("https://{}", self.addr)),
        )
        .unwrap();
        path
    }
}

/// Copy `from` to `to` until either closes; while `silent`, read and drop.
fn pump(mut from: TcpStream, mut to: TcpStream, silent: Arc<AtomicBool>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if silent.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    if !silent.load(Ordering::SeqCst) {
        let _ = to.shutdown(Shutdown::Write);
    }
}
