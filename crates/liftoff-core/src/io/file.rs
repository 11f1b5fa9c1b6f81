//! Reading a file that a playbook names (an artifact, a token file) so the
//! read can never hang: the file is opened non-blocking, checked on the opened
//! descriptor (only a regular file is read: a FIFO, socket or device behind a
//! name or a symlink is refused, even if it was swapped in after a scan), and
//! read up to a cap.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a regular file (it is {0}); liftoff reads only regular files")]
    NotRegular(&'static str),
    #[error("not read: {size} bytes is more than the cap ({cap})")]
    TooBig { size: u64, cap: u64 },
}

impl ReadError {
    pub fn kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            ReadError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }
}

/// Opens `path` without blocking (a FIFO's open waits for a writer
/// otherwise) and returns it with the metadata of what was actually opened,
/// refusing anything but a regular file.
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(path)?;
    // fstat on the descriptor: the name may point elsewhere by now.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    Ok((file, meta))
}

/// What a file that is not a regular file is, in words.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_dir() {
        "a folder"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The content of the regular file at `path`, refused when larger than `cap`
/// bytes (by its size, and by what a read returns, should it grow meanwhile).
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path)?;
    read_opened(file, &meta, cap)
}

/// Reads an already opened regular file (see `open_regular`) up to `cap`.
pub fn read_opened(file: File, meta: &Metadata, cap: u64) -> Result<Vec<u8>, ReadError> {
    if meta.len() > cap {
        return Err(ReadError::TooBig {
            size: meta.len(),
            cap,
        });
    }
    let mut bytes = Vec::new();
    // One byte past the cap tells a file that grew from one that fits.
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooBig {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        for p in [&fifo, &link] {
            let err = read_regular(p, 1024).unwrap_err();
            assert!(err.to_string().contains("a FIFO"), "{err}");
        }
    }

    #[test]
    fn a_regular_file_is_read_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, "12345").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"12345");
        let err = read_regular(&f, 4).unwrap_err();
        assert!(
            matches!(err, ReadError::TooBig { size: 5, cap: 4 }),
            "{err}"
        );
        let err = read_regular(dir.path(), 4).unwrap_err();
        assert!(err.to_string().contains("a folder"), "{err}");
    }
}
