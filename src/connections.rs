//! How many connections an instance holds, and how it takes them in. A stream subscriber keeps
//! its socket open for as long as a screen or a phone watches the counters, so the instance of a
//! big event holds tens of thousands at once. Three limits stand in the way, each set here:
//! - every connection is a file descriptor: the open-file limit is raised to its ceiling (a
//!   service manager commonly starts processes at 1,024);
//! - each HTTP worker takes at most its share of connections (actix-web's own default is
//!   25,000 per worker, whatever the descriptors allow);
//! - a hall of screens reconnecting after a restart arrives all at once, within the two
//!   seconds the streams ask clients to wait: the listener queues them (the standard library
//!   binds with a queue of 128, past which the kernel drops new connections for a second).
//!
//! Past its share, a worker stops accepting: new connections wait in the queue rather than
//! being accepted without a descriptor to spare for the database.

use std::{
    io,
    net::{SocketAddr, TcpListener},
};

use socket2::{Domain, Protocol, Socket, Type};

/// Connections the kernel queues for the listener before they are accepted. The kernel caps it
/// at `net.core.somaxconn` (4,096 by default since Linux 5.4).
pub const ACCEPT_QUEUE: i32 = 4096;

/// Descriptors kept back from client connections: the listener, the runtime's own, logs, mail,
/// and headroom for the moments connections overlap as they close and open.
const RESERVED_FILES: u64 = 256;

/// Descriptors one pooled database connection may use: a SQLite connection opens the database,
/// its write-ahead log and the shared-memory index; a PostgreSQL one, a single socket.
const FILES_PER_DB_CONNECTION: u64 = 3;

/// A bound listener with a deep accept queue ([`ACCEPT_QUEUE`]), set to reuse the address as
/// the standard library's listeners are.
pub fn listener(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(ACCEPT_QUEUE)?;
    Ok(socket.into())
}

/// Raises the soft open-file limit to the hard one and answers the limit now in force, or
/// `None` where there is no such limit to read.
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` and `setrlimit` only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return None;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        Some(limit.rlim_cur)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// The most connections one HTTP worker accepts at once: the instance's total split evenly over
/// its workers. The total is `configured` when set, else what `open_files` leaves once the
/// database pool and [`RESERVED_FILES`] have their share.
pub fn per_worker(
    open_files: Option<u64>,
    configured: Option<usize>,
    workers: usize,
    db_pool_size: u32,
) -> usize {
    let total = configured.unwrap_or_else(|| match open_files {
        Some(files) => {
            let reserved = RESERVED_FILES + FILES_PER_DB_CONNECTION * u64::from(db_pool_size);
            usize::try_from(files.saturating_sub(reserved)).unwrap_or(usize::MAX)
        }
        // Nothing to go by: actix-web's own default for each worker.
        None => DEFAULT_PER_WORKER.saturating_mul(workers.max(1)),
    });
    (total / workers.max(1)).max(1)
}

/// actix-web's default cap per worker.
const DEFAULT_PER_WORKER: usize = 25_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_descriptors_left_after_the_database_are_split_over_the_workers() {
        // 65,536 descriptors, 8 pooled connections: 65,536 - 256 - 24 = 65,256 connections.
        assert_eq!(per_worker(Some(65_536), None, 2, 8), 32_628);
        assert_eq!(per_worker(Some(65_536), None, 1, 8), 65_256);
        // An instance started at 1,024 descriptors holds what they allow, not 25,000 each.
        assert_eq!(per_worker(Some(1_024), None, 4, 8), 186);
    }

    #[test]
    fn a_configured_total_wins_and_no_worker_is_left_without_any() {
        assert_eq!(per_worker(Some(1_024), Some(100_000), 4, 8), 25_000);
        assert_eq!(per_worker(Some(100), None, 2, 64), 1);
        assert_eq!(per_worker(None, None, 3, 8), 25_000);
        assert_eq!(per_worker(Some(u64::MAX), None, 0, 8), usize::MAX - 280);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_soft_open_file_limit_is_raised_to_the_hard_one() {
        let now = raise_open_file_limit().expect("an open-file limit");
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` only writes the struct passed to it.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!((limit.rlim_cur, limit.rlim_max), (now, now));
    }

    /// A burst of connections well past the standard library's queue of 128 all connect
    /// before a single one is accepted.
    #[test]
    fn the_listener_queues_a_burst_of_connections() {
        let listener = listener("127.0.0.1:0".parse().expect("address")).expect("listener");
        let address = listener.local_addr().expect("bound address");
        // The kernel caps the queue at `somaxconn`: ask no more of it than that allows.
        let cap = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(usize::try_from(ACCEPT_QUEUE).unwrap_or(128));
        let burst = cap.min(400);
        let timeout = std::time::Duration::from_secs(2);
        let connections: Vec<_> = (0..burst)
            .map(|i| {
                std::net::TcpStream::connect_timeout(&address, timeout)
                    .unwrap_or_else(|e| panic!("connection {i} of {burst} was not queued: {e}"))
            })
            .collect();
        assert_eq!(connections.len(), burst);
    }
}
