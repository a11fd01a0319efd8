//! One TLS crypto provider for the whole process.
//!
//! kube (rustls + `ring`) and reqwest (`rustls-no-provider`) both build rustls configs from the
//! process-wide default provider. With two providers compiled in and none chosen, rustls panics at
//! the first handshake; reqwest with no provider at all panics when a client is built. We compile
//! only `ring` and install it as the default before any client exists: no panic, and no second C
//! crypto library (`aws-lc-sys`) to build.

/// Install `ring` as rustls' process default. Safe to call more than once.
pub fn install_crypto_provider() {
    // Err means a provider is already installed (a second call, or a test harness): nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    #[test]
    fn reqwest_builds_a_client_once_the_provider_is_installed() {
        super::install_crypto_provider();
        super::install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        reqwest::Client::builder().build().expect("reqwest client");
    }
}
