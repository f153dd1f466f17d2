//! TLS settings, in the terms Consul's own tools use (`CONSUL_CACERT`, `CONSUL_CLIENT_CERT`,
//! …). The settings are plain data and always available; [`HyperTransport`] applies them
//! with the `tls` feature (rustls with the ring provider, HTTP/2 negotiated by ALPN).
//!
//! [`HyperTransport`]: crate::HyperTransport

use std::path::PathBuf;

/// How to verify the agent and, for mutual TLS, how to present ourselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsConfig {
    /// A PEM file of CA certificates to trust (`CONSUL_CACERT`). Without it or `ca_path`,
    /// the system's roots are trusted.
    pub ca_file: Option<PathBuf>,
    /// A folder of PEM CA certificates to trust (`CONSUL_CAPATH`).
    pub ca_path: Option<PathBuf>,
    /// Our certificate, PEM, for agents with `verify_incoming_https` (`CONSUL_CLIENT_CERT`).
    pub client_cert: Option<PathBuf>,
    /// Our private key, PEM (`CONSUL_CLIENT_KEY`).
    pub client_key: Option<PathBuf>,
    /// The name to verify the agent's certificate against instead of the address's host
    /// (`CONSUL_TLS_SERVER_NAME`), e.g. `server.dc1.consul`.
    pub server_name: Option<String>,
    /// Accept any certificate (`CONSUL_HTTP_SSL_VERIFY=false`). For tests only: it gives
    /// up the protection TLS exists for.
    pub insecure_skip_verify: bool,
}

impl TlsConfig {
    /// Trusts the CAs in this PEM file.
    #[must_use]
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Trusts the CAs in this folder.
    #[must_use]
    pub fn ca_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_path = Some(path.into());
        self
    }

    /// Presents this certificate and key (mutual TLS).
    #[must_use]
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some(cert.into());
        self.client_key = Some(key.into());
        self
    }

    /// Verifies the agent's certificate against this name.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Accepts any certificate (tests only).
    #[must_use]
    pub fn insecure_skip_verify(mut self, skip: bool) -> Self {
        self.insecure_skip_verify = skip;
        self
    }
}

#[cfg(feature = "tls")]
pub(crate) mod rustls_config {
    use super::TlsConfig;
    use crate::TransportError;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
    use std::path::Path;
    use std::sync::Arc;

    fn bad(what: String) -> TransportError {
        TransportError::other(what)
    }

    fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TransportError> {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                bad(format!(
                    "cannot read certificates from {}: {e}",
                    path.display()
                ))
            })?;
        if certs.is_empty() {
            return Err(bad(format!("no PEM certificate in {}", path.display())));
        }
        Ok(certs)
    }

    fn roots(config: &TlsConfig) -> Result<RootCertStore, TransportError> {
        let mut store = RootCertStore::empty();
        let mut files = Vec::new();
        if let Some(file) = &config.ca_file {
            files.push(file.clone());
        }
        if let Some(dir) = &config.ca_path {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| bad(format!("cannot list CA folder {}: {e}", dir.display())))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        if files.is_empty() {
            let native = rustls_native_certs::load_native_certs();
            for cert in native.certs {
                // A malformed system certificate should not stop the others from working.
                let _ = store.add(cert);
            }
            return Ok(store);
        }
        for file in files {
            for cert in read_certs(&file)? {
                store.add(cert).map_err(|e| {
                    bad(format!("invalid CA certificate in {}: {e}", file.display()))
                })?;
            }
        }
        Ok(store)
    }

    /// The rustls configuration for these settings.
    pub(crate) fn client_config(config: &TlsConfig) -> Result<ClientConfig, TransportError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(format!("TLS set-up failed: {e}")))?;
        let builder = if config.insecure_skip_verify {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        } else {
            builder.with_root_certificates(roots(config)?)
        };
        match (&config.client_cert, &config.client_key) {
            (Some(cert), Some(key)) => {
                let certs = read_certs(cert)?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| bad(format!("cannot read private key {}: {e}", key.display())))?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| bad(format!("client certificate rejected: {e}")))
            }
            (None, None) => Ok(builder.with_no_client_auth()),
            _ => Err(bad(
                "a client certificate needs both the certificate and its key".into(),
            )),
        }
    }

    /// What `CONSUL_HTTP_SSL_VERIFY=false` asks for: signatures are still checked, the
    /// certificate chain and name are not.
    #[derive(Debug)]
    struct AcceptAnyCertificate(Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
