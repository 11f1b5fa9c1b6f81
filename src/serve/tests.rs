use super::*;

#[test]
fn a_port_alone_or_localhost_is_loopback() {
    assert_eq!(
        listen_address("9187", false).unwrap(),
        "127.0.0.1:9187".parse().unwrap()
    );
    assert_eq!(
        listen_address("127.0.0.1:0", false).unwrap(),
        "127.0.0.1:0".parse().unwrap()
    );
    assert_eq!(
        listen_address("[::1]:9100", false).unwrap(),
        "[::1]:9100".parse().unwrap()
    );
    assert!(listen_address("localhost:9100", false)
        .unwrap()
        .ip()
        .is_loopback());
    assert_eq!(
        listen_address("127.0.0.1", false).unwrap().port(),
        DEFAULT_PORT
    );
}

#[test]
fn beyond_loopback_is_refused_unless_asked_for_and_then_warned_about() {
    let err = listen_address("0.0.0.0:9187", false).unwrap_err();
    assert!(matches!(err, ServeError::NotLoopback(_)), "{err}");
    assert!(err.to_string().contains("--listen-remote"), "{err}");
    let addr = listen_address("0.0.0.0:9187", true).unwrap();
    assert!(remote_warning(addr).unwrap().contains("0.0.0.0:9187"));
    assert_eq!(remote_warning("127.0.0.1:1".parse().unwrap()), None);
}

#[test]
fn garbage_is_a_bad_address() {
    let err = listen_address("not an address:xx", false).unwrap_err();
    assert!(matches!(err, ServeError::BadAddress(_)), "{err}");
    assert!(err.to_string().contains("HOST:PORT"), "{err}");
}
